// The sandbox (simulated cloud + provider adapter) on dynalite: real-API semantics, ownership, seed and export.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { SandboxCloud } from '../../functions/adapters/sandbox/cloud.js';
import { SandboxApiError } from '../../functions/adapters/sandbox/errors.js';
import { exportSandbox, parseSandboxFile, seedSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { EntryConflictError, QuotaExceededError } from '../../functions/domain/errors.js';
import type { NetworkEntry } from '../../functions/domain/model.js';
import type { EntryContext } from '../../functions/ports/network-provider.js';

const ctx: EntryContext = { clusterId: 'cls-demo', changeId: 'chg-1' };
const otherCluster: EntryContext = { clusterId: 'cls-other', changeId: 'chg-9' };

describe('Class: SandboxProvider', () => {
  let dataDir: string;
  let local: LocalDynamo;
  let provider: SandboxProvider;
  let cloud: SandboxCloud;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-sandbox-'));
    local = await startLocalDynamo(dataDir);
    const demo = parseSandboxFile(await readFile(new URL('../../examples/sandbox/demo.yaml', import.meta.url), 'utf8'));
    await seedSandbox(local.store, {
      ...demo,
      spec: { ...demo.spec, quotas: { routesPerTable: 3, prefixesPerDxGateway: 2 }, cloudConnect: [{ id: 'ccn-1', routes: [{ cidr: '10.50.0.0/16', instanceId: 'vpc-idc', enabled: true }] }], whitelists: [{ target: 'redis:dcs-1', entries: ['192.168.0.0/24'] }] },
    });
    provider = await SandboxProvider.open(local.store);
    cloud = new SandboxCloud({ store: local.store });
  });
  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('Method: quotas', () => {
    it('reports the seeded quotas over the defaults', () => {
      expect(provider.quotas()).toEqual({ routesPerTable: 3, rulesPerSecurityGroup: 60, prefixesPerDxGateway: 2, selectorsPerConnection: 100, whitelistEntries: 1000 });
    });
  });

  describe('Method: listEntries', () => {
    it('reports seeded entries as foreign and an unknown target as empty', async () => {
      const routes = await provider.listEntries('route', 'rtb-main');
      expect(routes).toEqual([expect.objectContaining({ kind: 'route', target: 'rtb-main', cidr: '10.99.0.0/16', nextHop: 'pcx-legacy', owner: 'foreign' })]);
      await expect(provider.listEntries('route', 'rtb-unknown')).resolves.toEqual([]);
      await expect(provider.listEntries('bgp-peer', 'peer-unknown')).resolves.toEqual([]);
    });
  });

  describe('Method: createEntry', () => {
    it('creates routes marked as podreach’s and enforces the route-table quota', async () => {
      // Prepare: rtb-main holds 1 route, quota 3.
      const route = (cidr: string): NetworkEntry => ({ kind: 'route', target: 'rtb-main', cidr, nextHop: 'vgw-1', nextHopType: 'vpn-gateway' });
      // Act
      const created = await provider.createEntry(route('172.20.0.0/16'), ctx);
      await provider.createEntry(route('172.21.0.0/16'), ctx);
      // Assess
      expect(created).toMatchObject({ owner: 'podreach', nextHop: 'vgw-1', description: 'podreach:cls-demo:chg-1' });
      await expect(provider.createEntry(route('172.22.0.0/16'), ctx)).rejects.toBeInstanceOf(QuotaExceededError);
      await expect(cloud.createRoute('route-table', 'rtb-main', { destination: '172.20.0.0/16', nextHop: 'x' })).rejects.toMatchObject({ sandboxCode: 'RouteAlreadyExists' });
      await provider.deleteEntry(route('172.20.0.0/16'), ctx);
      await provider.deleteEntry(route('172.21.0.0/16'), ctx);
      expect(await provider.listEntries('route', 'rtb-main')).toHaveLength(1);
    });

    it('moves a route it made for the same cluster, but not one made for another cluster', async () => {
      const entry: NetworkEntry = { kind: 'vpn-route', target: 'vpngw-1', cidr: '172.30.0.0/16', nextHop: 'vpnx-1' };
      await provider.createEntry(entry, otherCluster);
      await expect(provider.createEntry({ ...entry, nextHop: 'vpnx-2' }, ctx)).rejects.toThrow(/created by podreach for cluster cls-other/);
      const moved = await provider.createEntry({ ...entry, nextHop: 'vpnx-2' }, otherCluster);
      expect(moved.nextHop).toBe('vpnx-2');
      expect(await provider.listEntries('vpn-route', 'vpngw-1')).toHaveLength(1);
    });

    it('binds an unbound subnet, and never rebinds one bound elsewhere', async () => {
      const bindB: NetworkEntry = { kind: 'subnet-association', target: 'subnet-b', nextHop: 'rtb-main', nextHopType: 'route-table' };
      await provider.createEntry(bindB, ctx);
      expect(await provider.listEntries('subnet-association', 'subnet-b')).toEqual([
        expect.objectContaining({ target: 'subnet-b', cidr: '192.168.2.0/24', nextHop: 'rtb-main', owner: 'podreach' }),
      ]);
      await expect(provider.createEntry({ ...bindB, target: 'subnet-a', nextHop: 'rtb-pods' }, ctx)).rejects.toBeInstanceOf(EntryConflictError);
      await expect(provider.updateEntry({ ...bindB, target: 'subnet-a', nextHop: 'rtb-pods' }, ctx)).rejects.toBeInstanceOf(EntryConflictError);
      expect((await provider.listEntries('subnet-association', 'subnet-a'))[0]?.nextHop).toBe('rtb-main');
      // Deleting a binding to another table leaves the real one; deleting the described one removes it.
      await provider.deleteEntry({ ...bindB, nextHop: 'rtb-pods' }, ctx);
      expect(await provider.listEntries('subnet-association', 'subnet-b')).toHaveLength(1);
      await provider.deleteEntry(bindB, ctx);
      expect(await provider.listEntries('subnet-association', 'subnet-b')).toEqual([]);
    });

    it('keeps every selector when many flows add to one connection at once', async () => {
      const selectors = Array.from({ length: 8 }, (_, i): NetworkEntry => ({ kind: 'vpn-selector', target: 'vpnx-busy', cidr: `172.${16 + i}.0.0/16`, peerCidr: '10.0.0.0/8' }));
      await Promise.all(selectors.map((s, i) => provider.createEntry(s, { clusterId: 'cls-demo', changeId: `chg-${i}` })));
      const listed = await provider.listEntries('vpn-selector', 'vpnx-busy');
      expect(listed.map((s) => s.cidr).sort()).toEqual(selectors.map((s) => s.cidr).sort());
    });

    it('enforces the DX prefix quota through the whole-list API', async () => {
      const prefix = (cidr: string): NetworkEntry => ({ kind: 'dx-prefix', target: 'dxgw-1', cidr });
      await provider.createEntry(prefix('172.20.0.0/16'), ctx);
      await provider.createEntry(prefix('172.21.0.0/16'), ctx);
      await expect(provider.createEntry(prefix('172.22.0.0/16'), ctx)).rejects.toBeInstanceOf(QuotaExceededError);
      expect((await provider.listEntries('dx-prefix', 'dxgw-1')).map((p) => p.cidr)).toEqual(['172.20.0.0/16', '172.21.0.0/16']);
    });

    it('adds and removes a whitelist entry, keeping the foreign one', async () => {
      const entry: NetworkEntry = { kind: 'whitelist-entry', target: 'redis:dcs-1', cidr: '172.20.0.0/16' };
      await provider.createEntry(entry, ctx);
      expect((await provider.listEntries('whitelist-entry', 'redis:dcs-1')).map((e) => [e.cidr, e.owner])).toEqual([
        ['192.168.0.0/24', 'foreign'],
        ['172.20.0.0/16', 'podreach'],
      ]);
      await provider.deleteEntry(entry, ctx);
      expect((await provider.listEntries('whitelist-entry', 'redis:dcs-1')).map((e) => e.cidr)).toEqual(['192.168.0.0/24']);
    });

    it('registers cloud-connect routes beside a rival: the same destination cannot be enabled twice, a longer prefix can', async () => {
      // Prepare: vpc-idc has 10.50.0.0/16 enabled (seed)
      const entry: NetworkEntry = { kind: 'cloud-connect-route', target: 'ccn-1', cidr: '10.50.1.0/24', nextHop: 'vpc-demo', enabled: false };
      const same: NetworkEntry = { ...entry, cidr: '10.50.0.0/16' };

      // Act / Assess
      expect(await provider.createEntry(entry, ctx)).toMatchObject({ enabled: false, owner: 'podreach' });
      expect(await provider.updateEntry({ ...entry, enabled: true }, ctx)).toMatchObject({ enabled: true });
      await expect(provider.createEntry({ ...same, enabled: true }, ctx)).rejects.toBeInstanceOf(EntryConflictError);
      expect(await provider.createEntry(same, ctx)).toMatchObject({ enabled: false });
      await expect(provider.updateEntry({ ...same, enabled: true }, ctx)).rejects.toBeInstanceOf(EntryConflictError);
      await provider.deleteEntry(entry, ctx);
      await provider.deleteEntry(same, ctx);
      expect((await provider.listEntries('cloud-connect-route', 'ccn-1')).map((r) => `${r.cidr} ${r.nextHop} ${r.enabled}`)).toEqual(['10.50.0.0/16 vpc-idc true']);
    });

    it('keeps the routes a BGPPeer advertises: idempotent, ownership-checked, without the route-table quota', async () => {
      // Prepare: a route another party advertises on the same peer; the route-table quota is 3.
      const advertised = (cidr: string, nextHop: string): NetworkEntry => ({ kind: 'bgp-peer', target: 'peer-1', cidr, nextHop, nextHopType: 'node' });
      await cloud.createRoute('bgp-peer', 'peer-1', { destination: '10.10.9.0/24', nextHop: '10.0.0.19', nextHopType: 'node' });

      // Act
      expect(provider.supports('bgp-peer')).toBe(true);
      for (let i = 0; i < 4; i++) await provider.createEntry(advertised(`10.10.${i}.0/24`, `10.0.0.${10 + i}`), ctx);
      const again = await provider.createEntry(advertised('10.10.0.0/24', '10.0.0.10'), ctx);
      // (awaited at once: a rejection left pending while other calls run is reported as unhandled)
      await expect(provider.createEntry(advertised('10.10.9.0/24', '10.0.0.10'), ctx)).rejects.toBeInstanceOf(EntryConflictError);
      await provider.deleteEntry(advertised('10.10.3.0/24', '10.0.0.13'), ctx);

      // Assess
      expect(again).toMatchObject({ kind: 'bgp-peer', cidr: '10.10.0.0/24', nextHop: '10.0.0.10', owner: 'podreach' });
      const entries = await provider.listEntries('bgp-peer', 'peer-1');
      expect(entries.map((e) => `${e.cidr} -> ${e.nextHop} ${e.owner}`).sort()).toEqual([
        '10.10.0.0/24 -> 10.0.0.10 podreach',
        '10.10.1.0/24 -> 10.0.0.11 podreach',
        '10.10.2.0/24 -> 10.0.0.12 podreach',
        '10.10.9.0/24 -> 10.0.0.19 foreign',
      ]);
    });
  });

  describe('Class: SandboxCloud', () => {
    it('replaces the whole selector list and rejects duplicates in it', async () => {
      await cloud.replaceSelectors('vpnx-replace', [{ local: '10.1.0.0/16', remote: '10.2.0.0/16' }]);
      await cloud.replaceSelectors('vpnx-replace', [{ local: '10.3.0.0/16', remote: '10.2.0.0/16' }]);
      expect((await cloud.describe('vpn-connection', 'vpnx-replace'))?.selectors).toEqual([{ local: '10.3.0.0/16', remote: '10.2.0.0/16' }]);
      const twice = { local: '10.4.0.0/16', remote: '10.2.0.0/16' };
      await expect(cloud.replaceSelectors('vpnx-replace', [twice, twice])).rejects.toBeInstanceOf(SandboxApiError);
    });
  });
});

