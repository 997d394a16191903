// Clean-up (issue 3, item 6): a whole cluster life on the contract-example profile (all six flows) against a
// sandbox seeded with every target the profile names and with foreign entries, one of them holding a
// destination podreach wants. After cluster-deleted the account is exactly what it was before cluster-created.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { exportSandbox, type SandboxAccountSpec } from '../../functions/adapters/sandbox/sandbox-file.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import type { RunReport } from '../../functions/cli/report.js';

const sample = (name: string) => parseClusterEventJson(readFileSync(join('events/samples', name), 'utf8'), name);

// The sample's node-1 (192.168.1.10) is inside subnet-a, so no entry is its own (the BGP edge lists its pod route
// in the switch checklist, an artifact). Here it joins from outside every node subnet (192.168.7.10, subnet-edge):
// the DCS whitelist then admits it as a /32 of its own (security.ts nodeSources), which it must lose on leaving.
const LOOSE_NODE_IP = '192.168.7.10';
const nodeAddedOutsideSubnets = () => {
  const text = readFileSync(join('events/samples', 'node-added.json'), 'utf8');
  const event = JSON.parse(text) as { detail: { node: { ip: string; subnetId?: string } } };
  event.detail.node.ip = LOOSE_NODE_IP;
  event.detail.node.subnetId = 'subnet-edge';
  return parseClusterEventJson(JSON.stringify(event), 'node-added.json (node outside the node subnets)');
};

const SEED = `
apiVersion: podreach/v1
kind: SandboxAccount
spec:
  routeTables:
    - id: rtb-main
      routes:
        - { destination: 10.99.0.0/16, nextHop: pcx-legacy, nextHopType: peering }
        # the VPN's remote network, already routed elsewhere by someone else: podreach's route is blocked
        - { destination: 10.20.0.0/16, nextHop: pcx-foreign, nextHopType: peering }
    - id: rtb-far
      routes: [{ destination: 10.77.0.0/16, nextHop: vpngw-other, nextHopType: vpn-gateway }]
    - id: rtb-peer
      routes: [{ destination: 10.66.0.0/16, nextHop: pcx-other, nextHopType: peering }]
  subnets:
    - { id: subnet-a, cidr: 192.168.1.0/24, routeTableId: rtb-main }
  vpnConnections:
    - id: vpnx-1
      selectors: [{ local: 192.168.0.0/16, remote: 10.20.0.0/16 }]
    - id: vpnx-2
      selectors: []
  dxGateways:
    - { id: dcg-1, prefixes: [192.168.0.0/16] }
  cloudConnect:
    - id: ccn-1
      routes: [{ cidr: 10.50.0.0/16, instanceId: vpc-other, enabled: true }]
  transitRouteTables:
    - id: tr-rt-1
      routes: [{ destination: 172.30.0.0/16, nextHop: vpc-other, nextHopType: vpc }]
    - id: vbr-1
      routes: [{ destination: 10.40.0.0/16, nextHop: 10.0.0.254, nextHopType: core-switch }]
  securityGroups:
    - id: sg-ecs
      rules: [{ source: 192.168.1.0/24, port: "tcp:22" }]
  whitelists:
    - { target: "redis:dcs-1", entries: [192.168.50.0/24] }
`;

