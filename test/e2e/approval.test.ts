// The approval gate locally (issue 13): with a profile that holds deletes, a CIDR removal applies its creates and
// stops with its deletes awaiting approval; `podreach approve` applies them; `--reject` leaves the account as it is.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { exportSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import { parseJson, runCli } from '../support/cli.js';

interface Report {
  changes: { flow: string; action: string; status: string; cidr?: string; reason?: string }[];
  counts: { applied: number; awaitingApproval?: number };
  warnings: string[];
}

async function account(state: string): Promise<string> {
  const local = await startLocalDynamo(state);
  try {
    return JSON.stringify((await exportSandbox(local.store)).spec);
  } finally {
    await local.close();
  }
}

describe('CLI: approval gate', () => {
  let dir: string;
  let state: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-approval-'));
    state = join(dir, 'state');
    const profile = parseYaml(readFileSync('examples/profiles/demo.yaml', 'utf8')) as { spec: Record<string, unknown> };
    profile.spec.approval = { deletes: true };
    writeFileSync(join(dir, 'profile.yaml'), stringify(profile));
    expect((await runCli(['run', 'events/samples/cluster-created.json', '--profile', join(dir, 'profile.yaml'), '--state', state])).code).toBe(0);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The CIDR change (172.19.0.0/16 leaves, 172.18.0.0/16 arrives): creates applied, deletes held. */
  async function cidrChange(): Promise<{ report: Report; executions: string[] }> {
    const result = await runCli(['run', 'events/samples/cluster-cidr-changed.json', '--state', state, '--json']);
    expect(result.code).toBe(0);
    const report = parseJson<Report>(result);
    const executions = report.warnings.flatMap((warning) => /podreach approve (\S+)/.exec(warning)?.[1] ?? []);
    return { report, executions };
  }

  it('applies the creates, holds the deletes, and applies them once approved', async () => {
    // Act 1
    const { report, executions } = await cidrChange();

    // Assess 1: creates of 172.18.0.0/16 applied, deletes of 172.19.0.0/16 awaiting (direct-connect and vpn)
    expect(report.changes.filter((c) => c.action === 'create' && c.status === 'applied').every((c) => c.cidr === '172.18.0.0/16' || c.cidr === '10.20.0.0/16')).toBe(true);
    const awaiting = report.changes.filter((c) => c.status === 'awaiting-approval');
    expect(awaiting.length).toBe(report.counts.awaitingApproval);
    expect(awaiting.every((c) => c.action === 'delete' && c.reason === 'awaiting approval: a delete')).toBe(true);
    expect(executions).toHaveLength(2);
    expect(await account(state)).toContain('172.19.0.0/16');

    // Act 2
    const approved = [];
    for (const execution of executions) approved.push(await runCli(['approve', execution, '--state', state, '--json']));

    // Assess 2: every held delete applied; the account no longer holds 172.19.0.0/16
    for (const result of approved) expect(result.code).toBe(0);
    const applied = approved.flatMap((result) => parseJson<Report>(result).changes).filter((c) => c.action === 'delete' && c.status === 'applied');
    expect(applied.length).toBe(awaiting.length);
    expect(await account(state)).not.toContain('172.19.0.0/16');
  });

  it('leaves the account unchanged when rejected, and keeps the rejection', async () => {
    // Prepare
    const { executions } = await cidrChange();
    const before = await account(state);

    // Act
    const rejected = [];
    for (const execution of executions) rejected.push(await runCli(['approve', execution, '--reject', '--state', state, '--json']));
    const replay = await runCli(['run', 'events/samples/cluster-cidr-changed.json', '--state', state, '--json']);

    // Assess
    for (const result of rejected) expect(result.code).toBe(0);
    expect(await account(state)).toBe(before);
    expect(parseJson<Report>(replay).changes.filter((c) => c.action === 'delete').every((c) => c.status === 'blocked' && (c.reason ?? '').startsWith('rejected by '))).toBe(true);
    const again = await runCli(['approve', executions[0]!, '--state', state]);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('already decided: rejected') });
  });
});
