// A model-based check of podreach's safety promise (issue 9). Generated sequences of events for 1–3 clusters that
// share one VPC and one profile — created, nodes added and removed, CIDRs grown, shrunk and replaced, duplicates,
// reordering, deletion, re-creation — are delivered to the real use cases (ingest, plan, apply, record failure)
// on the real sandbox adapter, with API faults injected and the process "killed" between a provider call and the
// ledger write. The state store is an in-memory fake of our own port and the flow runner follows the state
// machines' Retry / Catch rules, so thousands of sequences run in minutes; the real engine and dynalite are
// exercised by the integration tests.
//
// After every sequence (and a fault-free reconcile pass, as the scheduled reconcile would run) the account must hold
// exactly what the live clusters need (their profile's entries, designed from their facts as the events say in
// time order) plus every foreign entry unchanged; each podreach entry once, marked, held once, claimed by exactly
// the cluster flows that need it; no open ledger row or intent; and a replay makes no mutating call.
import fc from 'fast-check';
import type { ClusterEvent } from '../../events/schemas.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { parseSandboxAccount, seedSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import type { SandboxFaultsInput } from '../../functions/adapters/sandbox/faults.js';
import { faultsSchema, seededRandom } from '../../functions/adapters/sandbox/faults.js';
import { applyChange } from '../../functions/application/apply-change.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { flowsForCluster, ingestEvent } from '../../functions/application/ingest-event.js';
import { loadApplyPage, planStep } from '../../functions/application/plan-flow.js';
import { recordFailure } from '../../functions/application/record-failure.js';
import { summarizeExecution } from '../../functions/application/summarize.js';
import { applyEvent, ClusterDeletedError, UnknownClusterError } from '../../functions/domain/facts.js';
import { RETRYABLE_ERROR_NAMES } from '../../functions/domain/errors.js';
import type { ChangeKind, ClusterFacts, Flow, NetworkEntry, ProviderEntry } from '../../functions/domain/model.js';
import { configuredFlows, designFlow } from '../../functions/domain/planner/index.js';
import { holdingIdentity, identityKey } from '../../functions/domain/planner/identity.js';
import { profileSchema, type ConnectivityProfile } from '../../functions/domain/profile.js';
import type { EntryContext, NetworkProvider, ProviderRegistry } from '../../functions/ports/network-provider.js';
import type { FlowInput } from '../../functions/ports/flow-runner.js';
import { MemoryStateStore } from '../support/memory-store.js';

// ---- the world: one VPC, one profile, a seeded account with foreign entries

export const PROFILE: ConnectivityProfile = profileSchema.parse({
  apiVersion: 'podreach/v1',
  kind: 'ConnectivityProfile',
  metadata: { name: 'fuzz' },
  spec: {
    match: { vpcIds: ['vpc-demo'] },
    vpc: { id: 'vpc-demo', cidr: '192.168.0.0/16' },
    directConnect: [{ gatewayId: 'dcg-1', routing: 'bgp', idcCidrs: ['10.0.0.0/16'], routeTableIds: ['rtb-main'] }],
    vpn: [
      {
        connectionId: 'vpnx-1',
        gatewayId: 'vpngw-1',
        remoteCidrs: ['10.20.0.0/16'],
        routeTableIds: ['rtb-main'],
        opposite: { provider: 'tencent', region: 'ap-shanghai', connectionId: 'vpnx-2', gatewayId: 'vpngw-2', routeTableIds: ['rtb-far'] },
      },
    ],
    peering: [{ connectionId: 'pcx-1', peerVpc: { id: 'vpc-peer', cidr: '10.1.0.0/16' }, peerRouteTableIds: ['rtb-peer'] }],
    securityGroups: [{ id: 'sg-peer', ports: ['tcp:443'] }],
    whitelists: [{ service: 'redis', instanceId: 'dcs-1' }],
  },
});

