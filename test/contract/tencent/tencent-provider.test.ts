// The tencent adapter through tencentcloud-sdk-nodejs against the local TC3 contract server (state, error codes).
import {
  EntryConflictError,
  LeaseHeldError,
  ThrottlingError,
  TransientProviderError,
  UnsupportedChangeError,
  VerificationError,
} from '../../../functions/domain/errors.js';
import type { NetworkEntry } from '../../../functions/domain/model.js';
import type { EntryContext } from '../../../functions/ports/network-provider.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { IDS, startTencentHarness, type TencentHarness, sentActions } from './fixture.js';
import { undeclared } from '../../support/policy-coverage.js';

const context: EntryContext = { clusterId: 'cls-tke-demo', changeId: 'chg-1' };

describe('Class: TencentProvider', () => {
  let harness: TencentHarness;
  let cidrCounter = 0;
  const nextCidr = () => `10.${100 + Math.floor(cidrCounter / 250)}.${cidrCounter++ % 250}.0/24`;

  let dynamo: LocalDynamo;
  let dataDir: string;

  // each test gets its own contract server (its own state and call list); the lease store is shared
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-tencent-test-'));
    dynamo = await startLocalDynamo(dataDir);
  });
  afterAll(async () => {
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    harness = await startTencentHarness(dynamo);
  });
  afterEach(async () => {
    await harness?.close();
  });

  describe('Method: supports', () => {
    it('blocks transit-route and bgp-peer with a reason, and whitelists only with a podreach security group', async () => {
      // Prepare
      const withoutGroup = harness.makeProvider({ whitelistSecurityGroupId: undefined });
      // Act / Assess
      expect(harness.provider.supports('route')).toBe(true);
      expect(harness.provider.supports('whitelist-entry')).toBe(true);
      expect(withoutGroup.supports('whitelist-entry')).toBe(false);
      expect(harness.provider.supports('transit-route')).toBe(false);
      await expect(harness.provider.createEntry({ kind: 'transit-route', target: 'tr-1', cidr: nextCidr() }, context)).rejects.toThrow(/CCN/);
      await expect(harness.provider.createEntry({ kind: 'bgp-peer', target: 'peer-1', cidr: nextCidr() }, context)).rejects.toBeInstanceOf(UnsupportedChangeError);
      await expect(withoutGroup.createEntry({ kind: 'whitelist-entry', target: `redis:${IDS.redis}`, cidr: nextCidr() }, context)).rejects.toThrow(/whitelistSecurityGroupId/);
    });
  });

  describe('Method: createEntry (route)', () => {
    it('writes a USER_CCN route marked as podreach, signed with TC3', async () => {
      // Prepare
      const entry: NetworkEntry = { kind: 'route', target: IDS.routeTable, cidr: nextCidr(), nextHop: IDS.ccn, nextHopType: 'cloud-connect' };
      // Act
      const created = await harness.provider.createEntry(entry, context);
      // Assess
      expect(created).toMatchObject({ cidr: entry.cidr, nextHop: IDS.ccn, nextHopType: 'cloud-connect', owner: 'podreach' });
      const stored = harness.server.routeTables.get(IDS.routeTable)?.routes.find((route) => route.DestinationCidrBlock === entry.cidr);
      expect(stored).toMatchObject({ GatewayType: 'USER_CCN', GatewayId: IDS.ccn, RouteDescription: 'podreach:cls-tke-demo:chg-1' });
      const call = harness.server.calls.filter((c) => c.action === 'CreateRoutes').at(-1);
      expect(call?.version).toBe('2017-03-12');
      expect(call?.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDcontract\//);
    });

    it('turns ConflictWithDockerRoute (a TKE container CIDR) into EntryConflictError with the reason', async () => {
      // Prepare
      const entry: NetworkEntry = { kind: 'route', target: IDS.routeTable, cidr: '172.20.8.0/24', nextHop: IDS.vpnGateway, nextHopType: 'vpn-gateway' };
      // Act
      const attempt = harness.provider.createEntry(entry, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(EntryConflictError);
      await expect(harness.provider.createEntry(entry, context)).rejects.toThrow(/container/);
    });

    it('re-reads after InvalidParameterValue.Duplicate and returns the same route another writer created first', async () => {
      // Prepare
      const entry: NetworkEntry = { kind: 'route', target: IDS.routeTable, cidr: nextCidr(), nextHop: IDS.vpnGateway, nextHopType: 'vpn-gateway' };
      harness.server.beforeNext('CreateRoutes', () =>
        harness.server.seedRoute(IDS.routeTable, { cidr: entry.cidr ?? '', gatewayType: 'VPN', gatewayId: IDS.vpnGateway, description: 'podreach:cls-tke-demo' }),
      );
      // Act
      const created = await harness.provider.createEntry(entry, context);
      // Assess
      expect(created).toMatchObject({ cidr: entry.cidr, nextHop: IDS.vpnGateway });
      expect(harness.server.routeTables.get(IDS.routeTable)?.routes.filter((route) => route.DestinationCidrBlock === entry.cidr)).toHaveLength(1);
    });

    it('does not take a Duplicate answer for success when re-reading shows nothing', async () => {
      // Prepare
      harness.server.failNext('CreateRoutes', 'InvalidParameterValue.Duplicate');
      const entry: NetworkEntry = { kind: 'route', target: IDS.routeTable, cidr: nextCidr(), nextHop: IDS.vpnGateway, nextHopType: 'vpn-gateway' };
      // Act / Assess
      await expect(harness.provider.createEntry(entry, context)).rejects.toBeInstanceOf(VerificationError);
    });

    it('refuses a next hop type Tencent routes cannot name', async () => {
      // Act / Assess
      await expect(
        harness.provider.createEntry({ kind: 'route', target: IDS.routeTable, cidr: nextCidr(), nextHop: 'tr-1', nextHopType: 'transit-router' }, context),
      ).rejects.toBeInstanceOf(UnsupportedChangeError);
    });

    it('retries RequestLimitExceeded, then reports ThrottlingError after the bounded attempts', async () => {
      // Prepare
      harness.server.throttle('DescribeRouteTables', 2);
      // Act
      const afterTwo = await harness.provider.listEntries('route', IDS.routeTable);
      harness.server.throttle('DescribeRouteTables', 10);
      const before = harness.server.callsOf('DescribeRouteTables');
      const exhausted = harness.provider.listEntries('route', IDS.routeTable);
      // Assess
      expect(Array.isArray(afterTwo)).toBe(true);
      await expect(exhausted).rejects.toBeInstanceOf(ThrottlingError);
      expect(harness.server.callsOf('DescribeRouteTables') - before).toBe(3);
      // Drain the injected throttles so later tests start clean.
      for (let i = 0; i < 7; i++) await harness.provider.listEntries('route', IDS.routeTable).catch(() => undefined);
    });

    it('turns InternalError into TransientProviderError', async () => {
      // Prepare
      harness.server.failNext('DescribeRouteTables', 'InternalError');
      // Act / Assess
      await expect(harness.provider.listEntries('route', IDS.routeTable)).rejects.toBeInstanceOf(TransientProviderError);
    });

    it('lists nothing for a route table that does not exist', async () => {
      await expect(harness.provider.listEntries('route', 'rtb-missing')).resolves.toEqual([]);
    });
  });

  describe('Method: updateEntry (route)', () => {
    it('moves a route podreach owns to another next hop, and refuses a foreign one', async () => {
      // Prepare
      const mine: NetworkEntry = { kind: 'route', target: IDS.routeTable, cidr: nextCidr(), nextHop: IDS.vpnGateway, nextHopType: 'vpn-gateway' };
      await harness.provider.createEntry(mine, context);
      const foreignCidr = nextCidr();
      harness.server.seedRoute(IDS.routeTable, { cidr: foreignCidr, gatewayType: 'VPN', gatewayId: IDS.vpnGateway });
      // Act
      const moved = await harness.provider.updateEntry({ ...mine, nextHop: IDS.peering, nextHopType: 'peering' }, context);
      const foreign = harness.provider.updateEntry({ ...mine, cidr: foreignCidr, nextHop: IDS.peering, nextHopType: 'peering' }, context);
      // Assess
      expect(moved).toMatchObject({ nextHop: IDS.peering, nextHopType: 'peering' });
      await expect(foreign).rejects.toBeInstanceOf(EntryConflictError);
      const entries = await harness.provider.listEntries('route', IDS.routeTable);
      expect(entries.find((e) => e.cidr === foreignCidr)?.nextHop).toBe(IDS.vpnGateway);
    });
  });

  describe('Method: createEntry (vpn-selector)', () => {
    const selector = (index: number, target: string = IDS.vpnConnection): NetworkEntry => ({
      kind: 'vpn-selector',
      target,
      cidr: `10.40.${index}.0/24`,
      peerCidr: `192.168.${100 + index}.0/24`,
    });

    it('adds to an existing local block and keeps the rest of the SPD', async () => {
      // Prepare
      harness.server.seedVpnConnection('vpnx-spd1', { vpnGatewayId: 'vpngw-spd', spd: [{ LocalCidrBlock: '10.40.1.0/24', RemoteCidrBlock: ['192.168.50.0/24'] }] });
      // Act
      await harness.provider.createEntry(selector(1, 'vpnx-spd1'), context);
      await harness.provider.createEntry(selector(2, 'vpnx-spd1'), context);
      // Assess
      expect(harness.server.vpnConnections.get('vpnx-spd1')?.spd).toEqual([
        { LocalCidrBlock: '10.40.1.0/24', RemoteCidrBlock: ['192.168.50.0/24', '192.168.101.0/24'] },
        { LocalCidrBlock: '10.40.2.0/24', RemoteCidrBlock: ['192.168.102.0/24'] },
      ]);
    });

    it('waits for another writer: a held lease is LeaseHeldError and the SPD is untouched', async () => {
      // Prepare
      harness.server.seedVpnConnection('vpnx-leased', { spd: [{ LocalCidrBlock: '10.40.9.0/24', RemoteCidrBlock: ['192.168.9.0/24'] }] });
      const key = 'tencent:ap-guangzhou:vpn:vpnx-leased';
      await harness.dynamo.store.acquireLease(key, 'someone-else', 60, new Date());
      const modifies = harness.server.callsOf('ModifyVpnConnectionAttribute');
      // Act
      const attempt = harness.provider.createEntry(selector(3, 'vpnx-leased'), context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(LeaseHeldError);
      expect(harness.server.callsOf('ModifyVpnConnectionAttribute')).toBe(modifies);
      await harness.dynamo.store.releaseLease(key, 'someone-else');
      await expect(harness.provider.createEntry(selector(3, 'vpnx-leased'), context)).resolves.toMatchObject({ peerCidr: '192.168.103.0/24' });
    });

    it('maps an SPD overlap and a tunnel mid-change to their domain errors', async () => {
      // Prepare
      harness.server.seedVpnConnection('vpnx-overlap', { spd: [{ LocalCidrBlock: '10.41.0.0/16', RemoteCidrBlock: ['192.168.0.0/16'] }] });
      harness.server.seedVpnConnection('vpnx-pending', { state: 'PENDING' });
      // Act
      // (one after the other: a second pending promise could reject unobserved while the first is awaited)
      const overlap = await harness.provider
        .createEntry({ kind: 'vpn-selector', target: 'vpnx-overlap', cidr: '10.41.5.0/24', peerCidr: '192.168.5.0/24' }, context)
        .catch((error: unknown) => error);
      const pending = await harness.provider.createEntry(selector(4, 'vpnx-pending'), context).catch((error: unknown) => error);
      // Assess
      expect(overlap).toMatchObject({ name: 'EntryConflictError', code: 'UnsupportedOperation.VpnConnSPDOverlap' });
      expect(pending).toMatchObject({ name: 'TransientProviderError', code: 'UnsupportedOperation.InvalidVpnConnState' });
      expect(harness.server.vpnConnections.get('vpnx-overlap')?.spd).toEqual([{ LocalCidrBlock: '10.41.0.0/16', RemoteCidrBlock: ['192.168.0.0/16'] }]);
    });

    it('reports a selector another connection of the gateway already carries as a conflict', async () => {
      // Prepare
      harness.server.seedVpnConnection('vpnx-a', { vpnGatewayId: 'vpngw-shared', spd: [{ LocalCidrBlock: '10.42.0.0/24', RemoteCidrBlock: ['192.168.42.0/24'] }] });
      harness.server.seedVpnConnection('vpnx-b', { vpnGatewayId: 'vpngw-shared' });
      // Act / Assess
      await expect(
        harness.provider.createEntry({ kind: 'vpn-selector', target: 'vpnx-b', cidr: '10.42.0.0/24', peerCidr: '192.168.42.0/24' }, context),
      ).rejects.toMatchObject({ name: 'EntryConflictError', code: 'InvalidParameterValue.VpnConnCidrConflict' });
    });

    it('lists nothing for a connection that does not exist and deletes a missing selector as success', async () => {
      await expect(harness.provider.listEntries('vpn-selector', 'vpnx-missing')).resolves.toEqual([]);
      await expect(harness.provider.deleteEntry(selector(7), context)).resolves.toBeUndefined();
    });
  });

  describe('Method: createEntry / updateEntry / deleteEntry (vpn-route)', () => {
    it('creates once, disables on update, deletes twice', async () => {
      // Prepare
      const entry: NetworkEntry = { kind: 'vpn-route', target: IDS.vpnGateway, cidr: nextCidr(), nextHop: IDS.vpnConnection, nextHopType: 'vpn-gateway' };
      // Act
      await harness.provider.createEntry(entry, context);
      const second = await harness.provider.createEntry(entry, context);
      const disabled = await harness.provider.updateEntry({ ...entry, enabled: false }, context);
      // Assess
      expect(second).toMatchObject({ nextHop: IDS.vpnConnection, enabled: true, owner: 'podreach' });
      expect(disabled.enabled).toBe(false);
      expect(harness.server.vpnGateways.get(IDS.vpnGateway)?.filter((r) => r.DestinationCidrBlock === entry.cidr)).toHaveLength(1);
      await harness.provider.deleteEntry(entry, context);
      await harness.provider.deleteEntry(entry, context);
      expect((await harness.provider.listEntries('vpn-route', IDS.vpnGateway)).filter((e) => e.cidr === entry.cidr)).toHaveLength(0);
    });

    it('does not overwrite a foreign route to the same destination', async () => {
      // Prepare
      const cidr = nextCidr();
      harness.server.seedVpnGatewayRoute(IDS.vpnGateway, { cidr, instanceId: IDS.otherVpnConnection });
      // Act / Assess
      await expect(
        harness.provider.createEntry({ kind: 'vpn-route', target: IDS.vpnGateway, cidr, nextHop: IDS.vpnConnection }, context),
      ).rejects.toBeInstanceOf(EntryConflictError);
    });
  });

  describe('Method: createEntry / updateEntry / deleteEntry (cloud-connect-route)', () => {
    it('says it cannot register a CCN route the VPC attachment did not register', async () => {
      await expect(
        harness.provider.createEntry({ kind: 'cloud-connect-route', target: IDS.ccn, cidr: nextCidr(), nextHop: IDS.vpc, enabled: true }, context),
      ).rejects.toThrow(/attach/);
    });

    it('enables a registered route, toggles it on update, and disables it on delete', async () => {
      // Prepare
      const cidr = nextCidr();
      harness.server.seedCcnRoute(IDS.ccn, { cidr, instanceId: IDS.vpc, enabled: false });
      const entry: NetworkEntry = { kind: 'cloud-connect-route', target: IDS.ccn, cidr, nextHop: IDS.vpc, nextHopType: 'vpc', enabled: true };
      // Act
      const enabled = await harness.provider.createEntry(entry, context);
      const off = await harness.provider.updateEntry({ ...entry, enabled: false }, context);
      const on = await harness.provider.updateEntry(entry, context);
      await harness.provider.deleteEntry(entry, context);
      // Assess
      expect([enabled.enabled, off.enabled, on.enabled]).toEqual([true, false, true]);
      const listed = await harness.provider.listEntries('cloud-connect-route', IDS.ccn);
      expect(listed.find((e) => e.cidr === cidr)).toMatchObject({ nextHop: IDS.vpc, nextHopType: 'vpc', enabled: false });
    });

    it('leaves an overlapping route disabled and reports CcnRouteCidrOverlap as a conflict', async () => {
      // Prepare
      harness.server.seedCcnRoute(IDS.ccn, { cidr: '10.250.0.0/16', instanceId: 'vpc-idc-side', enabled: true });
      harness.server.seedCcnRoute(IDS.ccn, { cidr: '10.250.4.0/24', instanceId: IDS.vpc, enabled: false });
      // Act
      const attempt = harness.provider.createEntry({ kind: 'cloud-connect-route', target: IDS.ccn, cidr: '10.250.4.0/24', nextHop: IDS.vpc, enabled: true }, context);
      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'EntryConflictError', code: 'UnsupportedOperation.CcnRouteCidrOverlap' });
      const listed = await harness.provider.listEntries('cloud-connect-route', IDS.ccn);
      expect(listed.find((e) => e.cidr === '10.250.4.0/24')?.enabled).toBe(false);
    });
  });

  describe('Method: createEntry / deleteEntry (dx-prefix: the container network on a Direct Connect gateway)', () => {
    it("never sends a container CIDR to the gateway's CCN-route (IDC range) API: blocked with the ticket to file", async () => {
      // Prepare
      const entry: NetworkEntry = { kind: 'dx-prefix', target: IDS.dxGateway, cidr: '172.20.0.0/16' };

      // Act
      const attempt = await harness.provider.createEntry(entry, context).catch((error: unknown) => error);

      // Assess
      expect(attempt).toBeInstanceOf(UnsupportedChangeError);
      expect((attempt as Error).message).toMatch(/ticket.*tke-dx-ticket-dcg-idc01\.yaml/);
      expect(harness.server.callsOf('CreateDirectConnectGatewayCcnRoutes')).toBe(0);
      expect(harness.server.dxGateways.get(IDS.dxGateway)).toEqual([]);
    });

    it('verifies by reading: a CCN-type gateway that learned the container CIDR from its CCN has it in place, without a write', async () => {
      // Prepare
      harness.server.seedCcn('ccn-dx01');
      harness.server.seedDxGateway('dcg-ccn01', { networkType: 'CCN', networkInstanceId: 'ccn-dx01' });
      harness.server.seedCcnRoute('ccn-dx01', { cidr: '172.20.0.0/16', instanceId: IDS.vpc, enabled: true });
      harness.server.seedCcnRoute('ccn-dx01', { cidr: '172.21.0.0/16', instanceId: IDS.vpc, enabled: false });
      const learned: NetworkEntry = { kind: 'dx-prefix', target: 'dcg-ccn01', cidr: '172.20.0.0/16' };

      // Act
      const created = await harness.provider.createEntry(learned, context);
      const notLearned = harness.provider.createEntry({ ...learned, cidr: '172.21.0.0/16' }, context);

      // Assess
      expect(created).toMatchObject({ kind: 'dx-prefix', cidr: '172.20.0.0/16', owner: 'foreign', description: expect.stringContaining('ccn-dx01') });
      await expect(notLearned).rejects.toBeInstanceOf(UnsupportedChangeError);
      expect(harness.server.callsOf('CreateDirectConnectGatewayCcnRoutes')).toBe(0);
      await expect(harness.provider.deleteEntry(learned, context)).rejects.toThrow(/ticket/);
      await expect(harness.provider.deleteEntry({ ...learned, cidr: '172.21.0.0/16' }, context)).resolves.toBeUndefined();
    });

    it('refuses (as Tencent does) CCN routes on a VPC-type gateway, so a regression could not pass silently', async () => {
      // Prepare
      harness.server.seedDxGateway('dcg-ccn02', { networkType: 'CCN', networkInstanceId: IDS.ccn });
      // Act / Assess: the contract server itself, through the SDK the adapter uses
      const { Client } = await import('tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js');
      // signed with its own key: not the adapter's calls (sentActions counts those only)
      const client = new Client({ credential: { secretId: 'AKIDdirect', secretKey: 'x' }, region: 'ap-guangzhou', profile: { httpProfile: { protocol: 'http://', endpoint: harness.server.endpoint } } });
      await expect(client.CreateDirectConnectGatewayCcnRoutes({ DirectConnectGatewayId: IDS.dxGateway, Routes: [{ DestinationCidrBlock: '10.1.0.0/16' }] })).rejects.toMatchObject({
        code: 'UnsupportedOperation.DirectConnectGatewayNotCcnType',
      });
      await expect(client.CreateDirectConnectGatewayCcnRoutes({ DirectConnectGatewayId: 'dcg-ccn02', Routes: [{ DestinationCidrBlock: '10.1.0.0/16' }] })).resolves.toBeDefined();
    });
  });

  describe('Method: createEntry (sg-rule)', () => {
    it('re-reads and retries when the group Version moved underneath', async () => {
      // Prepare
      harness.server.failNext('CreateSecurityGroupPolicies', 'UnsupportedOperation.VersionMismatch');
      const rule: NetworkEntry = { kind: 'sg-rule', target: IDS.securityGroup, cidr: nextCidr(), port: 'tcp:8000-8010' };
      // Act
      const created = await harness.provider.createEntry(rule, context);
      // Assess
      expect(created).toMatchObject({ cidr: rule.cidr, port: 'tcp:8000-8010', owner: 'podreach' });
      expect(harness.server.securityGroups.get(IDS.securityGroup)?.ingress.filter((p) => p.CidrBlock === rule.cidr)).toHaveLength(1);
    });

    it('reads a policy listing several ports ("80,443") as one entry per port, and finds podreach\'s tcp:80 in place there without a write', async () => {
      // Prepare
      const cidr = nextCidr();
      harness.server.seedSecurityGroupPolicy(IDS.securityGroup, { Protocol: 'TCP', Port: '80,443', CidrBlock: cidr, Action: 'ACCEPT', PolicyDescription: 'by hand' });
      const writes = () => harness.server.calls.filter((call) => call.action === 'CreateSecurityGroupPolicies').length;
      const before = writes();
      // Act
      const entries = (await harness.provider.listEntries('sg-rule', IDS.securityGroup)).filter((entry) => entry.cidr === cidr);
      const created = await harness.provider.createEntry({ kind: 'sg-rule', target: IDS.securityGroup, cidr, port: 'tcp:80' }, context);
      // Assess
      expect(entries.map((entry) => [entry.port, entry.owner])).toEqual([
        ['tcp:80', 'foreign'],
        ['tcp:443', 'foreign'],
      ]);
      expect(created).toMatchObject({ port: 'tcp:80', owner: 'foreign' });
      expect(writes() - before).toBe(0);
    });

    it('treats DuplicatePolicy as success when another writer added the same rule first', async () => {
      // Prepare
      const rule: NetworkEntry = { kind: 'sg-rule', target: IDS.securityGroup, cidr: nextCidr(), port: 'icmp' };
      harness.server.beforeNext('CreateSecurityGroupPolicies', () => harness.server.seedNetworkEntry(rule));
      // Act
      const created = await harness.provider.createEntry(rule, context);
      // Assess
      expect(created).toMatchObject({ port: 'icmp', owner: 'foreign' });
      expect(harness.server.securityGroups.get(IDS.securityGroup)?.ingress.filter((p) => p.CidrBlock === rule.cidr)).toHaveLength(1);
    });
  });

  describe('Method: createEntry / deleteEntry (whitelist-entry)', () => {
    it('binds podreach\'s group to a Redis instance, keeping the groups already bound', async () => {
      // Prepare
      harness.server.seedSecurityGroup('sg-app');
      harness.server.seedDbInstance('redis', IDS.redis, ['sg-app']);
      const entry: NetworkEntry = { kind: 'whitelist-entry', target: `redis:${IDS.redis}`, cidr: '172.16.0.0/16' };
      // Act
      const created = await harness.provider.createEntry(entry, context);
      const modifies = harness.server.callsOf('ModifyDBInstanceSecurityGroups');
      await harness.provider.createEntry(entry, context);
      // Assess
      expect(created).toMatchObject({ kind: 'whitelist-entry', cidr: '172.16.0.0/16', owner: 'podreach' });
      expect(created.port).toBeUndefined();
      expect(harness.server.dbInstances.get(`redis:${IDS.redis}`)).toEqual(['sg-app', IDS.whitelistGroup]);
      expect(harness.server.securityGroups.get(IDS.whitelistGroup)?.ingress).toContainEqual(expect.objectContaining({ CidrBlock: '172.16.0.0/16', Protocol: 'TCP', Port: '6379' }));
      expect(harness.server.callsOf('ModifyDBInstanceSecurityGroups')).toBe(modifies);
    });

    it('adds nothing to a CDB instance whose own group already allows the CIDR', async () => {
      // Prepare
      harness.server.seedSecurityGroup('sg-db', [{ Protocol: 'TCP', Port: '3306', CidrBlock: '10.60.0.0/16', Action: 'ACCEPT', PolicyDescription: 'dba' }]);
      harness.server.seedDbInstance('cdb', IDS.cdb, ['sg-db']);
      // Act
      const entry = await harness.provider.createEntry({ kind: 'whitelist-entry', target: `cdb:${IDS.cdb}`, cidr: '10.60.0.0/16' }, context);
      // Assess
      expect(entry.owner).toBe('foreign');
      expect(harness.server.dbInstances.get(`cdb:${IDS.cdb}`)).toEqual(['sg-db']);
      await expect(harness.provider.listEntries('whitelist-entry', 'cdb:cdb-missing')).resolves.toEqual([]);
    });

    it('deletes only podreach\'s rule and leaves the binding', async () => {
      // Prepare
      harness.server.seedSecurityGroup('sg-app');
      harness.server.seedDbInstance('redis', 'crs-del', ['sg-app']);
      const entry: NetworkEntry = { kind: 'whitelist-entry', target: 'redis:crs-del', cidr: '172.17.0.0/16' };
      await harness.provider.createEntry(entry, context);
      // Act
      await harness.provider.deleteEntry(entry, context);
      await harness.provider.deleteEntry(entry, context);
      // Assess
      const listed = await harness.provider.listEntries('whitelist-entry', 'redis:crs-del');
      expect(listed.filter((e) => e.cidr === '172.17.0.0/16')).toHaveLength(0);
      expect(harness.server.dbInstances.get('redis:crs-del')).toEqual(['sg-app', IDS.whitelistGroup]);
    });

    it('does not replace the binding while another writer holds the instance lease', async () => {
      // Prepare
      harness.server.seedSecurityGroup('sg-app');
      harness.server.seedDbInstance('redis', 'crs-busy', ['sg-app']);
      const key = 'tencent:ap-guangzhou:redis:crs-busy';
      await harness.dynamo.store.acquireLease(key, 'someone-else', 60, new Date());
      // Act
      const attempt = harness.provider.createEntry({ kind: 'whitelist-entry', target: 'redis:crs-busy', cidr: '172.18.0.0/16' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(LeaseHeldError);
      expect(harness.server.dbInstances.get('redis:crs-busy')).toEqual(['sg-app']);
      await harness.dynamo.store.releaseLease(key, 'someone-else');
    });
  });

  describe('Method: createEntry / deleteEntry (subnet-association)', () => {
    it('binds a subnet away from the VPC default table and back on delete, but never re-binds a custom one', async () => {
      // Prepare
      harness.server.seedSubnet('subnet-nodes', { vpcId: IDS.vpc, cidr: '10.0.1.0/24', routeTableId: IDS.mainRouteTable });
      harness.server.seedRouteTable('rtb-other', { vpcId: IDS.vpc });
      harness.server.seedSubnet('subnet-taken', { vpcId: IDS.vpc, cidr: '10.0.2.0/24', routeTableId: 'rtb-other' });
      const entry: NetworkEntry = { kind: 'subnet-association', target: 'subnet-nodes', nextHop: IDS.routeTable, nextHopType: 'route-table' };
      // Act
      const bound = await harness.provider.createEntry(entry, context);
      const again = await harness.provider.createEntry(entry, context);
      const taken = harness.provider.createEntry({ ...entry, target: 'subnet-taken' }, context);
      // Assess
      expect(bound).toMatchObject({ cidr: '10.0.1.0/24', nextHop: IDS.routeTable });
      expect(again.nextHop).toBe(IDS.routeTable);
      await expect(taken).rejects.toBeInstanceOf(EntryConflictError);
      expect(harness.server.subnets.get('subnet-taken')?.routeTableId).toBe('rtb-other');
      await harness.provider.deleteEntry(entry, context);
      expect(harness.server.subnets.get('subnet-nodes')?.routeTableId).toBe(IDS.mainRouteTable);
    });
  });
});

// Runs last: every call the tests above made the adapter send, as the contract servers received them.
describe('Permissions: the tencent adapter', () => {
  it('sent only actions its actions table declares (what `podreach permissions --provider tencent` grants)', () => {
    const sent = sentActions();
    expect(sent).toEqual(expect.arrayContaining(['vpc:CreateRoutes', 'vpc:ModifyVpnConnectionAttribute', 'vpc:CreateSecurityGroupPolicies']));
    expect(undeclared('tencent', sent)).toEqual([]);
  });
});
