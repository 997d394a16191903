import type { ClusterEvent } from '../../../events/schemas.js';
import { NotFoundError } from '../../../functions/domain/errors.js';
import { applyEvent, ClusterDeletedError, UnknownClusterError } from '../../../functions/domain/facts.js';
import type { ClusterFacts } from '../../../functions/domain/model.js';

const created = (occurredAt: string, podCidrs = ['172.16.0.0/16', '172.20.0.0/16']): ClusterEvent => ({
  detailType: 'Cluster Created',
  detail: { clusterId: 'cls-tke', provider: 'tencent', region: 'ap-guangzhou', vpcId: 'vpc-tke', networkModel: 'vpc-router', podCidrs, profile: 'tke-idc', occurredAt },
});
const cidrChanged = (occurredAt: string, podCidrs: string[]): ClusterEvent => ({ detailType: 'Cluster CIDR Changed', detail: { clusterId: 'cls-tke', podCidrs, occurredAt } });
const nodeAdded = (occurredAt: string, name = 'node-1'): ClusterEvent => ({
  detailType: 'Node Added',
  detail: { clusterId: 'cls-tke', node: { name, ip: '192.168.1.10', subnetId: 'subnet-a', podCidr: '172.16.0.0/24' }, occurredAt },
});
const nodeRemoved = (occurredAt: string, nodeName = 'node-1'): ClusterEvent => ({ detailType: 'Node Removed', detail: { clusterId: 'cls-tke', nodeName, occurredAt } });
const deleted = (occurredAt: string): ClusterEvent => ({ detailType: 'Cluster Deleted', detail: { clusterId: 'cls-tke', occurredAt } });

function fold(events: ClusterEvent[]): { facts: ClusterFacts | undefined; ignored: string[] } {
  let facts: ClusterFacts | undefined;
  const ignored: string[] = [];
  for (const event of events) {
    const result = applyEvent(facts, event);
    if (result.ignored) ignored.push(result.ignored);
    facts = result.facts;
  }
  return { facts, ignored };
}