/** What the account holds before podreach: none of it may change. */
const SEED = parseSandboxAccount({
  apiVersion: 'podreach/v1',
  kind: 'SandboxAccount',
  spec: {
    routeTables: [
      { id: 'rtb-main', routes: [{ destination: '10.99.0.0/16', nextHop: 'pcx-legacy', nextHopType: 'peering' }] },
      { id: 'rtb-peer', routes: [{ destination: '10.66.0.0/16', nextHop: 'pcx-other', nextHopType: 'peering' }] },
      { id: 'rtb-far', routes: [] },
    ],
    vpnConnections: [
      { id: 'vpnx-1', selectors: [{ local: '192.168.0.0/16', remote: '10.77.0.0/16' }] },
      { id: 'vpnx-2', selectors: [] },
    ],
    dxGateways: [{ id: 'dcg-1', prefixes: ['192.168.0.0/16'] }],
    securityGroups: [{ id: 'sg-peer', rules: [{ source: '10.50.0.0/16', port: 'tcp:22' }] }],
    whitelists: [{ target: 'redis:dcs-1', entries: ['10.60.0.0/16'] }],
  },
});

/** Every (kind, target) the profile or the seed names: what the checks read. */
const TARGETS: [ChangeKind, string][] = [
  ['route', 'rtb-main'],
  ['route', 'rtb-peer'],
  ['route', 'rtb-far'],
  ['vpn-selector', 'vpnx-1'],
  ['vpn-selector', 'vpnx-2'],
  ['dx-prefix', 'dcg-1'],
  ['sg-rule', 'sg-peer'],
  ['whitelist-entry', 'redis:dcs-1'],
];

// ---- sequences

const CLUSTERS = ['cls-a', 'cls-b', 'cls-c'] as const;
/** Container CIDRs: equal, nested and disjoint choices across clusters (none conflicts with the networks around). */
const POD_CIDRS = ['172.20.0.0/16', '172.21.0.0/16', '172.20.128.0/17', '172.22.0.0/24'] as const;
const NODES = [
  { name: 'node-1', ip: '192.168.1.10' },
  { name: 'node-2', ip: '192.168.7.11' },
] as const;

export type Step =
  | { kind: 'created'; cluster: string; podCidrs: string[]; model: 'vpc-router' | 'overlay' }
  | { kind: 'cidr'; cluster: string; podCidrs: string[] }
  | { kind: 'node-added'; cluster: string; node: number }
  | { kind: 'node-removed'; cluster: string; node: number }
  | { kind: 'deleted'; cluster: string };

export interface Sequence {
  steps: Step[];
  /** Delivery delay of each step, in steps: a later step may arrive first. */
  delays: number[];
  /** Steps delivered twice. */
  duplicates: number[];
  /** Pairs of deliveries for different clusters that run concurrently. */
  concurrent: boolean;
  faults: SandboxFaultsInput;
  /** Chance that the process dies right before or right after a provider call takes effect. */
  crashRate: number;
}

const cidrs = fc.subarray([...POD_CIDRS], { minLength: 1, maxLength: 2 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('created' as const), cluster: fc.constantFrom(...CLUSTERS), podCidrs: cidrs, model: fc.constantFrom('vpc-router' as const, 'overlay' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cidr' as const), cluster: fc.constantFrom(...CLUSTERS), podCidrs: cidrs }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('node-added' as const), cluster: fc.constantFrom(...CLUSTERS), node: fc.integer({ min: 0, max: NODES.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('node-removed' as const), cluster: fc.constantFrom(...CLUSTERS), node: fc.integer({ min: 0, max: NODES.length - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleted' as const), cluster: fc.constantFrom(...CLUSTERS) }) },
);

export const sequenceArbitrary: fc.Arbitrary<Sequence> = fc
  .array(step, { minLength: 1, maxLength: 10 })
  .chain((steps) =>
    fc.record({
      steps: fc.constant(steps),
      delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: steps.length, maxLength: steps.length }),
      duplicates: fc.subarray(steps.map((_, index) => index), { maxLength: Math.min(2, steps.length) }),
      concurrent: fc.boolean(),
      faults: fc.record({
        seed: fc.integer({ min: 1, max: 1_000_000 }),
        throttle: fc.constantFrom(0, 0.2),
        serverError: fc.constantFrom(0, 0.05),
        lostResponse: fc.constantFrom(0, 0.05, 0.3),
      }),
      crashRate: fc.constantFrom(0, 0.05, 0.2),
    }),
  );

const at = (index: number) => new Date(Date.UTC(2026, 10, 20, 8, index)).toISOString();

