// The planner, timed (part of `npm run bench`; prints figures, asserts nothing). One VPC route table holds N
// existing routes (100,000, then 1,000,000) and a cloud-connect network 10,000 other clusters' CIDRs; a cluster
// with 2 container CIDRs and 1,000 nodes is planned (direct-connect + vpn + cloud-connect through planFlow). Beside
// it, at 100,000 routes, the naive conflict check: the cluster's 1,002 CIDRs against every entry, pair by pair.
//
// Each size runs in a child process of its own (`tsx scripts/bench-planner.ts --routes N --json`), so the peak RSS
// printed is that size's: the account's entries as an adapter would hand them over, plus the planning.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseCidr } from '../functions/domain/cidr.js';
import type { ClusterFacts, Flow, NodeFacts, ProviderEntry } from '../functions/domain/model.js';
import { profileSpecSchema } from '../functions/domain/profile.js';
import { planFlow, requiredTargets, targetKey, type PlanContext } from '../functions/domain/planner/index.js';
import type { ProviderQuotas } from '../functions/ports/network-provider.js';

const OTHER_CLUSTER_CIDRS = 10_000;
const NODES = 1_000;
const FLOWS: Flow[] = ['direct-connect', 'vpn', 'cloud-connect'];
/** The naive check scans every entry per query; at 1,000,000 routes it takes about a minute, so it runs up to this. */
const NAIVE_UP_TO = 200_000;

const QUOTAS: ProviderQuotas = {
  routesPerTable: 2_000_000,
  rulesPerSecurityGroup: 60,
  prefixesPerDxGateway: 200,
  selectorsPerConnection: 100,
  whitelistEntries: 1000,
};

export interface PlannerFigures {
  routes: number;
  runs: number;
  coldMs: number;
  /** Average per flow, per flow name. */
  flowMs: Record<string, number>;
  changes: number;
  /** Conflicts the plans report, and changes held back by an overlapping entry (the rival CIDR in ccn-1). */
  conflicts: number;
  statuses: Record<string, number>;
  /** Peak RSS once planned: the account's entries as an adapter hands them over, plus the planning. */
  peakRssMb: number;
  naiveMs?: number;
  naiveOverlaps?: number;
}

/** The i-th /24 counted up from a base address (base + i * 256). */
function slash24(base: [number, number], i: number): string {
  const second = base[1] + (i >> 8);
  return `${base[0] + (second >> 8)}.${second & 255}.${i & 255}.0/24`;
}

function timed<T>(work: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = work();
  return { ms: performance.now() - start, value };
}

const average = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

