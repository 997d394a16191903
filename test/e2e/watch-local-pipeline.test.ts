// `podreach watch --state DIR` runs what it sees through the local pipeline (the code path of `podreach run`):
// after the same cluster history it leaves the same facts and ledger as running the equivalent events by hand.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, runCli } from '../support/cli.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { sleep, startWatch } from '../support/watch-process.js';

// An overlay cluster: the security flow admits each node's IP, Direct Connect advertises the pod CIDRs, so node
// and CIDR events both change the ledger.
const PROFILE = `apiVersion: podreach/v1
kind: ConnectivityProfile
metadata:
  name: watch-idc
spec:
  match: { clusterIds: [cls-watch] }
  vpc: { id: vpc-watch, cidr: 10.0.0.0/16 }
  directConnect:
    - gatewayId: dcg-watch
      routing: bgp
      idcCidrs: [10.200.0.0/16]
      routeTableIds: [rtb-watch]
  securityGroups:
    - id: sg-idc
      ports: ["tcp:443"]
`;

const IDENTITY = { clusterId: 'cls-watch', provider: 'sandbox', region: 'local-1', vpcId: 'vpc-watch', networkModel: 'overlay' } as const;

type Row = Record<string, unknown>;
type StateJson = { clusters: Array<{ cluster: Row; held: Row[]; entries?: Row[] }> };

/** Keys whose values differ between two runs of the same history: times, execution ids, how often a row ran. */
const VOLATILE = new Set(['seen', 'since', 'executionId', 'updatedAt', 'createdAt', 'attempts']);

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !VOLATILE.has(key) && !key.endsWith('At')).map(([key, item]) => [key, stable(item)]));
}

/**
 * `podreach state --json --history` without what differs between two runs of the same history. The watcher runs
 * the flows once per batch, by hand they run once per event, so a ledger row a later run found in place reads
 * `unchanged` by hand and `applied` from the watcher: both mean "in place".
 */
function comparable(state: StateJson) {
  return state.clusters.map(({ cluster, held, entries }) => ({
    facts: stable(cluster),
    held: stable(held),
    ledger: (entries ?? []).map((entry) => {
      const row = stable(entry) as Row;
      return { ...row, status: row['status'] === 'applied' || row['status'] === 'unchanged' ? 'in place' : row['status'] };
    }),
  }));
}

