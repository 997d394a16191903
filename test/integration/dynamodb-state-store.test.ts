// DynamoStateStore on dynalite in-process (the embedded default), every method of the StateStore port.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { DynamoStateStore, PLAN_RETENTION_SECONDS, TABLE_KEY, ensureTable } from '../../functions/adapters/dynamodb/state-store.js';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ConcurrentUpdateError } from '../../functions/domain/errors.js';
import type { Artifact, ClusterFacts, LedgerEntry } from '../../functions/domain/model.js';
import type { ConnectivityProfile } from '../../functions/domain/profile.js';
import type { PlanRecord } from '../../functions/ports/state-store.js';

const facts = (clusterId: string, podCidrs = ['172.20.0.0/16']): ClusterFacts => ({
  clusterId,
  provider: 'sandbox',
  region: 'local-1',
  vpcId: 'vpc-demo',
  networkModel: 'vpc-router',
  podCidrs,
  nodeSubnets: [{ subnetId: 'subnet-a', cidr: '192.168.1.0/24' }],
  nodes: {},
  deleted: false,
  seen: { created: '2024-05-01T10:00:00Z', nodes: {} },
});

const ledger = (clusterId: string, id: string, status: LedgerEntry['status']): LedgerEntry => ({
  id,
  clusterId,
  flow: 'vpn',
  action: 'create',
  provider: 'sandbox',
  region: 'local-1',
  status,
  kind: 'route',
  target: 'rtb-main',
  cidr: '172.20.0.0/16',
  nextHop: 'vgw-1',
  owned: status === 'applied',
  attempts: 0,
  updatedAt: '2024-05-01T10:00:00Z',
});

const plan = (clusterId: string, createdAt: string, flow: PlanRecord['flow'], executionId: string, changes = 0): PlanRecord => ({
  clusterId,
  flow,
  executionId,
  createdAt,
  dryRun: false,
  changes: Array.from({ length: changes }, (_, i) => ({ ...ledger(clusterId, `chg-${i}`, 'planned'), cidr: `10.${Math.floor(i / 250)}.${i % 250}.0/24` })),
  artifacts: [],
  warnings: [],
  conflicts: [],
});

const profile = (name: string): ConnectivityProfile =>
  ({
    apiVersion: 'podreach/v1',
    kind: 'ConnectivityProfile',
    metadata: { name },
    spec: {
      match: { clusterIds: [], vpcIds: [] },
      directConnect: [],
      vpn: [],
      cloudConnect: [],
      peering: [],
      securityGroups: [],
      whitelists: [],
      bridgeCidr: '172.17.0.0/16',
    },
  }) as ConnectivityProfile;