export function measurePlanner(existingRoutes: number, runs: number): PlannerFigures {
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

  // The account: foreign routes in rtb-main (from 30.0.0.0/24 upward) and other clusters' CIDRs in ccn-1 (from
  // 100.64.0.0/24 upward), one of them overlapping this cluster's 172.20.0.0/16.
  const routes: ProviderEntry[] = [];
  for (let i = 0; i < existingRoutes; i++) {
    routes.push({ kind: 'route', target: 'rtb-main', cidr: slash24([30, 0], i), nextHop: `pcx-${i % 97}`, nextHopType: 'peering', owner: 'foreign' });
  }
  const ccnRoutes: ProviderEntry[] = [];
  for (let i = 0; i < OTHER_CLUSTER_CIDRS - 1; i++) {
    ccnRoutes.push({ kind: 'cloud-connect-route', target: 'ccn-1', cidr: slash24([100, 64], i), nextHop: `vpc-other-${i % 500}`, nextHopType: 'vpc', enabled: true, owner: 'foreign' });
  }
  ccnRoutes.push({ kind: 'cloud-connect-route', target: 'ccn-1', cidr: '172.20.5.0/24', nextHop: 'vpc-rival', nextHopType: 'vpc', enabled: true, owner: 'foreign' });

  const contextFor = (flow: Flow): PlanContext => {
    const snapshot = new Map<string, ProviderEntry[]>();
    for (const ref of requiredTargets(facts, profile, flow, [])) {
      const key = targetKey(ref);
      if (ref.kind === 'route' && ref.target === 'rtb-main') snapshot.set(key, routes);
      else if (ref.kind === 'cloud-connect-route' && ref.target === 'ccn-1') snapshot.set(key, ccnRoutes);
      else snapshot.set(key, []);
    }
    return { facts, profile, flow, ledger: [], snapshot, quotas: () => QUOTAS, supports: () => true };
  };

  // The first run (JIT, module init) is printed apart; the averages are of the runs after it.
  const cold = timed(() => FLOWS.map((flow) => planFlow(contextFor(flow))));
  const flowMs: Record<string, number[]> = Object.fromEntries(FLOWS.map((flow) => [flow, []]));
  const statuses: Record<string, number> = {};
  let changes = 0;
  let conflicts = 0;
  for (let run = 0; run < runs; run++) {
    changes = 0;
    conflicts = 0;
    for (const key of Object.keys(statuses)) delete statuses[key];
    for (const flow of FLOWS) {
      const { ms, value } = timed(() => planFlow(contextFor(flow)));
      flowMs[flow]!.push(ms);
      changes += value.changes.length;
      for (const change of value.changes) statuses[change.status] = (statuses[change.status] ?? 0) + 1;
      conflicts += value.conflicts.length + value.changes.filter((change) => change.reason?.includes('overlaps')).length;
    }
  }

  const peakRssMb = process.resourceUsage().maxRSS / 1024;

  // Beside it, the naive conflict check at its best: what the cluster brings that could collide (its container CIDRs
  // and every node's pod CIDR) against every entry, each CIDR parsed once into a numeric range.
  const queries = [...facts.podCidrs, ...Object.values(nodes).map((n) => n.podCidr!)];
  const naive =
    existingRoutes <= NAIVE_UP_TO
      ? timed(() => {
          const range = (cidr: string) => {
            const parsed = parseCidr(cidr)!;
            return [Number(parsed.start), Number(parsed.end)] as const;
          };
          const ranges = [...routes, ...ccnRoutes].map((entry) => range(entry.cidr!));
          let found = 0;
          for (const query of queries) {
            const [start, end] = range(query);
            for (const [from, to] of ranges) if (from <= end && start <= to) found++;
          }
          return found;
        })
      : undefined;

  return {
    routes: existingRoutes,
    runs,
    coldMs: cold.ms,
    flowMs: Object.fromEntries(FLOWS.map((flow) => [flow, average(flowMs[flow]!)])),
    changes,
    conflicts,
    statuses,
    peakRssMb,
    ...(naive ? { naiveMs: naive.ms, naiveOverlaps: naive.value } : {}),
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');

/** Runs one size in a child process and returns its figures. */
export function measurePlannerApart(existingRoutes: number, runs: number): Promise<PlannerFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repo, 'node_modules', '.bin', 'tsx'), [path.join(here, 'bench-planner.ts'), '--routes', String(existingRoutes), '--runs', String(runs), '--json'], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`bench-planner --routes ${existingRoutes}: exit ${code}`));
      else resolve(JSON.parse(stdout) as PlannerFigures);
    });
  });
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The table `npm run bench` prints. */
export function plannerTable(sizes: PlannerFigures[]): string[] {
  const lines: string[] = [];
  for (const figures of sizes) {
    const target = figures.routes >= 1_000_000 ? 300 : 30;
    lines.push(
      `Planning against ${figures.routes.toLocaleString('en')} routes in rtb-main + ${OTHER_CLUSTER_CIDRS.toLocaleString('en')} other clusters' CIDRs in ccn-1, ${NODES.toLocaleString('en')} nodes (average of ${figures.runs} after a cold run)`,
    );
    for (const [flow, value] of Object.entries(figures.flowMs)) lines.push(`  planFlow ${flow.padEnd(36)}${ms(value).padStart(12)}   target ≤ ${target} ms per flow`);
    lines.push(`  ${'first run, cold (all three flows)'.padEnd(45)}${ms(figures.coldMs).padStart(12)}   (${figures.changes} changes: ${Object.entries(figures.statuses).map(([status, count]) => `${count} ${status}`).join(', ')}; ${figures.conflicts} overlap(s) found)`);
    if (figures.naiveMs !== undefined) {
      lines.push(`  ${`naive pairwise check, 1,002 x ${(figures.routes + OTHER_CLUSTER_CIDRS).toLocaleString('en')} CIDRs`.padEnd(45)}${ms(figures.naiveMs).padStart(12)}   ${figures.naiveOverlaps} overlap(s) found`);
    }
    lines.push(`  ${'peak RSS once planned (its own process)'.padEnd(45)}${`${figures.peakRssMb.toFixed(0)} MB`.padStart(12)}${figures.routes >= 1_000_000 ? '   target ≤ 1,024 MB' : ''}`);
  }
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const value = (flag: string, fallback: number) => (argv.includes(flag) ? Number(argv[argv.indexOf(flag) + 1]) : fallback);
  const figures = measurePlanner(value('--routes', 100_000), value('--runs', 5));
  process.stdout.write(argv.includes('--json') ? JSON.stringify(figures) : `${plannerTable([figures]).join('\n')}\n`);
}