function eventOf(item: Step, index: number): ClusterEvent {
  const occurredAt = at(index);
  switch (item.kind) {
    case 'created':
      return {
        detailType: 'Cluster Created',
        detail: {
          clusterId: item.cluster,
          provider: 'tencent',
          region: 'ap-guangzhou',
          vpcId: 'vpc-demo',
          networkModel: item.model,
          podCidrs: item.podCidrs,
          nodeSubnets: [{ subnetId: 'subnet-a', cidr: '192.168.1.0/24' }],
          occurredAt,
        },
      };
    case 'cidr':
      return { detailType: 'Cluster CIDR Changed', detail: { clusterId: item.cluster, podCidrs: item.podCidrs, occurredAt } };
    case 'node-added': {
      const node = NODES[item.node]!;
      return { detailType: 'Node Added', detail: { clusterId: item.cluster, node: { name: node.name, ip: node.ip }, occurredAt } };
    }
    case 'node-removed':
      return { detailType: 'Node Removed', detail: { clusterId: item.cluster, nodeName: NODES[item.node]!.name, occurredAt } };
    case 'deleted':
      return { detailType: 'Cluster Deleted', detail: { clusterId: item.cluster, occurredAt } };
  }
}

/** The delivery order: each step after its delay, duplicates later again; ties in step order. */
export function deliveries(sequence: Sequence): number[] {
  const slots = sequence.steps.map((_, index) => ({ index, slot: index + (sequence.delays[index] ?? 0) }));
  for (const index of sequence.duplicates) slots.push({ index, slot: index + 4 });
  return slots.sort((a, b) => a.slot - b.slot || a.index - b.index).map((s) => s.index);
}

// ---- the system under test, wired as the CLI wires it, with crash points

class Crash extends Error {
  override name = 'SimulatedCrash';
}

/** The sandbox adapter, with the process dying right before or right after a call (as kill -9 would). */
class CrashingProvider implements NetworkProvider {
  readonly name = 'sandbox' as const;
  constructor(
    private readonly inner: SandboxProvider,
    private readonly crash: () => void,
  ) {}
  supports(kind: ChangeKind) {
    return this.inner.supports(kind);
  }
  quotas() {
    return this.inner.quotas();
  }
  listEntries(kind: ChangeKind, target: string) {
    return this.inner.listEntries(kind, target);
  }
  private async around<T>(call: () => Promise<T>): Promise<T> {
    this.crash();
    const result = await call();
    this.crash();
    return result;
  }
  createEntry(entry: NetworkEntry, context: EntryContext) {
    return this.around(() => this.inner.createEntry(entry, context));
  }
  updateEntry(entry: NetworkEntry, context: EntryContext) {
    return this.around(() => this.inner.updateEntry(entry, context));
  }
  deleteEntry(entry: NetworkEntry, context: EntryContext) {
    return this.around(() => this.inner.deleteEntry(entry, context));
  }
}

