// `npm run bench`: how long planning takes against a large account. One VPC route table holds 100,000 existing
// routes and a cloud-connect network holds 10,000 CIDRs of other clusters; a cluster with 2 container CIDRs and
// 1,000 nodes is planned (direct-connect + vpn + cloud-connect through planFlow), and its CIDRs are checked for
// conflicts with a CidrIndex over all 110,000 CIDRs. Prints averages in ms; asserts nothing about time.
import { performance } from 'node:perf_hooks';
import { CidrIndex } from '../functions/domain/cidr.js';
import type { ClusterFacts, Flow, NodeFacts, ProviderEntry } from '../functions/domain/model.js';
import { profileSpecSchema } from '../functions/domain/profile.js';
import { planFlow, requiredTargets, targetKey, type PlanContext } from '../functions/domain/planner/index.js';
import type { ProviderQuotas } from '../functions/ports/network-provider.js';

const EXISTING_ROUTES = 100_000;
const OTHER_CLUSTER_CIDRS = 10_000;
const NODES = 1_000;
const RUNS = 5;
const FLOWS: Flow[] = ['direct-connect', 'vpn', 'cloud-connect'];

const QUOTAS: ProviderQuotas = {
  routesPerTable: 200_000,
  rulesPerSecurityGroup: 60,
  prefixesPerDxGateway: 200,
  selectorsPerConnection: 100,
  whitelistEntries: 1000,
};

/** The i-th /24 counted up from a base address (base + i * 256). */
function slash24(base: [number, number], i: number): string {
  const second = base[1] + (i >> 8);
  return `${base[0] + (second >> 8)}.${second & 255}.${i & 255}.0/24`;
}

const nodes: Record<string, NodeFacts> = {};
for (let i = 0; i < NODES; i++) {
  const name = `node-${i}`;
  nodes[name] = { name, ip: `192.168.${1 + (i >> 8)}.${i & 255}`, podCidr: slash24([172, 16], i), labels: {} };
}

const facts: ClusterFacts = {
  clusterId: 'cls-bench',
  provider: 'sandbox',
  region: 'local',
  vpcId: 'vpc-bench',
  networkModel: 'vpc-router',
  podCidrs: ['172.16.0.0/16', '172.20.0.0/16'],
  nodeSubnets: [{ subnetId: 'subnet-a', cidr: '192.168.1.0/24' }],
  nodes,
  deleted: false,
  seen: { created: '2026-01-01T00:00:00Z', podCidrs: '2026-01-01T00:00:00Z', nodes: {} },
};

const profile = profileSpecSchema.parse({
  vpc: { id: 'vpc-bench', cidr: '192.168.0.0/16' },
  directConnect: [{ gatewayId: 'dcg-1', routing: 'bgp', idcCidrs: ['10.0.0.0/16'], routeTableIds: ['rtb-main'] }],
  vpn: [{ connectionId: 'vpnx-1', gatewayId: 'vpngw-1', remoteCidrs: ['10.20.0.0/16'], routeTableIds: ['rtb-main'], subnetIds: ['subnet-a'] }],
  cloudConnect: [{ id: 'ccn-1' }],
});

// The account: 100,000 foreign routes in rtb-main (30.0.0.0/24 upward) and 10,000 other clusters' CIDRs in
// ccn-1 (100.64.0.0/24 upward), one of them overlapping this cluster's 172.20.0.0/16.
const account = { provider: 'sandbox' as const, region: 'local' };
const routes: ProviderEntry[] = [];
for (let i = 0; i < EXISTING_ROUTES; i++) {
  routes.push({ kind: 'route', target: 'rtb-main', cidr: slash24([30, 0], i), nextHop: `pcx-${i % 97}`, nextHopType: 'peering', owner: 'foreign' });
}
const ccnRoutes: ProviderEntry[] = [];
for (let i = 0; i < OTHER_CLUSTER_CIDRS - 1; i++) {
  ccnRoutes.push({ kind: 'cloud-connect-route', target: 'ccn-1', cidr: slash24([100, 64], i), nextHop: `vpc-other-${i % 500}`, nextHopType: 'vpc', enabled: true, owner: 'foreign' });
}
ccnRoutes.push({ kind: 'cloud-connect-route', target: 'ccn-1', cidr: '172.20.5.0/24', nextHop: 'vpc-rival', nextHopType: 'vpc', enabled: true, owner: 'foreign' });

