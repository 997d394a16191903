// The `podreach` command as a new user runs it (a child process), against a fresh --state directory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function podreach(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, ['bin/podreach.js', ...args], { encoding: 'utf8', env: { ...process.env, SLACK_WEBHOOK_URL: '' }, timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json<T = Record<string, unknown>>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
}

interface Report {
  dryRun: boolean;
  changes: { id: string; status: string }[];
  counts: { applied: number; unchanged: number; blocked: number; failed: number; planned: number };
}

describe('CLI: podreach', () => {
  let dir: string;
  const state = () => ['--state', dir];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('run applies a new cluster, a second run applies nothing, and state lists each entry once', () => {
    // Act
    const first = podreach('run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', ...state(), '--json');
    const second = podreach('run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', ...state(), '--json');
    const recorded = podreach('state', ...state(), '--json', '--history');

    // Assess
    expect(first.code).toBe(0);
    const firstReport = json<Report>(first);
    expect(firstReport.counts.applied).toBeGreaterThan(0);
    expect(firstReport.counts.failed).toBe(0);
    expect(second.code).toBe(0);
    const secondReport = json<Report>(second);
    expect(secondReport.counts.applied).toBe(0);
    expect(secondReport.changes.length).toBeGreaterThan(0);
    expect(secondReport.changes.every((c) => c.status === 'unchanged')).toBe(true);
    const clusters = json<{ clusters: { cluster: { clusterId: string }; held: { kind: string; target: string; cidr?: string; peerCidr?: string; claims: string[] }[]; entries: { id: string }[] }[] }>(recorded).clusters;
    expect(clusters.map((c) => c.cluster.clusterId)).toEqual(['cls-demo']);
    const ids = clusters[0]!.entries.map((e) => e.id);
    expect(ids.length).toBe(firstReport.changes.length);
    expect(new Set(ids).size).toBe(ids.length);
    // what podreach holds in place: each entry once, claimed by the cluster's flow
    const held = clusters[0]!.held;
    expect(held.length).toBe(firstReport.counts.applied);
    expect(new Set(held.map((e) => `${e.kind} ${e.target} ${e.cidr ?? ''} ${e.peerCidr ?? ''}`)).size).toBe(held.length);
    expect(held.every((e) => e.claims.length === 1 && e.claims[0]!.startsWith('cls-demo/'))).toBe(true);
  });

  it('plan reports the changes without applying or recording them', () => {
    const planned = podreach('plan', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', ...state(), '--json');
    expect(planned.code).toBe(0);
    const report = json<Report>(planned);
    expect(report.dryRun).toBe(true);
    expect(report.changes.filter((c) => c.status === 'planned').length).toBeGreaterThan(0);
    // the counts say so too (all planned, no outcome yet)
    expect(report.counts).toEqual({ applied: 0, unchanged: 0, blocked: 0, failed: 0, planned: report.changes.length });
    expect(json<{ clusters: unknown[] }>(podreach('state', ...state(), '--json')).clusters).toEqual([]);
  });

  it('after a run, a replay and a Cluster Deleted, state holds nothing for the cluster, --history keeps the ledger, and sandbox show lists the seeded foreign entries', () => {
    // Prepare
    const seeded = ['--profile', 'examples/profiles/demo.yaml', '--sandbox', 'examples/sandbox/demo.yaml', ...state(), '--json'];
    const first = json<Report>(podreach('run', 'events/samples/cluster-created.json', ...seeded));
    const replay = json<Report>(podreach('run', 'events/samples/cluster-created.json', ...state(), '--json'));
    const whileRunning = json<{ resources: { type: string; id: string; entries: { entry: string; owner: string; clusterId?: string }[] }[] }>(podreach('sandbox', 'show', ...state(), '--json'));

    // Act
    const deleted = podreach('run', 'events/samples/cluster-deleted.json', ...state(), '--json');
    const now = json<{ clusters: { cluster: { clusterId: string; deleted: boolean }; held: unknown[]; entries?: unknown[] }[] }>(podreach('state', ...state(), '--json'));
    const history = json<{ clusters: { held: unknown[]; entries: { action: string; status: string; kind: string }[] }[] }>(podreach('state', ...state(), '--history', '--json'));
    const text = podreach('state', ...state());
    const sandbox = json<{ resources: { type: string; id: string; entries: { entry: string; owner: string }[] }[]; counts: { podreach: number; foreign: number } }>(
      podreach('sandbox', 'show', ...state(), '--json'),
    );
    const sandboxText = podreach('sandbox', 'show', ...state());

    // Assess
    expect(first.counts.applied).toBeGreaterThan(0);
    expect(replay.counts.applied).toBe(0);
    expect(whileRunning.resources.flatMap((r) => r.entries).filter((e) => e.owner === 'podreach' && e.clusterId === 'cls-demo').length).toBe(first.counts.applied);
    expect(deleted.code).toBe(0);
    expect(now.clusters).toHaveLength(1);
    expect(now.clusters[0]?.cluster).toMatchObject({ clusterId: 'cls-demo', deleted: true });
    expect(now.clusters[0]?.held).toEqual([]);
    expect(now.clusters[0]?.entries).toBeUndefined();
    expect(text.stdout).toContain('podreach holds nothing for this cluster');
    const ledger = history.clusters[0]?.entries ?? [];
    expect(ledger.length).toBe(first.changes.length);
    // every entry podreach made was deleted; the subnet binding it found in place (unchanged) was never its own
    expect(ledger.filter((row) => row.action === 'delete' && row.status === 'applied')).toHaveLength(first.counts.applied);
    expect(ledger.filter((row) => !(row.action === 'delete' && row.status === 'applied'))).toEqual([expect.objectContaining({ kind: 'subnet-association', status: 'unchanged' })]);
    // the seeded entries are still there, foreign; nothing of podreach's is left
    expect(sandbox.counts).toEqual({ podreach: 0, foreign: 2 });
    const foreign = sandbox.resources.flatMap((r) => r.entries.map((e) => `${r.type} ${r.id}: ${e.entry} (${e.owner})`));
    expect(foreign).toEqual(['route-table rtb-main: 10.99.0.0/16 -> pcx-legacy (foreign)', 'subnet subnet-a: 192.168.1.0/24 bound to rtb-main (foreign)']);
    expect(sandboxText.stdout).toContain('10.99.0.0/16 -> pcx-legacy');
    expect(sandboxText.stdout).toContain('0 entries podreach made, 2 foreign');
    // reading a directory without a store creates none
    const missing = podreach('sandbox', 'show', '--state', join(dir, 'no-such-state'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--state');
  });

  it.each([
    ['bad-cidr.json', 'detail.podCidrs[0]'],
    ['missing-cluster-id.json', 'detail.clusterId'],
    ['unknown-detail-type.json', 'detail-type'],
    ['malformed.json', 'malformed JSON'],
    ['bad-node-ip.json', 'detail.node.ip'],
  ])('an invalid event (%s) exits 2 naming %s and records nothing', (file, field) => {
    const result = podreach('run', join('events/samples/invalid', file), '--profile', 'examples/profiles/demo.yaml', ...state(), '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(field);
    expect(result.stdout).toBe('');
    // nothing recorded: the state directory holds no store at all
    expect(readdirSync(dir)).toEqual([]);
    const recorded = podreach('state', ...state(), '--json');
    expect(recorded.code).toBe(2);
    expect(recorded.stderr).toContain(`no podreach state in ${dir}`);
  });

  it('an invalid profile exits 2 naming the field', () => {
    const result = podreach('run', 'events/samples/cluster-created.json', '--profile', 'test/fixtures/invalid-profile.yaml', ...state());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('spec.vpn[0].remoteCidrs[0]');
  });

  it('an event for a cluster podreach has not seen created exits 2 and records nothing', () => {
    const result = podreach('run', 'events/samples/node-added.json', ...state(), '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cls-demo');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown flag or command exits 2', () => {
    expect(podreach('run', 'events/samples/cluster-created.json', '--no-such-flag').code).toBe(2);
    expect(podreach('frobnicate').code).toBe(2);
  });
});
