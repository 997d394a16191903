// DynamoStateStore on moto's DynamoDB (or LocalStack): the conditional writes podreach relies on behave the same
// as on dynalite — optimistic cluster versions, ledger status transitions, leases, versioned documents.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore, ensureTable } from '../../functions/adapters/dynamodb/state-store.js';
import { ConcurrentUpdateError } from '../../functions/domain/errors.js';
import type { ClusterFacts, LedgerEntry } from '../../functions/domain/model.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';

const facts = (clusterId: string, podCidrs: string[]): ClusterFacts => ({
  clusterId,
  provider: 'aws',
  region: 'us-east-1',
  vpcId: 'vpc-0a1',
  networkModel: 'vpc-router',
  podCidrs,
  nodeSubnets: [{ subnetId: 'subnet-0a1', cidr: '172.31.1.0/24' }],
  nodes: {},
  deleted: false,
  seen: { created: '2024-05-01T10:00:00Z', nodes: {} },
});

const ledger = (clusterId: string, id: string, status: LedgerEntry['status']): LedgerEntry => ({
  id,
  clusterId,
  flow: 'vpn',
  action: 'create',
  provider: 'aws',
  region: 'us-east-1',
  status,
  kind: 'route',
  target: 'rtb-0a1',
  cidr: '10.244.0.0/16',
  nextHop: 'vgw-0a1',
  owned: status === 'applied',
  attempts: 0,
  updatedAt: '2024-05-01T10:00:00Z',
});

describeIfAws('Class: DynamoStateStore (moto DynamoDB)', () => {
  let emulator: AwsEndpoint | undefined;
  let client: DynamoDBClient;
  let store: DynamoStateStore;

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    client = new DynamoDBClient(awsClientConfig(emulator.endpoint, emulator.region));
    const tableName = `podreach-moto-${process.pid}-${Date.now()}`;
    await ensureTable(client, tableName);
    await ensureTable(client, tableName); // a second call finds the table and returns
    store = new DynamoStateStore({ client, tableName });
  });
  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  describe('Method: putCluster', () => {
    it('creates a cluster once and then only moves from the version it read', async () => {
      // Prepare
      const version = await store.putCluster(facts('cls-a', ['10.244.0.0/16']), undefined);

      // Act
      const next = await store.putCluster(facts('cls-a', ['10.244.0.0/16', '10.245.0.0/16']), version);

      // Assess
      await expect(store.putCluster(facts('cls-a', ['10.9.0.0/16']), version)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(store.putCluster(facts('cls-a', ['10.9.0.0/16']), undefined)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(next).toBeGreaterThan(version);
      expect(await store.getCluster('cls-a')).toEqual({ facts: facts('cls-a', ['10.244.0.0/16', '10.245.0.0/16']), version: next });
    });
  });

  describe('Method: putChange', () => {
    it('writes a ledger row once and moves it only from the expected status', async () => {
      // Prepare
      await store.putChange(ledger('cls-b', 'chg-1', 'planned'), ['absent']);

      // Act / Assess (each awaited at once: a rejection left pending is reported as unhandled)
      await expect(store.putChange(ledger('cls-b', 'chg-1', 'planned'), ['absent'])).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await store.putChange(ledger('cls-b', 'chg-1', 'applying'), ['planned', 'failed']);
      await expect(store.putChange(ledger('cls-b', 'chg-1', 'applied'), ['planned'])).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await store.getChange('cls-b', 'chg-1'))?.status).toBe('applying');
      await store.putChange(ledger('cls-b', 'chg-2', 'blocked'));
      expect((await store.listChanges('cls-b')).map((c) => [c.id, c.status]).sort()).toEqual([
        ['chg-1', 'applying'],
        ['chg-2', 'blocked'],
      ]);
    });
  });

  describe('Method: acquireLease / releaseLease', () => {
    it('gives a lease to one holder until it expires or is released', async () => {
      // Prepare
      const now = new Date('2024-05-01T10:00:00Z');
      const later = new Date('2024-05-01T10:01:01Z');

      // Act / Assess
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-1', 60, now)).toBe(true);
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-2', 60, now)).toBe(false);
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-1', 60, now)).toBe(true);
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-2', 60, later)).toBe(true);
      await store.releaseLease('aws#vpn-0a1', 'exec-1');
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-3', 60, later)).toBe(false);
      await store.releaseLease('aws#vpn-0a1', 'exec-2');
      expect(await store.acquireLease('aws#vpn-0a1', 'exec-3', 60, later)).toBe(true);
    });
  });

  describe('Method: putDocument', () => {
    it('keeps versioned documents under optimistic locking', async () => {
      // Prepare
      const first = await store.putDocument('sandbox#acct', { routes: 1 }, undefined);

      // Act
      const second = await store.putDocument('sandbox#acct', { routes: 2 }, first);
      const stale = store.putDocument('sandbox#acct', { routes: 3 }, first);

      // Assess
      await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await store.getDocument('sandbox#acct')).toEqual({ body: { routes: 2 }, version: second });
    });
  });

  describe('Method: putHolding / deleteHolding / listHoldings', () => {
    it('claims an entry only at the version read, and closes it only at that version', async () => {
      // Prepare
      const ref = { provider: 'aws' as const, region: 'us-east-1', kind: 'route' as const, target: 'rtb-0a1' };
      const holding = (clusterIds: string[]) => ({
        ...ref,
        identity: 'route|rtb-0a1|10.20.0.0/16||',
        entry: { kind: 'route' as const, target: 'rtb-0a1', cidr: '10.20.0.0/16', nextHop: 'vgw-0a1' },
        state: 'present' as const,
        claims: clusterIds.map((clusterId) => ({ clusterId, flow: 'vpn' as const, changeId: 'chg-1', since: '2024-05-01T10:00:00Z' })),
        createdBy: { clusterId: 'cls-a', changeId: 'chg-1' },
        since: '2024-05-01T10:00:00Z',
        version: 0,
      });

      // Act
      const first = await store.putHolding(holding(['cls-a']), undefined);
      const duplicate = store.putHolding(holding(['cls-b']), undefined);
      const second = await store.putHolding(holding(['cls-a', 'cls-b']), first);
      const stale = store.deleteHolding(ref, 'route|rtb-0a1|10.20.0.0/16||', first);

      // Assess
      await expect(duplicate).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(stale).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await store.listHoldings(ref)).map((h) => [h.claims.map((c) => c.clusterId), h.version])).toEqual([[['cls-a', 'cls-b'], second]]);
      await store.deleteHolding(ref, 'route|rtb-0a1|10.20.0.0/16||', second);
      expect(await store.listHoldings(ref)).toEqual([]);
    });
  });
});
