// `podreach watch` as a child process against a Kubernetes API server on 127.0.0.1 speaking list / watch
// (chunked watch events, bookmarks, 410 Gone): the events it prints, what it asks the server, a restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEvent } from '../../events/parse.js';
import { KubeApiServer, type NodeSpec } from '../support/kube-api-server.js';
import { sleep, startWatch, type WatchProcess } from '../support/watch-process.js';

const THREE_NODES: NodeSpec[] = [
  { name: 'node-a', ip: '10.0.1.10', podCidrs: ['172.16.0.0/24'], labels: { ASN: '65010' } },
  { name: 'node-b', ip: '10.0.1.11', podCidrs: ['172.16.1.0/24'] },
  { name: 'node-c', ip: '10.0.1.12', podCidrs: ['172.16.2.0/24'] },
];

const IDENTITY = ['--cluster-id', 'cls-watch', '--provider', 'aws', '--region', 'us-east-1', '--vpc-id', 'vpc-watch', '--network-model', 'overlay'];
// Short windows keep the test quick; what a batch holds does not depend on them.
const TIMING = ['--batch-quiet', '300', '--batch-max', '1500', '--health-port', '0'];
/** Longer than a batch window: enough for anything pending to have been printed. */
const SETTLE_MS = 2500;

/** The printed lines as [detail-type, detail without occurredAt], each validated by events/parse.ts. */
function summary(lines: unknown[]) {
  return lines.map((line) => {
    const event = parseClusterEvent(line);
    const { occurredAt: _at, ...detail } = event.detail as { occurredAt: string };
    return [event.detailType, detail];
  });
}

/** A change that is not a node (a Lease) moves the server's resourceVersion on. */
async function bumpResourceVersion(server: KubeApiServer): Promise<void> {
  const lease = await fetch(`${server.url}/apis/coordination.k8s.io/v1/namespaces/other/leases`, {
    method: 'POST',
    body: JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: `bump-${server.resourceVersion}` }, spec: {} }),
  });
  expect(lease.status).toBe(201);
}

