// The whole local pipeline: events -> facts -> plan -> the synthesized state machines on aws-local-stepfunctions
// -> the sandbox provider, with the state on dynalite. Replays included.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEventJson } from '../../events/parse.js';
import { exportSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import type { Change } from '../../functions/domain/model.js';

const sample = (name: string) => parseClusterEventJson(readFileSync(join('events/samples', name), 'utf8'), name);
const key = (c: Change) => `${c.action} ${c.flow} ${c.kind} ${c.target} ${c.cidr ?? ''} ${c.peerCidr ?? c.nextHop ?? ''}`;
const withStatus = (changes: Change[], status: Change['status']) => changes.filter((c) => c.status === status).map(key).sort();

describe('Integration: local pipeline (dynalite + local state machines + sandbox)', () => {
  let dir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-pipeline-'));
    runtime = await openLocalRuntime({ stateDir: dir, profileFile: 'examples/profiles/demo.yaml', sandboxFile: 'examples/sandbox/demo.yaml' });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies every Direct Connect and VPN entry of a new cluster, then replays it as unchanged', async () => {
    // Act
    const first = await runEventReport(runtime, sample('cluster-created.json'), true);
    const replay = await runEventReport(runtime, sample('cluster-created.json'), true);

    // Assess: what the TKE procedure asks for, per pod CIDR (172.16.0.0/16 and 172.19.0.0/16)
    const expected = [
      'create direct-connect dx-prefix dcg-bgp 172.16.0.0/16 ',
      'create direct-connect dx-prefix dcg-bgp 172.19.0.0/16 ',
      'create direct-connect dx-prefix dcg-static 172.16.0.0/16 ',
      'create direct-connect dx-prefix dcg-static 172.19.0.0/16 ',
      'create direct-connect route rtb-main 10.0.0.0/16 dcg-bgp',
      'create direct-connect route rtb-main 10.2.0.0/16 dcg-static',
      'create vpn route rtb-far 172.16.0.0/16 vpngw-2',
      'create vpn route rtb-far 172.19.0.0/16 vpngw-2',
      'create vpn route rtb-main 10.20.0.0/16 vpngw-1',
      'create vpn vpn-selector vpnx-1 172.16.0.0/16 10.20.0.0/16',
      'create vpn vpn-selector vpnx-1 172.19.0.0/16 10.20.0.0/16',
      'create vpn vpn-selector vpnx-2 10.20.0.0/16 172.16.0.0/16',
      'create vpn vpn-selector vpnx-2 10.20.0.0/16 172.19.0.0/16',
    ].sort();
    expect(withStatus(first.changes, 'applied')).toEqual(expected);
    expect(first.counts.failed).toBe(0);
    // subnet-a is already bound to rtb-main in the sandbox seed
    expect(first.changes.filter((c) => c.kind === 'subnet-association').map((c) => c.status)).toEqual(['unchanged']);
    expect(first.artifacts.map((a) => a.kind)).toContain('idc-static-routes');
    const staticRoutes = readFileSync(first.artifacts.find((a) => a.kind === 'idc-static-routes')!.path, 'utf8');
    expect(staticRoutes).toContain('172.16.0.0/16');
    expect(staticRoutes).toContain('dcg-static');

    expect(replay.counts.applied).toBe(0);
    expect(replay.counts.failed).toBe(0);
    expect(replay.changes.length).toBe(first.changes.length);
    expect(replay.changes.every((c) => c.status === 'unchanged')).toBe(true);
  });

  it('a CIDR change adds entries for the new CIDR and removes only those podreach created for the one that left', async () => {
    // Prepare
    const before = await exportSandbox(runtime.deps.store);
    await runEventReport(runtime, sample('node-added.json'), true);

    // Act
    const report = await runEventReport(runtime, sample('cluster-cidr-changed.json'), true);

    // Assess
    const applied = withStatus(report.changes, 'applied');
    expect(applied.filter((k) => k.startsWith('create')).every((k) => k.includes('172.18.0.0/16'))).toBe(true);
    expect(applied.filter((k) => k.startsWith('delete')).every((k) => k.includes('172.19.0.0/16'))).toBe(true);
    expect(applied.filter((k) => k.startsWith('create'))).toHaveLength(5);
    expect(applied.filter((k) => k.startsWith('delete'))).toHaveLength(5);
    const after = JSON.stringify(await exportSandbox(runtime.deps.store));
    expect(after).not.toContain('172.19.0.0/16');
    expect(after).toContain('172.18.0.0/16');
    // the foreign route seeded in the sandbox is untouched
    expect(JSON.stringify(before)).toContain('10.99.0.0/16');
    expect(after).toContain('10.99.0.0/16');
    expect(after).toContain('pcx-legacy');
  });

  it('records each entry once in the ledger', async () => {
    const rows = await runtime.deps.store.listChanges('cls-demo');
    const ids = rows.map((row) => row.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rows.filter((row) => row.owned).every((row) => row.cidr !== '172.19.0.0/16' && row.peerCidr !== '172.19.0.0/16')).toBe(true);
  });
});