describe('Command: podreach watch --state', () => {
  let dir: string;
  let server: KubeApiServer;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-watch-state-'));
    server = await new KubeApiServer().start([
      { name: 'node-a', ip: '10.0.1.10', podCidrs: ['172.16.0.0/24'] },
      { name: 'node-b', ip: '10.0.1.11', podCidrs: ['172.16.1.0/24'] },
      { name: 'node-c', ip: '10.0.1.12', podCidrs: ['172.16.2.0/24'] },
    ]);
  });

  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends with the same ledger as running the equivalent events by hand', async () => {
    // Prepare
    const kubeconfig = join(dir, 'kubeconfig');
    const profile = join(dir, 'profile.yaml');
    const config = join(dir, 'watch.yaml');
    writeFileSync(kubeconfig, server.kubeconfig());
    writeFileSync(profile, PROFILE);
    writeFileSync(config, `apiVersion: podreach/v1\nkind: WatchConfig\ncluster:\n${Object.entries(IDENTITY).map(([key, value]) => `  ${key}: ${value}`).join('\n')}\n`);
    const watchedState = join(dir, 'watched');
    const handState = join(dir, 'by-hand');

    // Act 1: the watcher sees 3 nodes, then one joins, one leaves, one's pod CIDR changes
    const watcher = startWatch(['--kubeconfig', kubeconfig, '--config', config, '--state', watchedState, '--profile', profile, '--json', '--batch-quiet', '300', '--batch-max', '2000', '--health-port', '0']);
    try {
      await watcher.waitForLines(1, 60_000);
      server.add({ name: 'node-d', ip: '10.0.1.13', podCidrs: ['172.16.3.0/24'] });
      server.remove('node-b');
      server.modify('node-c', (node) => {
        node.spec['podCIDR'] = '172.16.9.0/24';
        node.spec['podCIDRs'] = ['172.16.9.0/24'];
      });
      await watcher.waitForLines(2, 60_000);
      await sleep(2500);
    } finally {
      expect(await watcher.stop('SIGTERM')).toBe(0);
    }
    const reports = watcher.lines as Array<{ clusterId: string; counts: { failed: number; applied: number } }>;

    // Act 2: the same history as events by hand, one `podreach run` each
    const at = (minute: number) => `2026-11-20T08:${String(minute).padStart(2, '0')}:00Z`;
    const events = [
      { 'detail-type': 'Cluster Created', detail: { ...IDENTITY, podCidrs: ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24'], occurredAt: at(0) } },
      { 'detail-type': 'Node Added', detail: { clusterId: 'cls-watch', node: { name: 'node-a', ip: '10.0.1.10', podCidr: '172.16.0.0/24', labels: { 'kubernetes.io/hostname': 'node-a' } }, occurredAt: at(0) } },
      { 'detail-type': 'Node Added', detail: { clusterId: 'cls-watch', node: { name: 'node-b', ip: '10.0.1.11', podCidr: '172.16.1.0/24', labels: { 'kubernetes.io/hostname': 'node-b' } }, occurredAt: at(0) } },
      { 'detail-type': 'Node Added', detail: { clusterId: 'cls-watch', node: { name: 'node-c', ip: '10.0.1.12', podCidr: '172.16.2.0/24', labels: { 'kubernetes.io/hostname': 'node-c' } }, occurredAt: at(0) } },
      { 'detail-type': 'Cluster CIDR Changed', detail: { clusterId: 'cls-watch', podCidrs: ['172.16.0.0/24', '172.16.3.0/24', '172.16.9.0/24'], occurredAt: at(5) } },
      { 'detail-type': 'Node Removed', detail: { clusterId: 'cls-watch', nodeName: 'node-b', occurredAt: at(5) } },
      { 'detail-type': 'Node Added', detail: { clusterId: 'cls-watch', node: { name: 'node-c', ip: '10.0.1.12', podCidr: '172.16.9.0/24', labels: { 'kubernetes.io/hostname': 'node-c' } }, occurredAt: at(5) } },
      { 'detail-type': 'Node Added', detail: { clusterId: 'cls-watch', node: { name: 'node-d', ip: '10.0.1.13', podCidr: '172.16.3.0/24', labels: { 'kubernetes.io/hostname': 'node-d' } }, occurredAt: at(5) } },
    ];
    for (const [index, event] of events.entries()) {
      const file = join(dir, `event-${index}.json`);
      writeFileSync(file, JSON.stringify({ source: 'podreach.cluster', ...event }));
      const run = await runCli(['run', file, '--state', handState, ...(index === 0 ? ['--profile', profile] : []), '--json']);
      expect([index, run.code, run.stderr]).toEqual([index, 0, '']);
    }

    // Assess
    expect(reports).toHaveLength(2);
    expect(reports.map((report) => [report.clusterId, report.counts.failed])).toEqual([
      ['cls-watch', 0],
      ['cls-watch', 0],
    ]);
    const watched = parseJson<StateJson>(await runCli(['state', '--state', watchedState, '--json', '--history']));
    const byHand = parseJson<StateJson>(await runCli(['state', '--state', handState, '--json', '--history']));
    expect(comparable(watched)).toEqual(comparable(byHand));
    // not trivially equal: the nodes' IPs are held in the security group (node-b's gone), the pod CIDRs on the gateway
    const held = watched.clusters[0]?.held ?? [];
    expect(held.filter((row) => row['kind'] === 'sg-rule').map((row) => row['cidr']).sort()).toEqual(['10.0.1.10/32', '10.0.1.12/32', '10.0.1.13/32']);
    expect(held.filter((row) => row['kind'] === 'dx-prefix').map((row) => row['cidr']).sort()).toEqual(['172.16.0.0/24', '172.16.3.0/24', '172.16.9.0/24']);
  }, 240_000);
});