describe('Function: applyEvent', () => {
  describe('Method: Cluster Created', () => {
    it('creates the facts from the event', () => {
      // Act
      const result = applyEvent(undefined, created('2026-01-01T00:00:00Z', ['172.20.0.0/16', '172.16.0.0/16']));

      // Assess
      expect(result.changed).toBe(true);
      expect(result.ignored).toBeUndefined();
      expect(result.facts).toMatchObject({ clusterId: 'cls-tke', provider: 'tencent', vpcId: 'vpc-tke', profile: 'tke-idc', deleted: false, podCidrs: ['172.16.0.0/16', '172.20.0.0/16'] });
    });

    it('changes nothing on a replay of the same event, without calling it ignored', () => {
      // Prepare
      const first = applyEvent(undefined, created('2026-01-01T00:00:00Z')).facts;

      // Act
      const replay = applyEvent(first, created('2026-01-01T00:00:00Z'));

      // Assess
      expect(replay.changed).toBe(false);
      expect(replay.ignored).toBeUndefined();
    });

    it('keeps a newer CIDR list when an older Cluster Created arrives after it', () => {
      // Act
      const { facts, ignored } = fold([created('2026-01-01T00:00:00Z'), cidrChanged('2026-01-02T00:00:00Z', ['172.24.0.0/16']), created('2026-01-01T00:00:00Z')]);

      // Assess
      expect(facts?.podCidrs).toEqual(['172.24.0.0/16']);
      expect(ignored).toEqual([]);
    });
  });

  describe('Method: Cluster CIDR Changed', () => {
    it('replaces the whole list', () => {
      // Act
      const { facts } = fold([created('2026-01-01T00:00:00Z'), cidrChanged('2026-01-02T00:00:00Z', ['172.16.0.0/16', '172.24.0.0/16'])]);

      // Assess
      expect(facts?.podCidrs).toEqual(['172.16.0.0/16', '172.24.0.0/16']);
    });

    it('ignores a stale (reordered) change, saying why', () => {
      // Act
      const { facts, ignored } = fold([
        created('2026-01-01T00:00:00Z'),
        cidrChanged('2026-01-03T00:00:00Z', ['172.24.0.0/16']),
        cidrChanged('2026-01-02T00:00:00Z', ['172.30.0.0/16']),
      ]);

      // Assess
      expect(facts?.podCidrs).toEqual(['172.24.0.0/16']);
      expect(ignored).toHaveLength(1);
      expect(ignored[0]).toContain('stale');
    });

    it('compares instants, not text, across time-zone offsets', () => {
      // Act: 09:00+08:00 is 01:00Z, older than 02:00Z
      const { facts, ignored } = fold([
        created('2026-01-01T00:00:00Z'),
        cidrChanged('2026-01-02T02:00:00Z', ['172.24.0.0/16']),
        cidrChanged('2026-01-02T09:00:00+08:00', ['172.30.0.0/16']),
      ]);

      // Assess
      expect(facts?.podCidrs).toEqual(['172.24.0.0/16']);
      expect(ignored).toHaveLength(1);
    });
  });

  describe('Method: Node Added / Node Removed', () => {
    it('adds and removes nodes', () => {
      // Act
      const added = fold([created('2026-01-01T00:00:00Z'), nodeAdded('2026-01-01T01:00:00Z'), nodeAdded('2026-01-01T01:00:00Z', 'node-2')]).facts;
      const removed = applyEvent(added, nodeRemoved('2026-01-01T02:00:00Z'));

      // Assess
      expect(Object.keys(added?.nodes ?? {})).toEqual(['node-1', 'node-2']);
      expect(added?.nodes['node-1']).toMatchObject({ ip: '192.168.1.10', subnetId: 'subnet-a', podCidr: '172.16.0.0/24', labels: {} });
      expect(Object.keys(removed.facts.nodes)).toEqual(['node-2']);
      expect(removed.changed).toBe(true);
    });

    it('ignores a Node Added older than the removal of that node', () => {
      // Act
      const { facts, ignored } = fold([created('2026-01-01T00:00:00Z'), nodeRemoved('2026-01-01T02:00:00Z'), nodeAdded('2026-01-01T01:00:00Z')]);

      // Assess
      expect(facts?.nodes).toEqual({});
      expect(ignored).toHaveLength(1);
    });
  });

  describe('Method: Cluster Deleted', () => {
    it('marks the cluster deleted, accepts a replay of the deletion, and ignores node events older than it', () => {
      // Act
      const { facts, ignored } = fold([created('2026-01-01T00:00:00Z'), nodeAdded('2026-01-02T00:00:00Z'), deleted('2026-01-05T00:00:00Z'), nodeRemoved('2026-01-04T00:00:00Z')]);
      const replay = applyEvent(facts, deleted('2026-01-05T00:00:00Z'));

      // Assess
      expect(facts?.deleted).toBe(true);
      expect(ignored).toEqual([expect.stringContaining('older than the deletion')]);
      expect(replay).toMatchObject({ changed: false });
      expect(replay.ignored).toBeUndefined();
    });

    it.each([nodeAdded('2026-01-06T00:00:00Z'), nodeRemoved('2026-01-06T00:00:00Z'), cidrChanged('2026-01-06T00:00:00Z', ['172.30.0.0/16'])])(
      'retries (ClusterDeletedError, a NotFoundError) a $detailType newer than the deletion: it belongs to a re-creation',
      (event) => {
        // Prepare
        const gone = fold([created('2026-01-01T00:00:00Z'), deleted('2026-01-05T00:00:00Z')]).facts;

        // Act
        let caught: unknown;
        try {
          applyEvent(gone, event);
        } catch (error) {
          caught = error;
        }

        // Assess
        expect(caught).toBeInstanceOf(ClusterDeletedError);
        expect(caught).toBeInstanceOf(NotFoundError);
        expect((caught as Error).message).toContain('retry it later');
      },
    );

    it('keeps a CIDR change that arrives before the re-creation it follows (Created, Deleted 08:00, CIDR 10:00, Created 09:00)', () => {
      // Prepare: the CIDR change is refused (retried) while the tombstone stands
      const gone = fold([created('2026-01-01T07:00:00Z'), deleted('2026-01-01T08:00:00Z')]).facts;
      const cidr = cidrChanged('2026-01-01T10:00:00Z', ['172.30.0.0/16']);
      expect(() => applyEvent(gone, cidr)).toThrow(ClusterDeletedError);

      // Act: the re-creation arrives, then the retried CIDR change
      const recreated = applyEvent(gone, created('2026-01-01T09:00:00Z', ['172.24.0.0/16'])).facts;
      const retried = applyEvent(recreated, cidr);

      // Assess: the newest CIDR list wins
      expect(retried.facts).toMatchObject({ deleted: false, podCidrs: ['172.30.0.0/16'] });
    });

    it('ignores a Cluster Created older than the deletion, and revives the id for a newer one', () => {
      // Prepare
      const gone = fold([created('2026-01-01T00:00:00Z'), deleted('2026-01-05T00:00:00Z')]).facts;

      // Act
      const stale = applyEvent(gone, created('2026-01-01T00:00:00Z'));
      const again = applyEvent(gone, created('2026-02-01T00:00:00Z', ['172.24.0.0/16']));

      // Assess
      expect(stale.ignored).toBeDefined();
      expect(stale.facts.deleted).toBe(true);
      expect(again.facts).toMatchObject({ deleted: false, podCidrs: ['172.24.0.0/16'] });
    });
  });

  describe('Method: unknown cluster', () => {
    it.each([nodeAdded('2026-01-01T00:00:00Z'), nodeRemoved('2026-01-01T00:00:00Z'), cidrChanged('2026-01-01T00:00:00Z', ['172.16.0.0/16']), deleted('2026-01-01T00:00:00Z')])(
      'throws UnknownClusterError (a NotFoundError) for $detailType',
      (event) => {
        // Act / Assess
        let caught: unknown;
        try {
          applyEvent(undefined, event);
        } catch (error) {
          caught = error;
        }
        expect(caught).toBeInstanceOf(UnknownClusterError);
        expect(caught).toBeInstanceOf(NotFoundError);
        expect((caught as Error).name).toBe('UnknownClusterError');
      },
    );
  });

  describe('Method: node events around a re-creation', () => {
    it('ignores a Node Added or Node Removed that happened before the cluster was created again', () => {
      // Prepare: created T1, deleted T3, created again T4
      const { facts } = fold([created('2026-01-01T00:00:00Z'), deleted('2026-01-03T00:00:00Z'), created('2026-01-04T00:00:00Z')]);

      // Act: node events of T2 (the first cluster's) arrive late
      const lateAdd = applyEvent(facts, nodeAdded('2026-01-02T00:00:00Z', 'old-node'));
      const lateRemove = applyEvent(facts, nodeRemoved('2026-01-02T00:00:00Z', 'old-node'));

      // Assess
      expect(lateAdd.ignored).toContain('older than the deletion');
      expect(lateAdd.facts.nodes['old-node']).toBeUndefined();
      expect(lateRemove.ignored).toContain('older than the deletion');
    });

    it('keeps a node event older than a second Cluster Created of a live cluster, as in time order', () => {
      // Prepare: created T1 and announced again T3 (no deletion); the node joined at T2 but arrives last
      const { facts } = fold([created('2026-01-01T00:00:00Z'), created('2026-01-03T00:00:00Z')]);

      // Act
      const late = applyEvent(facts, nodeAdded('2026-01-02T00:00:00Z', 'node-late'));

      // Assess
      expect(late.ignored).toBeUndefined();
      expect(late.facts.nodes['node-late']).toBeDefined();
    });
  });
});