describe('Function: seedSandbox / exportSandbox', () => {
  let dataDir: string;
  let local: LocalDynamo;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-seed-'));
    local = await startLocalDynamo(dataDir);
  });
  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('exports what was seeded, keeps changes on a second seed, and is unchanged after a cluster’s whole life', async () => {
    // Prepare
    const demo = parseSandboxFile(await readFile(new URL('../../examples/sandbox/demo.yaml', import.meta.url), 'utf8'));
    const first = await seedSandbox(local.store, demo);
    const before = await exportSandbox(local.store);
    const provider = new SandboxProvider({ store: local.store });
    const entries: NetworkEntry[] = [
      { kind: 'route', target: 'rtb-main', cidr: '172.20.0.0/16', nextHop: 'vgw-1' },
      { kind: 'vpn-selector', target: 'vpnx-1', cidr: '172.20.0.0/16', peerCidr: '10.10.0.0/16' },
      { kind: 'subnet-association', target: 'subnet-b', nextHop: 'rtb-main' },
    ];
    // Act
    for (const entry of entries) await provider.createEntry(entry, ctx);
    const second = await seedSandbox(local.store, demo);
    const during = await exportSandbox(local.store);
    for (const entry of entries) await provider.deleteEntry(entry, ctx);
    const after = await exportSandbox(local.store);
    // Assess
    expect(first.loaded).toEqual(['route-table/rtb-main', 'subnet/subnet-a', 'subnet/subnet-b', 'vpn-connection/vpnx-1']);
    expect(second).toEqual({ loaded: [], kept: first.loaded });
    expect(before.spec).toEqual(demo.spec);
    expect(during.spec.routeTables[0]?.routes.map((r) => r.destination)).toEqual(['10.99.0.0/16', '172.20.0.0/16']);
    expect(during.spec.vpnConnections[0]?.selectors).toEqual([{ local: '172.20.0.0/16', remote: '10.10.0.0/16' }]);
    expect(after).toEqual(before);
  });
});
