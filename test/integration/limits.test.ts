// A cluster at podreach's bounds runs end to end (2,048 container CIDRs, 5,000 nodes: more than the clouds'
// largest clusters), and one past a bound is refused with exit 2, naming the bound, with nothing recorded.
// The `podreach` command runs in-process (main) against dynalite, the local state machines and the sandbox.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEventJson } from '../../events/parse.js';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { main } from '../../functions/cli/main.js';
import type { RunReport } from '../../functions/cli/report.js';
import { applyEvent } from '../../functions/domain/facts.js';
import { LIMITS } from '../../functions/domain/limits.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function podreach(...args: string[]): Promise<Outcome> {
  const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  let stdout = '';
  let stderr = '';
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'podreach', ...args]), stdout, stderr };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
}

const created = JSON.parse(readFileSync('events/samples/cluster-created.json', 'utf8')) as { detail: Record<string, unknown> };
const nodeAdded = JSON.parse(readFileSync('events/samples/node-added.json', 'utf8')) as { detail: { node: Record<string, unknown> } & Record<string, unknown> };

/** /24s from 100.64.0.0 on: disjoint, outside every network of the demo profile and seed. */
const podCidrs = (count: number) => Array.from({ length: count }, (_, index) => `100.${64 + Math.floor(index / 256)}.${index % 256}.0/24`);

function nodeEvent(index: number) {
  return {
    ...nodeAdded,
    detail: {
      ...nodeAdded.detail,
      node: { name: `node-${index}`, ip: `192.168.${Math.floor(index / 250) + 10}.${(index % 250) + 1}`, subnetId: 'subnet-a', labels: { ASN: '65010', 'topology.kubernetes.io/zone': `ap-guangzhou-${(index % 3) + 3}` } },
      occurredAt: new Date(Date.UTC(2026, 10, 20, 9) + index * 1000).toISOString(),
    },
  };
}

const isMap = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Merges every map of `source` into `target` in place (keys added, nested maps merged, other values from `source`). */
function mergeMaps(target: Record<string, unknown> | object, source: Record<string, unknown> | object): void {
  const into = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    const current = into[key];
    if (isMap(current) && isMap(value)) mergeMaps(current, value);
    else into[key] = value;
  }
}

describe('Limits: a cluster at the bounds', () => {
  let dir: string;
  let state: string;
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(value));
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-limits-'));
    state = join(dir, 'state');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`runs a cluster with ${LIMITS.podCidrsPerCluster} container CIDRs and ${LIMITS.nodesPerCluster} nodes, and refuses one more of each`, async () => {
    // Act 1: a cluster created with as many container CIDRs as a cluster may have
    const createdAtBound = file('created.json', { ...created, detail: { ...created.detail, podCidrs: podCidrs(LIMITS.podCidrsPerCluster) } });
    const first = await podreach('run', createdAtBound, '--profile', 'examples/profiles/demo.yaml', '--sandbox', 'examples/sandbox/demo.yaml', '--state', state, '--json');

    // Assess 1
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('error') });
    const report = JSON.parse(first.stdout) as RunReport;
    expect(report.counts.failed).toBe(0);
    expect(report.counts.applied).toBeGreaterThan(0);

    // Prepare 2: the facts 4,999 Node Added events leave. Each event is folded by the domain into the cluster as it
    // was created and the nodes it adds are merged: the same facts as folding them one after another, without
    // cloning 5,000 nodes 5,000 times.
    const local = await startLocalDynamo(state);
    try {
      const stored = await local.store.getCluster('cls-demo');
      const facts = structuredClone(stored!.facts);
      for (let index = 1; index < LIMITS.nodesPerCluster; index += 1) {
        mergeMaps(facts, applyEvent(stored!.facts, parseClusterEventJson(JSON.stringify(nodeEvent(index)))).facts);
      }
      await local.store.putCluster(facts, stored!.version);
    } finally {
      await local.close();
    }

    // Act 2: the 5,000th node joins
    const atBound = await podreach('run', file('node-at-bound.json', nodeEvent(LIMITS.nodesPerCluster)), '--state', state, '--json');

    // Assess 2
    expect({ code: atBound.code, stderr: atBound.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('error') });
    expect((JSON.parse(atBound.stdout) as RunReport).counts.failed).toBe(0);
    const recorded = await podreach('state', '--state', state, '--cluster', 'cls-demo', '--json');
    const clusters = (JSON.parse(recorded.stdout) as { clusters: { cluster: { nodes: Record<string, unknown>; podCidrs: string[] } }[] }).clusters;
    expect(Object.keys(clusters[0]!.cluster.nodes)).toHaveLength(LIMITS.nodesPerCluster);
    expect(clusters[0]!.cluster.podCidrs).toHaveLength(LIMITS.podCidrsPerCluster);

    // Act / Assess: a replay of the creation at the bounds applies nothing. The local runner fails any state whose
    // input or output passes Step Functions' 256 KiB (States.DataLimitExceeded), so exit 0 here also says every
    // state of these executions stayed inside the limit.
    const replay = await podreach('run', createdAtBound, '--state', state, '--json');
    expect({ code: replay.code, stderr: replay.stderr }).toEqual({ code: 0, stderr: expect.not.stringContaining('error') });
    expect((JSON.parse(replay.stdout) as RunReport).counts).toMatchObject({ applied: 0, failed: 0 });

    // Act 3: one node more, and one container CIDR more
    const overNodes = await podreach('run', file('node-over.json', nodeEvent(LIMITS.nodesPerCluster + 1)), '--state', state, '--json');
    const overCidrs = await podreach(
      'run',
      file('cidrs-over.json', { ...created, 'detail-type': 'Cluster CIDR Changed', detail: { clusterId: 'cls-demo', podCidrs: podCidrs(LIMITS.podCidrsPerCluster + 1), occurredAt: '2026-11-21T00:00:00Z' } }),
      '--state',
      state,
    );

    // Assess 3: refused, naming the bound; nothing recorded
    expect(overNodes.code).toBe(2);
    expect(overNodes.stderr).toContain(`at most ${LIMITS.nodesPerCluster} per cluster`);
    expect(overCidrs.code).toBe(2);
    expect(overCidrs.stderr).toContain(`detail.podCidrs: too many: at most ${LIMITS.podCidrsPerCluster} items`);
    expect((await podreach('state', '--state', state, '--cluster', 'cls-demo', '--json')).stdout).toBe(recorded.stdout);
  }, 300_000);
});