describe('Integration: cluster lifecycle clean-up (contract-example profile, seeded sandbox)', () => {
  let dir: string;
  let runtime: LocalRuntime;
  let before: SandboxAccountSpec;
  const reports: Record<string, RunReport> = {};
  /** Each run's BGP switch checklist, read right after the run (a later run rewrites the file). */
  const checklists: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-lifecycle-'));
    const seedFile = join(dir, 'seed.yaml');
    writeFileSync(seedFile, SEED);
    runtime = await openLocalRuntime({ stateDir: join(dir, 'state'), profileFile: 'examples/profiles/contract-example.yaml', sandboxFile: seedFile });
    before = await exportSandbox(runtime.deps.store);
    for (const name of ['cluster-created', 'node-added', 'node-removed', 'cluster-cidr-changed', 'cluster-deleted']) {
      const report = await runEventReport(runtime, name === 'node-added' ? nodeAddedOutsideSubnets() : sample(`${name}.json`), true);
      reports[name] = report;
      const checklist = report.artifacts.find((a) => a.name === 'bgp-switch-checklist-peer-a.yaml');
      checklists[name] = checklist ? readFileSync(checklist.path, 'utf8') : undefined;
    }
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('cluster-created applies every flow and reports the route whose destination a foreign route holds as blocked', () => {
    const created = reports['cluster-created']!;
    expect(created.counts.failed).toBe(0);
    expect(new Set(created.changes.filter((c) => c.status === 'applied').map((c) => c.flow))).toEqual(new Set(['direct-connect', 'vpn', 'cloud-connect', 'peering', 'security', 'bgp-edge']));
    const blocked = created.changes.filter((c) => c.status === 'blocked').sort((a, b) => a.flow.localeCompare(b.flow));
    // The profile itself asks rtb-main for 10.0.0.0/16 twice (Direct Connect to dcg-1, the BGP edge's downlink to
    // tr-rt-1): the first flow's route stands and the second is reported, never overwritten.
    expect(blocked).toEqual([
      expect.objectContaining({ flow: 'bgp-edge', kind: 'route', target: 'rtb-main', cidr: '10.0.0.0/16', nextHop: 'tr-rt-1', action: 'create' }),
      expect.objectContaining({ flow: 'vpn', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1', action: 'create' }),
    ]);
    expect(blocked[0]!.reason).toContain('rtb-main already routes 10.0.0.0/16 to dcg-1');
    expect(blocked[1]!.reason).toBe('rtb-main already routes 10.20.0.0/16 to pcx-foreign, not created by podreach');
  });

  it('node-removed removes only that node\'s entries', () => {
    const added = reports['node-added']!.changes.filter((c) => c.status === 'applied');
    const removed = reports['node-removed']!.changes.filter((c) => c.status === 'applied');
    // node-1 (192.168.7.10, outside subnet-a): only its whitelist /32 is its own
    expect(added.map((c) => `${c.action} ${c.flow} ${c.kind} ${c.target} ${c.cidr ?? ''}`)).toEqual([`create security whitelist-entry redis:dcs-1 ${LOOSE_NODE_IP}/32`]);
    expect(removed.map((c) => `${c.action} ${c.flow} ${c.kind} ${c.target} ${c.cidr ?? ''}`)).toEqual([`delete security whitelist-entry redis:dcs-1 ${LOOSE_NODE_IP}/32`]);
    expect(reports['node-removed']!.changes.filter((c) => c.action === 'delete' && c.status !== 'applied')).toEqual([]);
    expect(reports['node-removed']!.changes.filter((c) => c.status === 'planned' || c.status === 'failed')).toEqual([]);
    // its pod route is an artifact: listed in the switch checklist while it is there, never a change
    expect([...reports['node-added']!.changes, ...reports['node-removed']!.changes].filter((c) => c.kind === 'bgp-peer')).toEqual([]);
    const routes = (name: string) => (parseYaml(checklists[name] ?? '') as { expectedRoutes: unknown[] }).expectedRoutes;
    expect(routes('node-added')).toEqual([{ destination: '172.16.0.0/24', nextHop: LOOSE_NODE_IP, node: 'node-1' }]);
    expect(routes('node-removed')).toEqual([]);
  });

  it('cluster-cidr-changed removes only entries for the CIDR that left (172.19.0.0/16) and adds the new one (172.18.0.0/16)', () => {
    const changed = reports['cluster-cidr-changed']!;
    const deletes = changed.changes.filter((c) => c.action === 'delete');
    const creates = changed.changes.filter((c) => c.action === 'create' && c.status === 'applied');
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.every((c) => c.status === 'applied' && (c.cidr === '172.19.0.0/16' || c.peerCidr === '172.19.0.0/16'))).toBe(true);
    expect(creates.length).toBe(deletes.length);
    expect(creates.every((c) => c.cidr === '172.18.0.0/16' || c.peerCidr === '172.18.0.0/16')).toBe(true);
    expect(new Set(deletes.map((c) => c.flow))).toEqual(new Set(['direct-connect', 'vpn', 'cloud-connect', 'peering', 'security', 'bgp-edge']));
  });

  it('after cluster-deleted the sandbox holds exactly what it held before cluster-created; the foreign entries are untouched', async () => {
    const deleted = reports['cluster-deleted']!;
    expect(deleted.counts.failed).toBe(0);
    expect(deleted.changes.every((c) => c.action === 'delete')).toBe(true);
    const after = await exportSandbox(runtime.deps.store);
    expect(after).toEqual(before);
    expect(after.spec.routeTables.find((t) => t.id === 'rtb-main')!.routes).toContainEqual(expect.objectContaining({ destination: '10.20.0.0/16', nextHop: 'pcx-foreign' }));
  });
});