describe('Class: DynamoStateStore', () => {
  let dataDir: string;
  let local: LocalDynamo;
  let store: DynamoStateStore;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-store-'));
    local = await startLocalDynamo(dataDir);
    store = local.store;
  });
  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('Method: putCluster / getCluster', () => {
    it('creates a cluster at version 1 and updates it only at the expected version', async () => {
      // Prepare
      const first = facts('cls-a');
      // Act
      const v1 = await store.putCluster(first, undefined);
      const v2 = await store.putCluster(facts('cls-a', ['172.21.0.0/16']), v1);
      // Assess
      expect([v1, v2]).toEqual([1, 2]);
      const stored = await store.getCluster('cls-a');
      expect(stored).toEqual({ facts: facts('cls-a', ['172.21.0.0/16']), version: 2 });
    });

    it('rejects a create of an existing cluster and a stale version with ConcurrentUpdateError', async () => {
      await store.putCluster(facts('cls-b'), undefined);
      await expect(store.putCluster(facts('cls-b'), undefined)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(store.putCluster(facts('cls-b'), 7)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await store.getCluster('cls-b'))?.version).toBe(1);
    });

    it('returns undefined for an unknown cluster', async () => {
      await expect(store.getCluster('cls-none')).resolves.toBeUndefined();
    });
  });

  describe('Method: listClusters', () => {
    it('lists clusters only (not profiles, documents or ledger rows), sorted', async () => {
      await store.putCluster(facts('cls-list-2'), undefined);
      await store.putCluster(facts('cls-list-1'), undefined);
      await store.putChange(ledger('cls-list-1', 'chg-1', 'planned'));
      await store.putProfile(profile('not-a-cluster'));
      const ids = (await store.listClusters()).map((c) => c.clusterId);
      expect(ids).toEqual([...ids].sort());
      expect(ids).toEqual(expect.arrayContaining(['cls-list-1', 'cls-list-2']));
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('Method: putProfile / getProfile / listProfiles', () => {
    it('stores a profile by name and lists them', async () => {
      await store.putProfile(profile('prof-b'));
      await store.putProfile(profile('prof-a'));
      expect(await store.getProfile('prof-a')).toEqual(profile('prof-a'));
      await expect(store.getProfile('prof-none')).resolves.toBeUndefined();
      const names = (await store.listProfiles()).map((p) => p.metadata.name);
      expect(names).toEqual([...names].sort());
      expect(names).toEqual(expect.arrayContaining(['prof-a', 'prof-b']));
    });
  });

  describe('Method: savePlan / getPlan', () => {
    it('stores a plan of any size in parts, and a later, smaller plan of the same execution replaces it whole', async () => {
      // Prepare: 2,000 changes (about 1 MB of JSON, several parts), then a plan of 1 change for the same execution
      const big = plan('cls-parts', '2024-05-01T10:00:00Z', 'vpn', 'exec-parts', 2000);
      const small = plan('cls-parts', '2024-05-01T11:00:00Z', 'vpn', 'exec-parts', 1);

      // Act
      await store.savePlan(big);
      const first = await store.getPlan('cls-parts', 'vpn', 'exec-parts');
      await store.savePlan(small);
      const second = await store.getPlan('cls-parts', 'vpn', 'exec-parts');

      // Assess
      expect(JSON.stringify(big).length).toBeGreaterThan(400 * 1024);
      expect(first?.changes).toHaveLength(2000);
      expect(second).toEqual(small);
      expect(await store.getPlan('cls-parts', 'vpn', 'exec-none')).toBeUndefined();
    });
  });

  describe('Method: savePlan / listPlans', () => {
    it('lists plans in creation order, filtered by flow, with an expiresAt 30 days after creation', async () => {
      await store.savePlan(plan('cls-p', '2024-05-01T10:00:02Z', 'vpn', 'exec-2'));
      await store.savePlan(plan('cls-p', '2024-05-01T10:00:01Z', 'direct-connect', 'exec-1'));
      await store.savePlan(plan('cls-p', '2024-05-01T10:00:03Z', 'vpn', 'exec-3'));
      expect((await store.listPlans('cls-p')).map((p) => p.executionId)).toEqual(['exec-1', 'exec-2', 'exec-3']);
      expect((await store.listPlans('cls-p', 'vpn')).map((p) => p.executionId)).toEqual(['exec-2', 'exec-3']);
      const raw = await local.client.send(
        new GetItemCommand({ TableName: local.tableName, Key: { pk: { S: 'CLUSTER#cls-p' }, sk: { S: 'PLAN#2024-05-01T10:00:01Z#direct-connect#exec-1' } } }),
      );
      expect(Number(raw.Item?.[TABLE_KEY.ttlAttribute]?.N)).toBe(Date.parse('2024-05-01T10:00:01Z') / 1000 + PLAN_RETENTION_SECONDS);
    });

    it('pages through more than 1 MB of plans', async () => {
      // Prepare: 4 plans of ~300 KB each, past one Query page (1 MB).
      const count = 4;
      for (let i = 0; i < count; i++) {
        await store.savePlan({ ...plan('cls-big', `2024-06-01T00:00:0${i}Z`, 'vpn', `exec-${i}`, 20), warnings: [`${i}`.repeat(300_000)] });
      }
      // Act
      const plans = await store.listPlans('cls-big');
      // Assess
      expect(plans.map((p) => p.executionId)).toEqual(['exec-0', 'exec-1', 'exec-2', 'exec-3']);
      expect(plans.every((p, i) => p.changes.length === 20 && p.warnings[0] === `${i}`.repeat(300_000))).toBe(true);
      expect(JSON.stringify(plans).length).toBeGreaterThan(1024 * 1024);
    });
  });

  describe('Method: putChange / getChange / listChanges', () => {
    it('writes unconditionally without expected statuses', async () => {
      await store.putChange(ledger('cls-c', 'chg-a', 'planned'));
      await store.putChange(ledger('cls-c', 'chg-a', 'applied'));
      expect((await store.getChange('cls-c', 'chg-a'))?.status).toBe('applied');
      await expect(store.getChange('cls-c', 'chg-none')).resolves.toBeUndefined();
    });

    it("creates a row only when 'absent' is expected and it does not exist", async () => {
      await store.putChange(ledger('cls-c', 'chg-b', 'planned'), ['absent']);
      await expect(store.putChange(ledger('cls-c', 'chg-b', 'planned'), ['absent'])).rejects.toBeInstanceOf(ConcurrentUpdateError);
    });

    it('moves a row only from an expected status', async () => {
      await store.putChange(ledger('cls-c', 'chg-d', 'planned'), ['absent']);
      await store.putChange(ledger('cls-c', 'chg-d', 'applying'), ['planned', 'failed']);
      await expect(store.putChange(ledger('cls-c', 'chg-d', 'applied'), ['planned'])).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await expect(store.putChange(ledger('cls-c', 'chg-none', 'applied'), ['planned'])).rejects.toBeInstanceOf(ConcurrentUpdateError);
      await store.putChange(ledger('cls-c', 'chg-d', 'applied'), ['absent', 'applying']);
      expect((await store.getChange('cls-c', 'chg-d'))?.status).toBe('applied');
    });

    it('lists the ledger of one cluster only, across many pages', async () => {
      // Prepare: 300 rows of ~4 KB (past one 1 MB page).
      const rows = Array.from({ length: 300 }, (_, i) => ({ ...ledger('cls-many', `chg-${String(i).padStart(5, '0')}`, 'applied'), reason: 'x'.repeat(4000) }));
      for (let i = 0; i < rows.length; i += 50) await Promise.all(rows.slice(i, i + 50).map((row) => store.putChange(row)));
      await store.putChange(ledger('cls-other', 'chg-00000', 'applied'));
      // Act
      const listed = await store.listChanges('cls-many');
      // Assess
      expect(listed.map((row) => row.id)).toEqual(rows.map((row) => row.id));
      expect(listed.every((row) => row.clusterId === 'cls-many')).toBe(true);
    });
  });

  describe('Method: putArtifact / listArtifacts', () => {
    it('keeps one artifact per flow and name', async () => {
      const artifact: Artifact = { kind: 'idc-next-hops', name: 'idc-routes', flow: 'direct-connect', mediaType: 'text/plain', content: 'one' };
      await store.putArtifact('cls-art', artifact);
      await store.putArtifact('cls-art', { ...artifact, content: 'two' });
      await store.putArtifact('cls-art', { ...artifact, flow: 'vpn', content: 'vpn' });
      const listed = await store.listArtifacts('cls-art');
      expect(listed.map((a) => [a.flow, a.content])).toEqual([
        ['direct-connect', 'two'],
        ['vpn', 'vpn'],
      ]);
    });
  });

  describe('Method: acquireLease / releaseLease', () => {
    const now = new Date('2024-05-01T10:00:00Z');
    const later = (seconds: number) => new Date(now.getTime() + seconds * 1000);

    it('gives the lease to one holder until it expires or is released', async () => {
      expect(await store.acquireLease('vpnx-1', 'flow-a', 30, now)).toBe(true);
      expect(await store.acquireLease('vpnx-1', 'flow-b', 30, later(10))).toBe(false);
      // The holder may renew.
      expect(await store.acquireLease('vpnx-1', 'flow-a', 30, later(10))).toBe(true);
      expect(await store.acquireLease('vpnx-1', 'flow-b', 30, later(39))).toBe(false);
      expect(await store.acquireLease('vpnx-1', 'flow-b', 30, later(40))).toBe(true);
    });

    it('releases only the holder’s own lease', async () => {
      expect(await store.acquireLease('vpnx-2', 'flow-a', 30, now)).toBe(true);
      await store.releaseLease('vpnx-2', 'flow-b');
      expect(await store.acquireLease('vpnx-2', 'flow-b', 30, now)).toBe(false);
      await store.releaseLease('vpnx-2', 'flow-a');
      expect(await store.acquireLease('vpnx-2', 'flow-b', 30, now)).toBe(true);
    });

    it('lets exactly one of many concurrent callers win', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.acquireLease('vpnx-3', `flow-${i}`, 30, now)));
      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('Method: putDocument / getDocument', () => {
    it('versions documents and rejects stale or duplicate creates', async () => {
      const v1 = await store.putDocument('doc-a', { routes: [{ destination: '10.0.0.0/8' }], empty: [] }, undefined);
      await expect(store.putDocument('doc-a', { routes: [] }, undefined)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      const v2 = await store.putDocument('doc-a', { routes: [], empty: [] }, v1);
      await expect(store.putDocument('doc-a', { routes: [] }, v1)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect(await store.getDocument('doc-a')).toEqual({ body: { routes: [], empty: [] }, version: v2 });
      await expect(store.getDocument('doc-none')).resolves.toBeUndefined();
    });

    it('lets one of two concurrent writers at the same version win', async () => {
      const v1 = await store.putDocument('doc-b', { n: 0 }, undefined);
      const results = await Promise.allSettled([store.putDocument('doc-b', { n: 1 }, v1), store.putDocument('doc-b', { n: 2 }, v1)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(ConcurrentUpdateError);
    });
  });

  describe('Function: ensureTable', () => {
    it('is a no-op on an existing table', async () => {
      await ensureTable(local.client, local.tableName);
      await expect(store.getCluster('cls-a')).resolves.toBeDefined();
    });
  });
});

describe('Function: startLocalDynamo', () => {
  it('keeps data in the folder across a close and a second start', async () => {
    // Prepare
    const dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-restart-'));
    try {
      const first = await startLocalDynamo(dataDir);
      await first.store.putCluster(facts('cls-persist'), undefined);
      await first.close();
      // Act
      const second = await startLocalDynamo(dataDir);
      try {
        // Assess
        expect(second.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await second.store.getCluster('cls-persist'))?.version).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