const RETRYABLE: ReadonlySet<string> = new Set(RETRYABLE_ERROR_NAMES);
/** As the state machines' Retry: the retryable errors, 6 retries (no backoff here). */
async function retried<T>(task: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (!RETRYABLE.has((error as Error).name) || attempt >= 7) throw error;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

interface World {
  store: MemoryStateStore;
  clock: { ms: number };
  process: number;
  mutatingCalls: number;
}

interface Process {
  deps: AppDeps;
  sandbox: SandboxProvider;
}

/** A new "process": fresh adapter instances over the same store and account (what a restart is). */
function start(world: World, sequence: Sequence, withFaults: boolean): Process {
  world.process += 1;
  world.store.failWith = undefined;
  const random = seededRandom((sequence.faults.seed ?? 1) * 7919 + world.process);
  const faults = withFaults ? faultsSchema.parse({ ...sequence.faults, seed: (sequence.faults.seed ?? 1) + world.process }) : null;
  const now = () => new Date((world.clock.ms += 1));
  const sandbox = new SandboxProvider({
    store: world.store,
    faults,
    retry: { baseDelayMs: 0 },
    lease: { ttlSeconds: 30, waitMs: 0, now },
  });
  const crashRate = withFaults ? sequence.crashRate : 0;
  const provider = new CrashingProvider(sandbox, () => {
    if (crashRate > 0 && random() < crashRate / 2) {
      world.store.failWith = new Crash('the process died');
      throw world.store.failWith;
    }
  });
  const providers: ProviderRegistry = { get: () => provider };
  // Concurrent executions in one process: an intent another execution opened within the last minute is live.
  return { deps: { store: world.store, providers, notifier: { notify: async () => undefined }, now, applyingLeaseMs: 60_000 }, sandbox };
}

/**
 * One flow execution as the state machine runs it: Plan (Retry, Catch -> Notify); each lane's pages (LoadPage), each
 * change (Retry, Catch -> RecordFailure).
 */
async function runFlowExecution(input: FlowInput, deps: AppDeps): Promise<'succeeded' | 'failed'> {
  let lanes;
  try {
    lanes = (await retried(() => planStep(input, deps))).lanes;
  } catch (error) {
    if (error instanceof Crash) throw error;
    return 'failed';
  }
  for (const { lane, pages } of lanes) {
    for (let page = 0; page >= 0; ) {
      const loaded = await retried(() => loadApplyPage({ ...input, lane, page, pages }, deps));
      for (const changeId of loaded.changeIds) {
        try {
          await retried(() => applyChange({ clusterId: input.clusterId, executionId: input.executionId, changeId }, deps));
        } catch (error) {
          if (error instanceof Crash) throw error;
          await retried(() => recordFailure({ clusterId: input.clusterId, executionId: input.executionId, changeId, error: { Error: (error as Error).name, Cause: (error as Error).message } }, deps));
        }
      }
      page = loaded.next;
    }
  }
  return (await summarizeExecution(input, deps)).outcome;
}

type Delivery = 'done' | 'ignored' | 'failed' | 'retry' | 'crashed';

/** One event as `podreach run` handles it: fold it into the facts, then run each flow the cluster needs. */
async function deliver(world: World, proc: Process, event: ClusterEvent, runId: string): Promise<Delivery> {
  try {
    const ingest = await ingestEvent(event, proc.deps);
    if (ingest.ignored) return 'ignored';
    let outcome: Delivery = 'done';
    for (const flow of ingest.flows) {
      if ((await runFlowExecution({ clusterId: ingest.clusterId, flow, executionId: `${runId}-${flow}` }, proc.deps)) === 'failed') outcome = 'failed';
    }
    return outcome;
  } catch (error) {
    if (error instanceof UnknownClusterError || error instanceof ClusterDeletedError) return 'retry';
    if (error instanceof Crash || world.store.failWith) return 'crashed';
    throw error;
  }
}

/** Every flow of every known cluster once (the scheduled reconcile). */
async function reconcile(world: World, proc: Process, label: string): Promise<Delivery> {
  let outcome: Delivery = 'done';
  for (const facts of await world.store.listClusters()) {
    const { flows } = await flowsForCluster(facts, world.store);
    for (const flow of flows) {
      try {
        if ((await runFlowExecution({ clusterId: facts.clusterId, flow, executionId: `${label}-${facts.clusterId}-${flow}` }, proc.deps)) === 'failed') outcome = 'failed';
      } catch (error) {
        if (error instanceof Crash) return 'crashed';
        throw error;
      }
    }
  }
  return outcome;
}

// ---- the reference model and the checks

/** The facts the events give in time order (delivery order must not matter). */
function expectedFacts(sequence: Sequence): Map<string, ClusterFacts> {
  const facts = new Map<string, ClusterFacts>();
  sequence.steps.forEach((item, index) => {
    const event = eventOf(item, index);
    try {
      facts.set(item.cluster, applyEvent(facts.get(item.cluster), event).facts);
    } catch (error) {
      // events of a cluster never created (or newer than its deletion with no re-creation) change nothing
      if (!(error instanceof UnknownClusterError || error instanceof ClusterDeletedError)) throw error;
    }
  });
  return facts;
}

const keyOf = (entry: NetworkEntry) => `${entry.kind} ${entry.target} ${identityKey(entry)} -> ${entry.nextHop ?? ''}${entry.enabled === undefined ? '' : ` ${entry.enabled}`}`;

/** What the live clusters need, with who needs it: key -> "cluster/flow" claimants. */
function expectedEntries(facts: Map<string, ClusterFacts>): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  for (const cluster of facts.values()) {
    if (cluster.deleted) continue;
    for (const flow of configuredFlows(PROFILE.spec)) {
      for (const entry of designFlow(cluster, PROFILE.spec, flow).entries) {
        if (entry.blockedReason !== undefined) continue;
        const key = keyOf(entry);
        if (!needed.has(key)) needed.set(key, new Set());
        needed.get(key)!.add(`${cluster.clusterId}/${flow}`);
      }
    }
  }
  return needed;
}

