// Shared ownership (issue 9, reproduction 1): two clusters in one VPC match one profile. Entries they both need
// (VPC routes to the Direct Connect and VPN gateways, the peer VPC's route back) are made once and claimed by
// both; deleting one cluster releases its claims and removes only what no live cluster needs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import type { ClusterEvent } from '../../events/schemas.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import type { RunReport } from '../../functions/cli/report.js';

const sampleText = (name: string) => readFileSync(join('events/samples', name), 'utf8');
const sample = (name: string) => parseClusterEventJson(sampleText(name), name);

/** The sample Cluster Created as another cluster of the same VPC (its own pod CIDR). */
function clusterTwoCreated(): ClusterEvent {
  const event = JSON.parse(sampleText('cluster-created.json')) as { id: string; detail: Record<string, unknown> };
  event.id = 'cls-two-created';
  event.detail.clusterId = 'cls-two';
  event.detail.podCidrs = ['172.24.0.0/16'];
  return parseClusterEventJson(JSON.stringify(event), 'cls-two created');
}

/** The demo profile with a peering section (the peer VPC must route the VPC CIDR back through the peering). */
function profileWithPeering(dir: string): string {
  const profile = parseYaml(readFileSync('examples/profiles/demo.yaml', 'utf8')) as { spec: Record<string, unknown> };
  profile.spec.peering = [{ connectionId: 'pcx-1', peerVpc: { id: 'vpc-peer', cidr: '10.1.0.0/16' }, peerRouteTableIds: ['rtb-peer'] }];
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, stringify(profile));
  return file;
}

describe('Integration: two clusters in one VPC share the entries they both need (dynalite + local state machines + sandbox)', () => {
  let dir: string;
  let runtime: LocalRuntime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-shared-'));
    runtime = await openLocalRuntime({ stateDir: dir, profileFile: profileWithPeering(dir), sandboxFile: 'examples/sandbox/demo.yaml' });
  });
  afterEach(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const routes = async (table: string) =>
    (await runtime.deps.providers.get('sandbox', '').listEntries('route', table)).map((e) => `${e.cidr} -> ${e.nextHop}`).sort();
  const changesOf = (report: RunReport, status: string) => report.changes.filter((change) => change.status === status);

  it('keeps what the live cluster needs when the other is deleted, and removes it with the last one', async () => {
    // Prepare: both clusters created
    const first = await runEventReport(runtime, sample('cluster-created.json'), true);
    const second = await runEventReport(runtime, clusterTwoCreated(), true);
    const shared = ['10.0.0.0/16 -> dcg-bgp', '10.2.0.0/16 -> dcg-static', '10.20.0.0/16 -> vpngw-1'];
    expect(first.counts.failed + second.counts.failed).toBe(0);
    // the second cluster claims the shared routes podreach made for the first: no second create
    expect(second.changes.filter((c) => c.kind === 'route' && c.target === 'rtb-main').map((c) => `${c.status} ${c.reason ?? ''}`)).toEqual(
      shared.map(() => expect.stringMatching(/^unchanged claimed: podreach made it for cls-demo/)),
    );

    // Act: the first cluster is deleted
    const deleted = await runEventReport(runtime, sample('cluster-deleted.json'), true);

    // Assess: the shared routes stay (released, not deleted), the first cluster's own entries go
    expect(deleted.counts.failed).toBe(0);
    expect(await routes('rtb-main')).toEqual(expect.arrayContaining(shared));
    expect(await routes('rtb-peer')).toEqual(['172.24.0.0/16 -> pcx-1', '192.168.0.0/16 -> pcx-1']);
    expect(await routes('rtb-far')).toEqual(['172.24.0.0/16 -> vpngw-2']);
    expect(changesOf(deleted, 'unchanged').filter((c) => c.reason?.startsWith('released: still needed by cls-two'))).toHaveLength(4);
    // a replay of the live cluster's event applies nothing
    const replay = await runEventReport(runtime, clusterTwoCreated(), true);
    expect(replay.counts).toMatchObject({ applied: 0, failed: 0 });
    expect(replay.changes.filter((c) => c.status === 'planned')).toEqual([]);

    // Act: the last cluster is deleted
    const lastEvent = JSON.parse(sampleText('cluster-deleted.json')) as { id: string; detail: Record<string, unknown> };
    lastEvent.id = 'cls-two-deleted';
    lastEvent.detail.clusterId = 'cls-two';
    const last = await runEventReport(runtime, parseClusterEventJson(JSON.stringify(lastEvent), 'cls-two deleted'), true);

    // Assess: the account is as seeded
    expect(last.counts.failed).toBe(0);
    expect(await routes('rtb-main')).toEqual(['10.99.0.0/16 -> pcx-legacy']);
    expect(await routes('rtb-peer')).toEqual([]);
    expect(await routes('rtb-far')).toEqual([]);
  });

  it('shows in state, per entry, the clusters that claim it', async () => {
    // Prepare
    await runEventReport(runtime, sample('cluster-created.json'), true);
    await runEventReport(runtime, clusterTwoCreated(), true);

    // Act
    const rows = await runtime.deps.store.listChanges('cls-two');
    const holding = await runtime.deps.store.getHolding({ provider: 'tencent', region: 'ap-guangzhou', kind: 'route', target: 'rtb-main' }, 'route|rtb-main|10.20.0.0/16||');

    // Assess
    expect(rows.find((row) => row.kind === 'route' && row.cidr === '10.20.0.0/16')).toMatchObject({ owned: true, status: 'unchanged' });
    expect(holding?.claims.map((claim) => `${claim.clusterId}/${claim.flow}`)).toEqual(['cls-demo/vpn', 'cls-two/vpn']);
  });
});
