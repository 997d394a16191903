// The pure core of `podreach watch`: node facts, the cluster view, the diff to events, batching and backoff.
import fc from 'fast-check';
import { parseClusterEvent } from '../../../events/parse.js';
import type { ClusterEvent } from '../../../events/schemas.js';
import { cidrUnion } from '../../../functions/domain/cidr.js';
import { applyEvent } from '../../../functions/domain/facts.js';
import type { ClusterFacts } from '../../../functions/domain/model.js';
import {
  backoffDelay,
  buildView,
  diffViews,
  flushAt,
  noteChange,
  parseWatchConfig,
  resolveIdentity,
  watchedNode,
  type ClusterIdentity,
  type NodeObject,
} from '../../../functions/domain/node-watch.js';

const identity: ClusterIdentity = { clusterId: 'cls-w', provider: 'aws', region: 'us-east-1', vpcId: 'vpc-1', networkModel: 'overlay' };
const AT = '2026-11-20T08:00:00.000Z';

function node(name: string, ip: string, podCidrs: string[] = [], labels: Record<string, string> = {}, extra: Partial<NodeObject> = {}): NodeObject {
  return {
    metadata: { name, labels, resourceVersion: '1' },
    spec: podCidrs.length ? { podCIDR: podCidrs[0] ?? '', podCIDRs: podCidrs } : {},
    status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] },
    ...extra,
  };
}

describe('Function: watchedNode', () => {
  it('takes the InternalIP, the pod CIDRs (normalised, primary first) and the labels', () => {
    expect(watchedNode(node('n1', '10.0.0.1', ['172.16.0.1/24', 'fd00::/64'], { b: '2', a: '1' }))).toEqual({
      name: 'n1',
      ip: '10.0.0.1',
      podCidrs: ['172.16.0.0/24', 'fd00::/64'],
      labels: { a: '1', b: '2' },
    });
  });

  it('falls back to ExternalIP and to spec.podCIDR, and keeps only the selected labels', () => {
    const object: NodeObject = { metadata: { name: 'n2', labels: { ASN: '65010', zone: 'a' } }, spec: { podCIDR: '172.16.5.0/24' }, status: { addresses: [{ type: 'ExternalIP', address: '203.0.113.5' }] } };
    expect(watchedNode(object, { labelKeys: ['ASN'] })).toEqual({ name: 'n2', ip: '203.0.113.5', podCidrs: ['172.16.5.0/24'], labels: { ASN: '65010' } });
  });

  it('skips a node without a usable IP (reported once it has one) and drops invalid CIDRs', () => {
    expect(watchedNode({ metadata: { name: 'n3' }, status: { addresses: [{ type: 'InternalIP', address: 'not-an-ip' }] } })).toBeUndefined();
    expect(watchedNode(node('n4', '10.0.0.4', ['garbage']))?.podCidrs).toEqual([]);
  });
});

describe('Function: cidrUnion', () => {
  it('drops CIDRs contained in another one and sorts', () => {
    expect(cidrUnion(['172.16.1.0/24', '172.16.0.0/16', '10.0.0.0/24', '172.16.0.0/16'])).toEqual(['10.0.0.0/24', '172.16.0.0/16']);
  });

  it('keeps every address of the input and no CIDR inside another (property)', () => {
    const cidr = fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 16, max: 26 })).map(([b, c, prefix]) => `10.${b}.${c}.0/${prefix}`);
    fc.assert(
      fc.property(fc.array(cidr, { maxLength: 20 }), (cidrs) => {
        const union = cidrUnion(cidrs.map((text) => buildView({ ...identity, podCidrs: [text] }, []).podCidrs[0] ?? text));
        for (const a of union) for (const b of union) if (a !== b) expect(cidrUnion([a, b])).toHaveLength(2);
        const normalised = cidrs.map((text) => buildView({ ...identity, podCidrs: [text] }, []).podCidrs[0] ?? text);
        for (const text of normalised) expect(union.some((outer) => cidrUnion([outer, text]).length === 1 && cidrUnion([outer, text])[0] === outer)).toBe(true);
      }),
    );
  });
});

