// Property: whatever order EventBridge delivers a cluster's events in (with duplicates, and retried events coming
// back later), the facts end as the events in time order make them. Retried events are those applyEvent refuses
// for now (UnknownClusterError, ClusterDeletedError); in time order they are the ones that never apply.
import fc from 'fast-check';
import type { ClusterEvent } from '../../../events/schemas.js';
import { applyEvent, ClusterDeletedError, UnknownClusterError } from '../../../functions/domain/facts.js';
import type { ClusterFacts } from '../../../functions/domain/model.js';

type Op =
  | { kind: 'created'; cidr: number; model: 'overlay' | 'vpc-router' }
  | { kind: 'cidr'; cidr: number }
  | { kind: 'added'; node: number; ip: number }
  | { kind: 'removed'; node: number }
  | { kind: 'deleted' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('created' as const), cidr: fc.integer({ min: 0, max: 3 }), model: fc.constantFrom('overlay' as const, 'vpc-router' as const) }),
  fc.record({ kind: fc.constant('cidr' as const), cidr: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('added' as const), node: fc.integer({ min: 0, max: 2 }), ip: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('removed' as const), node: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('deleted' as const) }),
);

function event(item: Op, minute: number): ClusterEvent {
  const clusterId = 'cls-order';
  const occurredAt = new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString();
  const cidr = (n: number) => `172.${20 + n}.0.0/16`;
  switch (item.kind) {
    case 'created':
      return {
        detailType: 'Cluster Created',
        detail: { clusterId, provider: 'sandbox', region: 'local', vpcId: 'vpc-1', networkModel: item.model, podCidrs: [cidr(item.cidr)], occurredAt },
      };
    case 'cidr':
      return { detailType: 'Cluster CIDR Changed', detail: { clusterId, podCidrs: [cidr(item.cidr)], occurredAt } };
    case 'added':
      return { detailType: 'Node Added', detail: { clusterId, node: { name: `node-${item.node}`, ip: `192.168.1.${item.ip}` }, occurredAt } };
    case 'removed':
      return { detailType: 'Node Removed', detail: { clusterId, nodeName: `node-${item.node}`, occurredAt } };
    case 'deleted':
      return { detailType: 'Cluster Deleted', detail: { clusterId, occurredAt } };
  }
}

/** What the planner reads of the facts (bookkeeping left out). */
function meaning(facts: ClusterFacts | undefined) {
  if (!facts) return 'unknown';
  if (facts.deleted) return 'deleted';
  const nodes = Object.values(facts.nodes).map((node) => `${node.name}@${node.ip}`).sort();
  return { model: facts.networkModel, podCidrs: facts.podCidrs, nodes };
}

function fold(events: ClusterEvent[], retries: number): ClusterFacts | undefined {
  let facts: ClusterFacts | undefined;
  let queue = [...events];
  for (let round = 0; round <= retries && queue.length > 0; round++) {
    const again: ClusterEvent[] = [];
    for (const next of queue) {
      try {
        facts = applyEvent(facts, next).facts;
      } catch (error) {
        if (!(error instanceof UnknownClusterError || error instanceof ClusterDeletedError)) throw error;
        again.push(next);
      }
    }
    queue = again;
  }
  return facts;
}

describe('Function: applyEvent (delivery order)', () => {
  it('ends as time order does, whatever the delivery order, duplicates and retries', () => {
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 12 }).chain((ops) =>
          fc.tuple(fc.constant(ops), fc.shuffledSubarray(ops.map((_, i) => i), { minLength: ops.length, maxLength: ops.length }), fc.subarray(ops.map((_, i) => i))),
        ),
        ([ops, order, duplicates]) => {
          const events = ops.map((item, minute) => event(item, minute));
          const inOrder = fold(events, 0);
          const delivered = fold([...order, ...duplicates].map((index) => events[index]!), ops.length + 2);
          expect(meaning(delivered)).toEqual(meaning(inOrder));
        },
      ),
      { numRuns: Number(process.env.PODREACH_FOLD_RUNS) || 2000 },
    );
  });
});