async function readyz(watch: WatchProcess): Promise<{ code: number; body: Record<string, unknown> }> {
  const response = await fetch(`${await watch.healthUrl()}/readyz`);
  return { code: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('Command: podreach watch', () => {
  let dir: string;
  let server: KubeApiServer;
  let kubeconfig: string;
  const running: WatchProcess[] = [];

  const watch = (...extra: string[]) => {
    const child = startWatch(['--kubeconfig', kubeconfig, ...IDENTITY, ...TIMING, '--dry-run', ...extra]);
    running.push(child);
    return child;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-watch-'));
    server = await new KubeApiServer().start(THREE_NODES);
    kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig());
  });

  afterEach(async () => {
    for (const child of running.splice(0)) await child.stop('SIGKILL');
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists 3 nodes, then sends exactly the events of one node added, one removed and one pod CIDR changed', async () => {
    // Prepare
    const watcher = watch();
    const first = await watcher.waitForLines(4);

    // Act
    server.add({ name: 'node-d', ip: '10.0.1.13', podCidrs: ['172.16.3.0/24'] });
    server.remove('node-b');
    server.modify('node-c', (node) => {
      node.spec['podCIDR'] = '172.16.9.0/24';
      node.spec['podCIDRs'] = ['172.16.9.0/24'];
    });
    await watcher.waitForLines(8);
    await sleep(SETTLE_MS);

    // Assess
    expect(summary(first)).toEqual([
      ['Cluster Created', { clusterId: 'cls-watch', provider: 'aws', region: 'us-east-1', vpcId: 'vpc-watch', networkModel: 'overlay', podCidrs: ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24'] }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-a', ip: '10.0.1.10', podCidr: '172.16.0.0/24', labels: { ASN: '65010', 'kubernetes.io/hostname': 'node-a' } } }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-b', ip: '10.0.1.11', podCidr: '172.16.1.0/24', labels: { 'kubernetes.io/hostname': 'node-b' } } }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-c', ip: '10.0.1.12', podCidr: '172.16.2.0/24', labels: { 'kubernetes.io/hostname': 'node-c' } } }],
    ]);
    expect(summary(watcher.lines.slice(4))).toEqual([
      ['Cluster CIDR Changed', { clusterId: 'cls-watch', podCidrs: ['172.16.0.0/24', '172.16.3.0/24', '172.16.9.0/24'] }],
      ['Node Removed', { clusterId: 'cls-watch', nodeName: 'node-b' }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-c', ip: '10.0.1.12', podCidr: '172.16.9.0/24', labels: { 'kubernetes.io/hostname': 'node-c' } } }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-d', ip: '10.0.1.13', podCidr: '172.16.3.0/24', labels: { 'kubernetes.io/hostname': 'node-d' } } }],
    ]);
    // one batch: every event of it carries the same instant
    expect(new Set(watcher.lines.slice(4).map((line) => (line as { detail: { occurredAt: string } }).detail.occurredAt)).size).toBe(1);
    // one list, then watches from its resourceVersion asking for bookmarks
    expect(server.lists()).toHaveLength(1);
    expect(server.watches()[0]?.query).toMatchObject({ resourceVersion: '1003', allowWatchBookmarks: 'true' });
    expect((await readyz(watcher)).code).toBe(200);
  });

  it('emits nothing for 100 node updates that change nothing podreach uses', async () => {
    // Prepare
    const watcher = watch();
    await watcher.waitForLines(4);

    // Act: heartbeats, annotations and a taint: the MODIFIED events a busy cluster sends all day
    for (let index = 0; index < 100; index += 1) {
      const name = THREE_NODES[index % 3]?.name ?? 'node-a';
      server.modify(name, (node) => {
        (node.status['conditions'] as Array<Record<string, string>>)[0]!['lastHeartbeatTime'] = new Date(Date.UTC(2026, 10, 20, 8, 0, index)).toISOString();
        (node.metadata['annotations'] as Record<string, string>)['podreach.test/tick'] = String(index);
        node.spec['unschedulable'] = index % 2 === 0;
      });
    }
    await sleep(SETTLE_MS);

    // Assess
    expect(watcher.lines).toHaveLength(4);
    const { body } = await readyz(watcher);
    expect(body).toMatchObject({ batches: 1, eventsSent: 4, resourceVersion: server.resourceVersion });
  });

  it('relists on 410 Gone without sending anything twice, and sends what changed while the watch was gone', async () => {
    // Prepare
    const watcher = watch();
    await watcher.waitForLines(4);

    // Act 1: the watch expires (410), nothing changed meanwhile
    server.compact();
    server.expireWatches();
    await sleep(SETTLE_MS);

    // Assess 1
    expect(server.lists()).toHaveLength(2);
    expect(watcher.lines).toHaveLength(4);

    // Act 2: the watch ends (server timeout); a node leaves and history is compacted before the client is back
    server.closeWatches();
    server.remove('node-a');
    server.compact();
    await watcher.waitForLines(6);
    await sleep(SETTLE_MS);

    // Assess 2: the re-watch from the old resourceVersion met 410, the relist found node-a gone
    expect(summary(watcher.lines.slice(4))).toEqual([
      ['Cluster CIDR Changed', { clusterId: 'cls-watch', podCidrs: ['172.16.1.0/24', '172.16.2.0/24'] }],
      ['Node Removed', { clusterId: 'cls-watch', nodeName: 'node-a' }],
    ]);
    expect(server.lists().length).toBeGreaterThanOrEqual(3);
  });

  it('watches again when the server ends a watch at its timeoutSeconds; restarts a silent (dead) one from its resourceVersion', async () => {
    // Prepare: each watch asks the server to end it after 1 s; a silent one is dead after 1 s + 0.5 s of grace
    const watcher = watch('--watch-timeout', '1');
    await watcher.waitForLines(4);

    // Act 1: the server ends each watch after 1 s, as kube-apiserver does
    await sleep(2500);

    // Assess 1: new watches from the list's resourceVersion, no relist, no stall, nothing sent again
    const ended = server.watches();
    expect(ended.length).toBeGreaterThanOrEqual(2);
    for (const request of ended) expect(request.query).toMatchObject({ timeoutSeconds: '1', resourceVersion: '1003' });
    expect(watcher.stderr()).not.toMatch(/WatchStalledError/);

    // Act 2: the connection dies without a word (the server holds watches open and sends nothing, not even what
    // changed); a node joins meanwhile; the connection comes back
    server.silentWatches = true;
    server.closeWatches();
    server.add({ name: 'node-d', ip: '10.0.1.13', podCidrs: ['172.16.3.0/24'] });
    await watcher.waitForLog(/watch error: WatchStalledError: nothing heard for 2 s .*; retrying in \d+ ms/, 10_000);
    const silent = server.watches().length;
    server.silentWatches = false;
    await watcher.waitForLines(6, 15_000);
    await sleep(SETTLE_MS);

    // Assess 2: the restart watched again from the last resourceVersion (no relist) and sent node-d once
    expect(server.lists()).toHaveLength(1);
    expect(server.watches()[silent]?.query).toMatchObject({ resourceVersion: '1003', timeoutSeconds: '1' });
    expect(summary(watcher.lines.slice(4))).toEqual([
      ['Cluster CIDR Changed', { clusterId: 'cls-watch', podCidrs: ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24', '172.16.3.0/24'] }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-d', ip: '10.0.1.13', podCidr: '172.16.3.0/24', labels: { 'kubernetes.io/hostname': 'node-d' } } }],
    ]);
    expect((await readyz(watcher)).code).toBe(200);
  }, 60_000);

  it('follows bookmarks: the resourceVersion advances without a node event', async () => {
    // Prepare
    const watcher = watch();
    await watcher.waitForLines(4);
    const before = (await readyz(watcher)).body['resourceVersion'];
    await bumpResourceVersion(server);

    // Act
    server.bookmark();
    await sleep(500);

    // Assess
    expect(before).toBe('1003');
    expect((await readyz(watcher)).body['resourceVersion']).toBe(server.resourceVersion);
    expect(watcher.lines).toHaveLength(4);
  });

  it('backs off and retries when the API server fails, and is not ready until it has listed', async () => {
    // Prepare
    server.failNext = 3;

    // Act
    const watcher = watch();
    const url = await watcher.healthUrl();
    const early = await fetch(`${url}/readyz`);
    await watcher.waitForLines(4);

    // Assess
    expect([200, 503]).toContain(early.status);
    if (early.status === 200) expect(server.failNext).toBe(0);
    expect(watcher.stderr()).toMatch(/watch error: .*; retrying in \d+ ms/);
    expect(server.lists().length).toBe(4);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('resumes after a restart from the saved resourceVersion without re-sending, and sends what changed while it was down', async () => {
    // Prepare
    const stateFile = join(dir, 'watch-state.json');
    const first = watch('--watch-state', stateFile);
    await first.waitForLines(4);
    expect(await first.stop('SIGTERM')).toBe(0);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { resourceVersion: string; emitted: { podCidrs: string[] } };
    expect(saved.resourceVersion).toBe('1003');

    // Act 1: restart with nothing changed
    const second = watch('--watch-state', stateFile);
    await second.waitForLog(/synced/);
    await sleep(SETTLE_MS);

    // Assess 1: no list at all (the watch resumed from 1003), nothing printed
    expect(second.lines).toEqual([]);
    expect(server.lists()).toHaveLength(1);
    expect(server.watches().at(-1)?.query['resourceVersion']).toBe('1003');
    expect(await second.stop('SIGINT')).toBe(0);

    // Act 2: a node joins while no watcher runs
    server.add({ name: 'node-e', ip: '10.0.1.14', podCidrs: ['172.16.4.0/24'] });
    const third = watch('--watch-state', stateFile);
    await third.waitForLines(2);
    await sleep(SETTLE_MS);

    // Assess 2
    expect(summary(third.lines)).toEqual([
      ['Cluster CIDR Changed', { clusterId: 'cls-watch', podCidrs: ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24', '172.16.4.0/24'] }],
      ['Node Added', { clusterId: 'cls-watch', node: { name: 'node-e', ip: '10.0.1.14', podCidr: '172.16.4.0/24', labels: { 'kubernetes.io/hostname': 'node-e' } } }],
    ]);
    expect(await third.stop('SIGTERM')).toBe(0);

    // Act 3: restart after the saved resourceVersion was compacted away: 410, relist, still nothing re-sent
    await bumpResourceVersion(server);
    server.compact();
    const fourth = watch('--watch-state', stateFile);
    await fourth.waitForLog(/synced/);
    await sleep(SETTLE_MS);

    // Assess 3
    expect(fourth.lines).toEqual([]);
    expect(server.lists()).toHaveLength(2);
    expect(fourth.stderr()).not.toMatch(/sent \d+ event/);
  });

  it('sends the pending batch on SIGTERM before it exits', async () => {
    // Prepare: a long quiet window, so only the shutdown can send the batch
    const watcher = startWatch(['--kubeconfig', kubeconfig, ...IDENTITY, '--dry-run', '--batch-quiet', '60000', '--batch-max', '60000', '--health-port', '0']);
    running.push(watcher);
    await watcher.waitForLines(4);

    // Act
    server.remove('node-c');
    await sleep(500);
    const code = await watcher.stop('SIGTERM');

    // Assess
    expect(code).toBe(0);
    expect(summary(watcher.lines.slice(4))).toEqual([
      ['Cluster CIDR Changed', { clusterId: 'cls-watch', podCidrs: ['172.16.0.0/24', '172.16.1.0/24'] }],
      ['Node Removed', { clusterId: 'cls-watch', nodeName: 'node-c' }],
    ]);
  });

  it('refuses bad identity input with exit 2, naming the field, and contacts nobody', async () => {
    // Prepare
    const config = join(dir, 'watch.yaml');
    writeFileSync(config, 'cluster:\n  clusterId: cls-watch\n  provider: gcp\n');

    // Act
    const badProvider = startWatch(['--kubeconfig', kubeconfig, '--config', config, '--region', 'r', '--vpc-id', 'v', '--network-model', 'overlay', '--dry-run']);
    const missing = startWatch(['--kubeconfig', kubeconfig, '--cluster-id', 'cls-watch', '--dry-run']);
    const noOutput = startWatch(['--kubeconfig', kubeconfig, ...IDENTITY]);
    const noTimeout = startWatch(['--kubeconfig', kubeconfig, ...IDENTITY, '--dry-run', '--watch-timeout', '0']);

    // Assess
    expect(await badProvider.exited).toBe(2);
    expect(badProvider.stderr()).toMatch(/watch\.yaml: cluster\.provider: Invalid option/);
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toMatch(/cluster identity: provider: required \(set --provider, or cluster\.provider in --config\)/);
    expect(await noOutput.exited).toBe(2);
    expect(noOutput.stderr()).toMatch(/choose exactly one output/);
    expect(await noTimeout.exited).toBe(2);
    expect(noTimeout.stderr()).toMatch(/--watch-timeout: expected an integer >= 1, got "0"/);
    expect(server.requests).toEqual([]);
  });

  it('holds a Lease while it watches (leader election) and hands it back on shutdown', async () => {
    // Prepare
    const args = ['--leader-elect', '--lease-namespace', 'podreach', '--lease-name', 'podreach-watch'];

    // Act
    const leader = watch(...args, '--lease-identity', 'pod-a');
    await leader.waitForLines(4);
    const standby = watch(...args, '--lease-identity', 'pod-b');
    await standby.waitForLog(/waiting for the lease podreach\/podreach-watch/);
    await sleep(1000);
    const held = server.lease('podreach', 'podreach-watch') as { spec: { holderIdentity: string } } | undefined;
    expect(await leader.stop('SIGTERM')).toBe(0);
    const released = server.lease('podreach', 'podreach-watch') as { spec: { holderIdentity: string } } | undefined;
    await standby.waitForLog(/leading/, 20_000);
    await standby.waitForLog(/synced/);

    // Assess
    expect(held?.spec.holderIdentity).toBe('pod-a');
    expect(standby.lines).toHaveLength(4);
    expect(released?.spec.holderIdentity).toBe('');
    expect((await readyz(standby)).body['leader']).toBe(true);
  });
});