function contextFor(flow: Flow): PlanContext {
  const snapshot = new Map<string, ProviderEntry[]>();
  for (const ref of requiredTargets(facts, profile, flow, [])) {
    const key = targetKey(ref);
    if (ref.kind === 'route' && ref.target === 'rtb-main') snapshot.set(key, routes);
    else if (ref.kind === 'cloud-connect-route' && ref.target === 'ccn-1') snapshot.set(key, ccnRoutes);
    else snapshot.set(key, []);
  }
  return { facts, profile, flow, ledger: [], snapshot, quotas: () => QUOTAS, supports: () => true };
}

function timed<T>(work: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = work();
  return { ms: performance.now() - start, value };
}

function average(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

const fmt = (ms: number) => ms.toFixed(2).padStart(9);

// Warm up once (JIT, module init) so the averages measure steady state; the first run is printed too.
const cold = timed(() => FLOWS.map((flow) => planFlow(contextFor(flow))));

const planMs: Record<string, number[]> = Object.fromEntries(FLOWS.map((flow) => [flow, []]));
const totalPlanMs: number[] = [];
const indexBuildMs: number[] = [];
const conflictQueryMs: number[] = [];
let changes = 0;
const statuses = new Map<string, number>();
let conflicts = 0;

// What the cluster brings that could collide: its container CIDRs and every node's pod CIDR.
const queries = [...facts.podCidrs, ...Object.values(nodes).map((n) => n.podCidr!)];

for (let run = 0; run < RUNS; run++) {
  let total = 0;
  changes = 0;
  statuses.clear();
  for (const flow of FLOWS) {
    const { ms, value } = timed(() => planFlow(contextFor(flow)));
    planMs[flow]!.push(ms);
    total += ms;
    changes += value.changes.length;
    for (const change of value.changes) statuses.set(change.status, (statuses.get(change.status) ?? 0) + 1);
  }
  totalPlanMs.push(total);

  const built = timed(() => new CidrIndex([...routes, ...ccnRoutes].map((entry) => ({ cidr: entry.cidr!, value: entry }))));
  indexBuildMs.push(built.ms);
  const queried = timed(() => queries.reduce((found, cidr) => found + built.value.overlapping(cidr).length, 0));
  conflictQueryMs.push(queried.ms);
  conflicts = queried.value;
}

console.log(`podreach bench: ${EXISTING_ROUTES.toLocaleString('en')} routes in rtb-main, ${OTHER_CLUSTER_CIDRS.toLocaleString('en')} other clusters' CIDRs in ccn-1, ${NODES} nodes`);
console.log(`planning (first run, cold):       ${fmt(cold.ms)} ms for ${FLOWS.join(' + ')}`);
for (const flow of FLOWS) console.log(`planning ${flow.padEnd(15)} (avg of ${RUNS}): ${fmt(average(planMs[flow]!))} ms`);
console.log(`planning total           (avg of ${RUNS}): ${fmt(average(totalPlanMs))} ms  (${changes} changes: ${[...statuses].map(([status, count]) => `${count} ${status}`).join(', ')})`);
console.log(`conflict index build     (avg of ${RUNS}): ${fmt(average(indexBuildMs))} ms  (${(EXISTING_ROUTES + OTHER_CLUSTER_CIDRS).toLocaleString('en')} CIDRs)`);
console.log(`conflict check queries   (avg of ${RUNS}): ${fmt(average(conflictQueryMs))} ms  (${queries.length} CidrIndex.overlapping queries, ${conflicts} overlaps found)`);

// Then the command (`podreach run`), the Lambda bundles and, with --synth, `cdk synth` (scripts/bench-runtime.ts;
// `npm run bench -- --runs N --synth --source-maps`).
const { benchRuntime } = await import('./bench-runtime.js');
await benchRuntime(process.argv.slice(2));
