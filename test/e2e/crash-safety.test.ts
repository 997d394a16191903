// The safety promise as a new user meets it (issue 9): a run killed with SIGKILL mid-apply orphans nothing, a
// second process on the same --state is refused (exit 2, the holder's pid) and never crashes, a lease a killed
// run left is taken over at once, and an event newer than a deletion is retried rather than dropped.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { LOCK_FILE } from '../../functions/adapters/dynamodb/state-lock.js';
import { exportSandbox, parseSandboxFile } from '../../functions/adapters/sandbox/sandbox-file.js';
import type { LedgerEntry } from '../../functions/domain/model.js';
import { parseJson, runCli } from '../support/cli.js';

const SAMPLES = 'events/samples';
const DEMO = ['--profile', 'examples/profiles/demo.yaml', '--sandbox', 'examples/sandbox/demo.yaml'];

interface StateJson {
  clusters: { cluster: { clusterId: string; deleted: boolean; podCidrs: string[] }; entries: LedgerEntry[] }[];
}

/** The sandbox account's entries (resources left empty after podreach removed its entries are left out). */
async function account(dir: string) {
  const local = await startLocalDynamo(dir);
  try {
    const spec = (await exportSandbox(local.store)).spec;
    const hasEntries = (resource: object) => Object.values(resource).some((value) => (Array.isArray(value) ? value.length > 0 : false));
    return Object.fromEntries(Object.entries(spec).map(([key, value]) => [key, Array.isArray(value) && key !== 'subnets' ? value.filter(hasEntries) : value]));
  } finally {
    await local.close();
  }
}

/** The demo seed as the account exports it (the file's format, every list sorted). */
async function seededAccount(): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'podreach-seed-'));
  try {
    const seeded = await runCli(['plan', join(SAMPLES, 'cluster-created.json'), ...DEMO, '--state', dir, '--json']);
    expect(seeded.code).toBe(0);
    return await account(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('CLI: crash safety, one process per --state, event order', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-crash-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('adopts what a run killed mid-apply created, takes over its lease at once, and deletes it with the cluster', async () => {
    // Prepare: the run is killed (SIGKILL) right after the first VPN selector write took effect, under its lease
    const killed = await runCli(['run', join(SAMPLES, 'cluster-created.json'), ...DEMO, '--state', dir], {
      PODREACH_SANDBOX_FAULTS: JSON.stringify({ killAfter: { api: 'ReplaceSelectors', call: 1 } }),
    });
    expect(killed.signal).toBe('SIGKILL');
    const left = parseJson<StateJson>(await runCli(['state', '--state', dir, '--json', '--history']));
    const open = left.clusters[0]!.entries.filter((row) => row.status === 'applying' || row.status === 'planned');
    expect(open.map((row) => row.status)).toContain('applying');
    expect(JSON.stringify(await account(dir))).toContain('172.16.0.0/16');

    // Act: the next event is the deletion
    const deleted = await runCli(['run', join(SAMPLES, 'cluster-deleted.json'), '--state', dir, '--json']);

    // Assess: exit 0, no wait on the dead run's lease, no open row, the account exactly as seeded
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).not.toContain('waiting for');
    const after = parseJson<StateJson>(await runCli(['state', '--state', dir, '--json', '--history']));
    expect(after.clusters[0]!.entries.filter((row) => ['planned', 'applying', 'failed'].includes(row.status))).toEqual([]);
    expect(after.clusters[0]!.entries.filter((row) => row.owned)).toEqual([]);
    expect(await account(dir)).toEqual(await seededAccount());
  });

  it('refuses a second process on the same --state with exit 2 and the holder pid, never a crash', async () => {
    // Prepare: a slow run (every simulated API call waits 150 ms) holds the directory
    let holder = 0;
    const running = runCli(
      ['run', join(SAMPLES, 'cluster-created.json'), ...DEMO, '--state', dir],
      { PODREACH_SANDBOX_FAULTS: JSON.stringify({ latencyMs: 150 }) },
      120_000,
      (pid) => (holder = pid),
    );
    while (!existsSync(join(dir, LOCK_FILE))) await new Promise((resolve) => setTimeout(resolve, 20));

    // Act: other commands start together while it runs
    const others = await Promise.all([1, 2, 3, 4].map(() => runCli(['state', '--state', dir])));
    const first = await running;

    // Assess
    expect(first.code).toBe(0);
    for (const other of others) {
      expect({ code: other.code, stderr: other.stderr.trim() }).toEqual({
        code: 2,
        stderr: expect.stringContaining(`is in use by podreach process ${holder}`),
      });
    }
  });

  it('retries an event newer than the deletion and keeps it once the cluster is created again', async () => {
    // Prepare: created 07:00, deleted 08:00
    const event = (name: string, detail: Record<string, unknown>) => {
      const body = JSON.parse(readFileSync(join(SAMPLES, name), 'utf8')) as { id: string; detail: Record<string, unknown> };
      const file = join(dir, `${name}-${String(detail.occurredAt)}.json`);
      writeFileSync(file, JSON.stringify({ ...body, id: `${name}-${String(detail.occurredAt)}`, detail: { ...body.detail, ...detail } }));
      return file;
    };
    const flags = [...DEMO, '--state', dir, '--json'];
    expect((await runCli(['run', event('cluster-created.json', { occurredAt: '2026-11-20T07:00:00Z' }), ...flags])).code).toBe(0);
    expect((await runCli(['run', event('cluster-deleted.json', { occurredAt: '2026-11-20T08:00:00Z' }), '--state', dir])).code).toBe(0);
    const cidr = event('cluster-cidr-changed.json', { occurredAt: '2026-11-20T10:00:00Z', podCidrs: ['172.30.0.0/16'] });

    // Act: the 10:00 CIDR change arrives before the 09:00 re-creation, then again (as EventBridge redelivers)
    const early = await runCli(['run', cidr, '--state', dir]);
    const recreated = await runCli(['run', event('cluster-created.json', { occurredAt: '2026-11-20T09:00:00Z', podCidrs: ['172.24.0.0/16'] }), '--state', dir]);
    const redelivered = await runCli(['run', cidr, '--state', dir, '--json']);

    // Assess
    expect(early.code).toBe(2);
    expect(early.stderr).toContain('was deleted at 2026-11-20T08:00:00Z');
    expect(recreated.code).toBe(0);
    expect(redelivered.code).toBe(0);
    const state = parseJson<StateJson>(await runCli(['state', '--state', dir, '--json', '--history']));
    expect(state.clusters[0]!.cluster).toMatchObject({ deleted: false, podCidrs: ['172.30.0.0/16'] });
  });

  it('has a seed file that is valid with faults', () => {
    // the documented faults section parses (docs/sandbox.md)
    const seed = parseSandboxFile(`apiVersion: podreach/v1\nkind: SandboxAccount\nspec:\n  faults: { seed: 7, throttle: 0.2, serverError: 0.05, lostResponse: 0.05, apis: { CreateRoute: { throttle: 0.5 } } }\n`);
    expect(seed.spec.faults).toMatchObject({ seed: 7, throttle: 0.2, apis: { CreateRoute: { throttle: 0.5 } } });
  });
});