describe('Function: diffViews', () => {
  const three = [node('a', '10.0.0.1', ['172.16.0.0/24']), node('b', '10.0.0.2', ['172.16.1.0/24']), node('c', '10.0.0.3', ['172.16.2.0/24'])];

  it('creates the cluster and adds every node the first time', () => {
    // Act
    const diff = diffViews(undefined, buildView(identity, three), AT);

    // Assess
    expect(diff.events.map((event) => event.detailType)).toEqual(['Cluster Created', 'Node Added', 'Node Added', 'Node Added']);
    expect(diff.events[0]?.detail).toEqual({ ...identity, podCidrs: ['172.16.0.0/24', '172.16.1.0/24', '172.16.2.0/24'], occurredAt: AT });
  });

  it('sends nothing when nothing podreach uses changed', () => {
    const first = diffViews(undefined, buildView(identity, three), AT);
    const touched = three.map((object) => ({ ...object, metadata: { ...object.metadata, resourceVersion: '99' }, status: { ...object.status, conditions: [] } }) as NodeObject);
    expect(diffViews(first.emitted, buildView(identity, touched), AT).events).toEqual([]);
  });

  it('sends CIDR Changed, then removals, then additions (a changed node is added again)', () => {
    const first = diffViews(undefined, buildView(identity, three), AT);
    const next = [node('a', '10.0.0.1', ['172.16.0.0/24']), node('c', '10.0.0.3', ['172.16.9.0/24']), node('d', '10.0.0.4', ['172.16.3.0/24'])];
    const diff = diffViews(first.emitted, buildView(identity, next), AT);
    expect(diff.events.map((event) => [event.detailType, 'nodeName' in event.detail ? event.detail.nodeName : 'node' in event.detail ? event.detail.node.name : '-'])).toEqual([
      ['Cluster CIDR Changed', '-'],
      ['Node Removed', 'b'],
      ['Node Added', 'c'],
      ['Node Added', 'd'],
    ]);
  });

  it('does not send a CIDR change for node CIDRs inside the configured cluster CIDR', () => {
    const configured = { ...identity, podCidrs: ['172.16.0.0/16'] };
    const first = diffViews(undefined, buildView(configured, three), AT);
    const diff = diffViews(first.emitted, buildView(configured, [...three, node('d', '10.0.0.4', ['172.16.3.0/24'])]), AT);
    expect(diff.events.map((event) => event.detailType)).toEqual(['Node Added']);
    expect(first.events[0]?.detail).toMatchObject({ podCidrs: ['172.16.0.0/16'] });
  });

  it('waits (sends nothing) while no pod CIDR is known, and keeps the last list when every node is gone', () => {
    expect(diffViews(undefined, buildView(identity, [node('a', '10.0.0.1')]), AT)).toMatchObject({ events: [], waiting: expect.stringMatching(/no pod CIDR/) });
    const first = diffViews(undefined, buildView(identity, three), AT);
    const empty = diffViews(first.emitted, buildView(identity, []), AT);
    expect(empty.events.map((event) => event.detailType)).toEqual(['Node Removed', 'Node Removed', 'Node Removed']);
    expect(empty.emitted?.podCidrs).toEqual(first.emitted?.podCidrs);
  });

  it('creates the cluster again when its identity changed, and starts afresh for another cluster id', () => {
    const first = diffViews(undefined, buildView(identity, three), AT);
    expect(diffViews(first.emitted, buildView({ ...identity, vpcId: 'vpc-2' }, three), AT).events.map((event) => event.detailType)).toEqual(['Cluster Created']);
    const other = diffViews(first.emitted, buildView({ ...identity, clusterId: 'cls-other' }, three), AT);
    expect(other.events.map((event) => event.detailType)).toEqual(['Cluster Created', 'Node Added', 'Node Added', 'Node Added']);
  });

  // Property: whatever the history of node sets, folding every batch's events into podreach's facts gives the
  // facts of the last view; and a batch computed against its own result is empty (idempotence).
  const nodeArb = fc.record({
    name: fc.constantFrom('n1', 'n2', 'n3', 'n4', 'n5'),
    host: fc.integer({ min: 1, max: 9 }),
    cidr: fc.option(fc.integer({ min: 0, max: 7 }), { nil: undefined }),
    asn: fc.option(fc.constantFrom('65010', '65020'), { nil: undefined }),
  });
  const viewArb = fc.uniqueArray(nodeArb, { selector: (entry) => entry.name, maxLength: 5 }).map((entries) =>
    entries.map((entry) => node(entry.name, `10.0.0.${entry.host}`, entry.cidr === undefined ? [] : [`172.16.${entry.cidr}.0/24`], entry.asn ? { ASN: entry.asn } : {})),
  );

  it('folds into the facts of the last view, batch after batch, and a repeated batch is empty (property)', () => {
    fc.assert(
      fc.property(fc.array(viewArb, { minLength: 1, maxLength: 6 }), (history) => {
        const configured = { ...identity, podCidrs: ['192.168.0.0/24'] };
        let emitted;
        let facts: ClusterFacts | undefined;
        for (const [index, nodes] of history.entries()) {
          const view = buildView(configured, nodes);
          const occurredAt = new Date(Date.UTC(2026, 10, 20, 8, index)).toISOString();
          const diff = diffViews(emitted, view, occurredAt);
          for (const event of diff.events) {
            // every event is valid by the one schema
            const parsed = parseClusterEvent({ source: 'podreach.cluster', 'detail-type': event.detailType, detail: event.detail }) as ClusterEvent;
            facts = applyEvent(facts, parsed).facts;
          }
          emitted = diff.emitted;
          expect(diffViews(emitted, view, occurredAt).events).toEqual([]);
          const expectedNodes = Object.fromEntries(
            Object.values(view.nodes).map((watched) => [
              watched.name,
              { name: watched.name, ip: watched.ip, labels: watched.labels, ...(watched.podCidrs[0] ? { podCidr: watched.podCidrs[0] } : {}) },
            ]),
          );
          expect(facts?.nodes).toEqual(expectedNodes);
          expect(facts?.podCidrs).toEqual(view.podCidrs);
        }
      }),
    );
  });
});