async function accountEntries(sandbox: SandboxProvider): Promise<ProviderEntry[]> {
  const entries: ProviderEntry[] = [];
  for (const [kind, target] of TARGETS) entries.push(...(await sandbox.listEntries(kind, target)));
  return entries;
}

export interface Outcome {
  failures: string[];
  deliveries: number;
  crashes: number;
}

export async function checkSequence(sequence: Sequence, trace?: (line: string) => void): Promise<Outcome> {
  const world: World = { store: new MemoryStateStore(), clock: { ms: Date.UTC(2026, 10, 20, 12) }, process: 0, mutatingCalls: 0 };
  await world.store.putProfile(PROFILE);
  await seedSandbox(world.store, SEED);
  const foreign = (await accountEntries(new SandboxProvider({ store: world.store, faults: null }))).map(keyOf).sort();

  let proc = start(world, sequence, true);
  let crashes = 0;
  const queue = deliveries(sequence).map((index) => ({ index, tries: 0 }));
  let count = 0;
  const failures: string[] = [];
  // Clusters whose last event went through all its flows: what they need must stay in place whatever the others do
  // (checked after every delivery, so a removal a later reconcile would mend is still caught).
  const settled = new Set<string>();
  const checkSettled = async (after: string) => {
    const present = new Set((await accountEntries(new SandboxProvider({ store: world.store, faults: null }))).map(keyOf));
    for (const facts of await world.store.listClusters()) {
      if (!settled.has(facts.clusterId) || facts.deleted) continue;
      for (const key of expectedEntries(new Map([[facts.clusterId, facts]])).keys()) {
        if (!present.has(key)) failures.push(`after ${after}: ${key} is gone while ${facts.clusterId} (settled) needs it`);
      }
    }
  };
  // deliveries, concurrently in pairs for different clusters when the sequence says so
  while (queue.length > 0) {
    const batch = [queue.shift()!];
    const next = queue[0];
    if (sequence.concurrent && next && sequence.steps[next.index]!.cluster !== sequence.steps[batch[0]!.index]!.cluster) batch.push(queue.shift()!);
    count += 1;
    const wasSettled = new Set(settled);
    for (const item of batch) settled.delete(sequence.steps[item.index]!.cluster);
    const outcomes = await Promise.all(batch.map((item) => deliver(world, proc, eventOf(sequence.steps[item.index]!, item.index), `run${count}-${item.index}`)));
    if (outcomes.includes('crashed')) {
      crashes += 1;
      world.clock.ms += 120_000; // the dead process's leases and intents expire
      proc = start(world, sequence, true);
    }
    batch.forEach((item, i) => {
      const cluster = sequence.steps[item.index]!.cluster;
      // an ignored event runs no flow: the cluster stays as settled (or not) as it was
      if (outcomes[i] === 'done' || (outcomes[i] === 'ignored' && wasSettled.has(cluster))) settled.add(cluster);
    });
    if (trace) {
      trace(`delivery ${count}: ${batch.map((item, i) => `#${item.index} ${outcomes[i]}`).join(', ')}`);
      for (const facts of await world.store.listClusters()) {
        for (const row of await world.store.listChanges(facts.clusterId)) trace(`   ${facts.clusterId}${facts.deleted ? ' (deleted)' : ''} ${row.flow} ${row.action} ${row.status} ${row.kind} ${row.target} ${row.cidr ?? ''} ${row.peerCidr ?? ''} owned=${row.owned} ${row.reason ?? ''}`);
      }
      for (const holding of world.store.allHoldings()) trace(`   holding ${holding.kind} ${holding.target} ${holding.identity} ${holding.state} v${holding.version} claims=${holding.claims.map((c) => `${c.clusterId}/${c.flow}`).join(',')}${holding.intent ? ` intent=${holding.intent.action}/${holding.intent.executionId}` : ''}`);
      const sandbox = new SandboxProvider({ store: world.store, faults: null });
      for (const [kind, target] of TARGETS) for (const entry of await sandbox.listEntries(kind, target)) trace(`   account ${keyOf(entry)} ${entry.description ?? ''}`);
    }
    await checkSettled(`delivery ${count} (${batch.map((item) => `#${item.index}`).join(', ')})`);
    batch.forEach((item, i) => {
      const outcome = outcomes[i];
      // a retried event (not created yet, newer than a deletion) comes again later; a failed or killed run is re-run
      if (outcome !== 'done' && outcome !== 'ignored' && item.tries < 4) queue.push({ index: item.index, tries: item.tries + 1 });
    });
  }

  // the scheduled reconcile, without faults, until everything settled
  proc = start(world, sequence, false);
  world.clock.ms += 120_000;
  for (let round = 0; round < 3 && (await reconcile(world, proc, `reconcile${round}`)) !== 'done'; round++);

  const need = expectedEntries(expectedFacts(sequence));
  const actual = await accountEntries(proc.sandbox);
  const actualKeys = actual.map(keyOf).sort();
  const wanted = [...new Set([...foreign, ...need.keys()])].sort();
  const missing = wanted.filter((key) => !actualKeys.includes(key));
  const extra = actualKeys.filter((key) => !wanted.includes(key));
  if (missing.length) failures.push(`missing from the account: ${missing.join('; ')}`);
  if (extra.length) failures.push(`in the account but not needed: ${extra.join('; ')}`);
  if (new Set(actualKeys).size !== actualKeys.length) failures.push('an entry is in the account twice');
  for (const entry of actual) {
    const key = keyOf(entry);
    if (foreign.includes(key) && entry.owner !== 'foreign') failures.push(`foreign entry ${key} carries podreach's mark`);
    if (!foreign.includes(key) && entry.owner !== 'podreach') failures.push(`${key} is not marked as podreach's`);
  }
  const holdings = world.store.allHoldings();
  for (const holding of holdings) {
    if (holding.intent) failures.push(`holding ${holding.target} ${holding.identity} has an open ${holding.state} intent`);
    const key = keyOf(holding.entry);
    const claimants = holding.claims.map((claim) => `${claim.clusterId}/${claim.flow}`).sort();
    const expected = [...(need.get(key) ?? [])].sort();
    if (claimants.join(',') !== expected.join(',')) failures.push(`holding ${key} is claimed by [${claimants.join(', ')}], needed by [${expected.join(', ')}]`);
  }
  for (const key of need.keys()) {
    const [kind, target] = key.split(' ');
    const entry = actual.find((candidate) => keyOf(candidate) === key);
    if (entry && !foreign.includes(key) && !holdings.some((h) => h.kind === kind && h.target === target && h.identity === holdingIdentity(entry))) {
      failures.push(`${key} is podreach's but has no holding`);
    }
  }
  for (const facts of await world.store.listClusters()) {
    for (const row of await world.store.listChanges(facts.clusterId)) {
      if (['planned', 'applying', 'failed'].includes(row.status)) failures.push(`ledger row ${facts.clusterId} ${row.flow} ${row.kind} ${row.target} ${row.cidr ?? ''} is still ${row.status}`);
    }
  }
  // a replay applies nothing
  const before = proc.sandbox.cloud.mutatingCalls();
  await reconcile(world, proc, 'replay');
  const made = proc.sandbox.cloud.mutatingCalls() - before;
  if (made !== 0) failures.push(`a replay made ${made} mutating calls`);
  return { failures, deliveries: count, crashes };
}

/** A readable form of a sequence (what a failure prints to replay it by hand). */
export function describeSequence(sequence: Sequence): string {
  const order = deliveries(sequence);
  const steps = sequence.steps.map((item, index) => {
    const event = eventOf(item, index);
    const extra = item.kind === 'created' || item.kind === 'cidr' ? ` ${item.podCidrs.join(',')}` : item.kind === 'node-added' || item.kind === 'node-removed' ? ` ${NODES[item.node]!.name}` : '';
    return `  #${index} ${event.detail.occurredAt} ${item.cluster} ${event.detailType}${extra}${item.kind === 'created' ? ` (${item.model})` : ''}`;
  });
  return [
    ...steps,
    `  delivered: ${order.map((index) => `#${index}`).join(' ')}${sequence.concurrent ? ' (pairs of clusters concurrently)' : ''}`,
    `  faults: ${JSON.stringify(sequence.faults)}, crash rate ${sequence.crashRate}`,
  ].join('\n');
}

export function sequenceProperty(onRun?: (outcome: Outcome) => void) {
  return fc.asyncProperty(sequenceArbitrary, async (sequence) => {
    const outcome = await checkSequence(sequence);
    onRun?.(outcome);
    if (outcome.failures.length > 0) throw new Error(outcome.failures.join('\n'));
  });
}

export type { Flow };