describe('Function: flushAt', () => {
  it('sends once changes were quiet, but never later than the max delay after the first', () => {
    const timing = { quietMs: 5_000, maxDelayMs: 30_000 };
    expect(flushAt({ firstChangeAt: 0, lastChangeAt: 0 }, timing)).toBe(5_000);
    expect(flushAt({ firstChangeAt: 0, lastChangeAt: 12_000 }, timing)).toBe(17_000);
    expect(flushAt({ firstChangeAt: 0, lastChangeAt: 29_000 }, timing)).toBe(30_000);
  });

  it('turns a rolling upgrade of 100 nodes, one every 2 s, into a handful of batches', () => {
    // Prepare: replay the change times through the batching rules
    const timing = { quietMs: 5_000, maxDelayMs: 30_000 };
    let pending;
    let batches = 0;
    for (let second = 0; second < 200; second += 2) {
      const now = second * 1000;
      if (pending && flushAt(pending, timing) <= now) {
        batches += 1;
        pending = undefined;
      }
      pending = noteChange(pending, now);
    }
    if (pending) batches += 1;

    // Assess: 100 replacements (a node removed, another added, every 2 s) in 7 batches
    expect(batches).toBe(7);
  });
});

describe('Function: backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100 }), fc.double({ min: 0, max: 1, noNaN: true }), (attempt, random) => {
        const delay = backoffDelay(attempt, { baseMs: 500, maxMs: 30_000 }, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Math.min(30_000, 500 * 2 ** attempt));
      }),
    );
    expect(backoffDelay(3, { baseMs: 500, maxMs: 30_000 }, 1)).toBe(4_000);
    expect(backoffDelay(10, { baseMs: 500, maxMs: 30_000 }, 1)).toBe(30_000);
  });
});

describe('Function: parseWatchConfig / resolveIdentity', () => {
  it('lays the flags over the config file', () => {
    const config = parseWatchConfig({ apiVersion: 'podreach/v1', kind: 'WatchConfig', cluster: { ...identity, region: 'eu-west-1' }, labelKeys: ['ASN'] }, 'watch.yaml');
    expect(resolveIdentity(config.cluster, { region: 'us-east-1', podCidrs: ['172.16.0.0/16'] })).toEqual({ ...identity, podCidrs: ['172.16.0.0/16'] });
  });

  it('names the file and field of a bad value, and the flag of a missing one', () => {
    expect(() => parseWatchConfig({ cluster: { networkModel: 'flat' } }, 'watch.yaml')).toThrow(/^watch\.yaml: cluster\.networkModel: /);
    expect(() => parseWatchConfig({ cluster: {}, colour: 'blue' }, 'watch.yaml')).toThrow(/watch\.yaml: /);
    expect(() => resolveIdentity({ clusterId: 'c' }, {})).toThrow('cluster identity: provider: required (set --provider, or cluster.provider in --config)');
    expect(() => resolveIdentity(identity, { podCidrs: ['10.0.0.0/33'] })).toThrow(/cluster identity: podCidrs\[0\]: not a valid CIDR/);
  });
});
