// The alibaba adapter through the real Alibaba SDKs (vpc, r-kvstore, rds, openapi-core RPC for CEN / ECS)
// against the contract server, with leases on DynamoStateStore over dynalite.
import {
  EntryConflictError,
  LeaseHeldError,
  ResourceNotFoundError,
  ThrottlingError,
  TransientProviderError,
  UnsupportedChangeError,
} from '../../../functions/domain/errors.js';
import type { EntryContext } from '../../../functions/ports/network-provider.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { startAlibabaRig, type AlibabaRig, sentActions } from './fixture.js';
import { undeclared } from '../../support/policy-coverage.js';

const context: EntryContext = { clusterId: 'cls-ack-edge', changeId: 'chg-1' };

describe('Class: AlibabaProvider', () => {
  let rig: AlibabaRig;
  let table = 0;
  const freshTable = () => {
    table += 1;
    const id = `vtb-test${table}`;
    rig.server.seedRouteTable(id);
    return id;
  };

  let dynamo: LocalDynamo;
  let dataDir: string;

  // each test gets its own contract server (its own state, faults and call list); the lease store is shared
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-alibaba-test-'));
    dynamo = await startLocalDynamo(dataDir);
  });
  afterAll(async () => {
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    rig = await startAlibabaRig(dynamo);
  });
  afterEach(async () => {
    await rig?.close();
  });

  describe('Method: findAddress', () => {
    it('asks for the primary private IP by PrimaryIpAddress, then a secondary one by PrivateIpAddress.N', async () => {
      // Prepare: an ECS's ENI, its primary address first
      rig.server.seedNetworkInterface('eni-host', { vpcId: 'vpc-a', vSwitchId: 'vsw-a', ips: ['192.168.3.9', '192.168.3.20'], groups: ['sg-host'] });
      const provider = rig.provider();
      const lookups = () => rig.server.calls.filter((call) => call.action === 'DescribeNetworkInterfaces').map((call) => Object.keys(call.params).filter((key) => /Ip/.test(key)));
      // Act
      const primary = await provider.findAddress?.('192.168.3.9');
      const afterPrimary = lookups();
      const secondary = await provider.findAddress?.('192.168.3.20');
      // Assess
      expect(primary).toMatchObject({ ip: '192.168.3.9', securityGroups: ['sg-host'], resourceId: 'eni-host' });
      expect(afterPrimary).toEqual([['PrimaryIpAddress']]);
      expect(secondary).toMatchObject({ ip: '192.168.3.20', securityGroups: ['sg-host'] });
      expect(lookups().slice(1)).toEqual([['PrimaryIpAddress'], ['PrivateIpAddress.1']]);
    });
  });

  describe('Method: createEntry (route)', () => {
    it('sends a signed RPC call with the action in x-acs-action and the parameters in the query', async () => {
      // Prepare
      const routeTableId = freshTable();
      const provider = rig.provider();
      // Act
      await provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.80.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      const create = rig.server.calls.find((call) => call.action === 'CreateRouteEntry' && call.params.RouteTableId === routeTableId);
      expect(create).toMatchObject({
        version: '2016-04-28',
        signed: true,
        params: { DestinationCidrBlock: '10.80.0.0/16', NextHopType: 'VpnGateway', NextHopId: 'vpn-a', RegionId: 'cn-hangzhou' },
      });
      expect(create?.params.ClientToken).toMatch(/^[0-9a-f]{32}$/);
      expect(create?.params.Description).toBe('podreach:cls-ack-edge:chg-1');
    });

    it('waits while the entry is Creating and returns it once Available', async () => {
      // Prepare
      const routeTableId = freshTable();
      rig.server.asyncReads = 3;
      const provider = rig.provider();
      const before = rig.server.callsOf('DescribeRouteEntryList');
      // Act
      const created = await provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.81.0.0/16', nextHop: 'tr-attach-1', nextHopType: 'transit-router' }, context);
      // Assess
      expect(created).toMatchObject({ cidr: '10.81.0.0/16', nextHop: 'tr-attach-1', nextHopType: 'transit-router', owner: 'podreach', description: 'podreach:cls-ack-edge:chg-1' });
      // one read before creating, then reads until the three pending reads are used up
      expect(rig.server.callsOf('DescribeRouteEntryList') - before).toBeGreaterThanOrEqual(4);
    });

    it('gives up after pollTimeoutMs with a retryable TransientProviderError', async () => {
      // Prepare
      const routeTableId = freshTable();
      rig.server.asyncReads = Number.POSITIVE_INFINITY;
      const provider = rig.provider({ pollIntervalMs: 20, pollTimeoutMs: 200 });
      const before = rig.server.callsOf('DescribeRouteEntryList');
      // Act
      const attempt = provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.82.0.0/16', nextHop: 'pcc-1', nextHopType: 'peering' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(TransientProviderError);
      // polled at the interval until the bound, not once and not forever
      expect(rig.server.callsOf('DescribeRouteEntryList') - before).toBeGreaterThan(3);
    });

    it('turns OperationConflict (another change on the table) into TransientProviderError', async () => {
      // Prepare
      const routeTableId = freshTable();
      rig.server.seedRoute(routeTableId, { cidr: '10.83.0.0/16', nextHopId: 'vpn-x', nextHopType: 'VpnGateway', status: 'Creating' });
      const provider = rig.provider();
      // Act
      const attempt = provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.84.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'TransientProviderError', code: 'OperationConflict' });
    });

    it('re-reads after RouterEntryConflict.Duplicated and reports a foreign next hop as a conflict', async () => {
      // Prepare: the entry appears between podreach's read and its create (another writer won the race)
      const routeTableId = freshTable();
      const provider = rig.provider();
      rig.server.failNext('CreateRouteEntry', 'RouterEntryConflict.Duplicated', {
        effect: () => rig.server.seedRoute(routeTableId, { cidr: '10.85.0.0/16', nextHopId: 'pcc-foreign', nextHopType: 'VpcPeer' }),
      });
      // Act
      const attempt = provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.85.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(EntryConflictError);
      expect(rig.server.callsOf('CreateRouteEntry')).toBeGreaterThan(0);
      expect(rig.server.routeTables.get(routeTableId)?.get('10.85.0.0/16')?.nextHopId).toBe('pcc-foreign');
    });

    it('retries Throttling.User through the SDK and succeeds when it passes', async () => {
      // Prepare
      const routeTableId = freshTable();
      const provider = rig.provider({ throttleAttempts: 3 });
      rig.server.failNext('CreateRouteEntry', 'Throttling.User', { times: 2 });
      const before = rig.server.callsOf('CreateRouteEntry');
      // Act
      const created = await provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.86.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      expect(created.nextHop).toBe('vpn-a');
      expect(rig.server.callsOf('CreateRouteEntry') - before).toBe(3);
    });

    it('gives ThrottlingError once the SDK retries are spent', async () => {
      // Prepare
      const routeTableId = freshTable();
      const provider = rig.provider({ throttleAttempts: 2 });
      rig.server.failNext('DescribeRouteEntryList', 'Throttling.User', { times: 5 });
      const before = rig.server.callsOf('DescribeRouteEntryList');
      // Act
      const attempt = provider.listEntries('route', routeTableId);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ThrottlingError);
      expect(rig.server.callsOf('DescribeRouteEntryList') - before).toBe(2);
    });

    it('turns ServiceUnavailable (503) into TransientProviderError', async () => {
      // Prepare
      const routeTableId = freshTable();
      const provider = rig.provider();
      rig.server.failNext('CreateRouteEntry', 'ServiceUnavailable');
      // Act
      const attempt = provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.87.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'TransientProviderError', code: 'ServiceUnavailable' });
    });
  });

  describe('Method: updateEntry (route)', () => {
    it('moves an entry podreach owns to a new next hop and refuses a foreign one', async () => {
      // Prepare
      const routeTableId = freshTable();
      const provider = rig.provider();
      await provider.createEntry({ kind: 'route', target: routeTableId, cidr: '10.88.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      rig.server.seedRoute(routeTableId, { cidr: '10.89.0.0/16', nextHopId: 'vpn-z', nextHopType: 'VpnGateway' });
      // Act
      const moved = await provider.updateEntry({ kind: 'route', target: routeTableId, cidr: '10.88.0.0/16', nextHop: 'tr-attach-9', nextHopType: 'transit-router' }, context);
      const foreign = provider.updateEntry({ kind: 'route', target: routeTableId, cidr: '10.89.0.0/16', nextHop: 'vpn-a', nextHopType: 'vpn-gateway' }, context);
      // Assess
      expect(moved).toMatchObject({ nextHop: 'tr-attach-9', nextHopType: 'transit-router' });
      await expect(foreign).rejects.toBeInstanceOf(EntryConflictError);
      expect(rig.server.routeTables.get(routeTableId)?.get('10.89.0.0/16')?.nextHopId).toBe('vpn-z');
    });
  });

  describe('Method: createEntry (dx-prefix)', () => {
    it('writes a VBR route table entry toward the router interface, and blocks without one', async () => {
      // Prepare
      const vbrTable = freshTable();
      const provider = rig.provider();
      // Act
      const created = await provider.createEntry({ kind: 'dx-prefix', target: vbrTable, cidr: '10.90.0.0/16', nextHop: 'ri-vbr-to-vpc' }, context);
      const blocked = provider.createEntry({ kind: 'dx-prefix', target: vbrTable, cidr: '10.91.0.0/16' }, context);
      // Assess
      expect(created).toMatchObject({ kind: 'dx-prefix', nextHop: 'ri-vbr-to-vpc', nextHopType: 'border-router' });
      expect(rig.server.routeTables.get(vbrTable)?.get('10.90.0.0/16')?.nextHopType).toBe('RouterInterface');
      await expect(blocked).rejects.toBeInstanceOf(UnsupportedChangeError);
    });
  });

  describe('Method: createEntry (vpn-selector)', () => {
    it('writes the whole LocalSubnet / RemoteSubnet lists, keeping the CIDRs already there', async () => {
      // Prepare
      rig.server.seedVpnConnection('vco-1', ['172.16.0.0/16'], ['192.168.10.0/24', '192.168.11.0/24']);
      const provider = rig.provider();
      // Act
      await provider.createEntry({ kind: 'vpn-selector', target: 'vco-1', cidr: '172.16.0.0/16', peerCidr: '10.244.0.0/16' }, context);
      // Assess
      expect(rig.server.vpnConnections.get('vco-1')).toEqual({ local: ['172.16.0.0/16'], remote: ['192.168.10.0/24', '192.168.11.0/24', '10.244.0.0/16'] });
      const modify = rig.server.calls.filter((call) => call.action === 'ModifyVpnConnectionAttribute').at(-1);
      expect(modify?.params).toMatchObject({ LocalSubnet: '172.16.0.0/16', RemoteSubnet: '192.168.10.0/24,192.168.11.0/24,10.244.0.0/16' });
      expect(modify?.params.ClientToken).toBeDefined();
    });

    it('fails with LeaseHeldError while another holder has the connection lease, and writes nothing', async () => {
      // Prepare
      rig.server.seedVpnConnection('vco-2', ['172.16.0.0/16'], ['192.168.10.0/24']);
      await rig.dynamo.store.acquireLease('alibaba:cn-hangzhou:vpn:vco-2', 'someone-else', 60, new Date());
      const provider = rig.provider();
      const before = rig.server.callsOf('ModifyVpnConnectionAttribute');
      // Act
      const attempt = provider.createEntry({ kind: 'vpn-selector', target: 'vco-2', cidr: '172.16.0.0/16', peerCidr: '10.244.0.0/16' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(LeaseHeldError);
      expect(rig.server.callsOf('ModifyVpnConnectionAttribute')).toBe(before);
      await rig.dynamo.store.releaseLease('alibaba:cn-hangzhou:vpn:vco-2', 'someone-else');
    });

    it('turns VpnTask.CONFLICT into TransientProviderError and releases its lease', async () => {
      // Prepare
      rig.server.seedVpnConnection('vco-3', ['172.16.0.0/16'], ['192.168.10.0/24']);
      rig.server.failNext('ModifyVpnConnectionAttribute', 'VpnTask.CONFLICT');
      const provider = rig.provider();
      const entry = { kind: 'vpn-selector' as const, target: 'vco-3', cidr: '172.16.0.0/16', peerCidr: '10.244.0.0/16' };
      // Act
      const first = provider.createEntry(entry, context);
      // Assess
      await expect(first).rejects.toMatchObject({ name: 'TransientProviderError', code: 'VpnTask.CONFLICT' });
      await expect(provider.createEntry(entry, context)).resolves.toMatchObject({ peerCidr: '10.244.0.0/16' });
    });

    it('refuses to remove the only selector of a connection', async () => {
      // Prepare
      rig.server.seedVpnConnection('vco-4', ['172.16.0.0/16'], ['10.244.0.0/16']);
      const provider = rig.provider();
      // Act
      const attempt = provider.deleteEntry({ kind: 'vpn-selector', target: 'vco-4', cidr: '172.16.0.0/16', peerCidr: '10.244.0.0/16' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UnsupportedChangeError);
      expect(rig.server.vpnConnections.get('vco-4')).toEqual({ local: ['172.16.0.0/16'], remote: ['10.244.0.0/16'] });
    });
  });

  describe('Method: createEntry (vpn-route)', () => {
    it('adds a VPN gateway route, accepts it again, conflicts on another next hop, and deletes it', async () => {
      // Prepare
      rig.server.seedVpnGateway('vpn-gw1', [{ routeDest: '10.0.0.0/8', nextHop: 'vco-idc' }]);
      const provider = rig.provider();
      const entry = { kind: 'vpn-route' as const, target: 'vpn-gw1', cidr: '10.244.0.0/16', nextHop: 'vco-edge' };
      // Act
      await provider.createEntry(entry, context);
      await provider.createEntry(entry, context);
      const conflict = provider.createEntry({ ...entry, cidr: '10.0.0.0/8' }, context);
      // Assess
      await expect(conflict).rejects.toBeInstanceOf(EntryConflictError);
      expect(rig.server.vpnGateways.get('vpn-gw1')?.map((route) => route.routeDest)).toEqual(['10.0.0.0/8', '10.244.0.0/16']);
      await provider.deleteEntry(entry, context);
      await provider.deleteEntry(entry, context);
      expect(rig.server.vpnGateways.get('vpn-gw1')?.map((route) => route.routeDest)).toEqual(['10.0.0.0/8']);
    });
  });

  describe('Method: createEntry (transit-route)', () => {
    it('calls CEN 2017-09-12 through the generic RPC client and waits for Active', async () => {
      // Prepare
      rig.server.seedTransitTable('vtb-tr1', [{ cidr: '10.0.0.0/8', nextHopId: 'tr-attach-idc', type: 'Propagated' }]);
      rig.server.asyncReads = 2;
      const provider = rig.provider();
      // Act
      const created = await provider.createEntry({ kind: 'transit-route', target: 'vtb-tr1', cidr: '10.244.0.0/16', nextHop: 'tr-attach-vpc' }, context);
      // Assess
      expect(created).toMatchObject({ cidr: '10.244.0.0/16', nextHop: 'tr-attach-vpc', description: 'podreach:cls-ack-edge:chg-1', owner: 'podreach' });
      const call = rig.server.calls.find((item) => item.action === 'CreateTransitRouterRouteEntry');
      expect(call).toMatchObject({ version: '2017-09-12', signed: true, params: { TransitRouterRouteEntryNextHopType: 'Attachment' } });
    });

    it('reports a propagated route at the same destination as a conflict', async () => {
      // Prepare
      rig.server.seedTransitTable('vtb-tr2', [{ cidr: '10.0.0.0/8', nextHopId: 'tr-attach-idc', type: 'Propagated' }]);
      const provider = rig.provider();
      // Act
      const attempt = provider.createEntry({ kind: 'cloud-connect-route', target: 'vtb-tr2', cidr: '10.0.0.0/8', nextHop: 'tr-attach-vpc' }, context);
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(EntryConflictError);
    });

    it('deletes only its static route and waits until it is gone', async () => {
      // Prepare
      rig.server.seedTransitTable('vtb-tr3', [{ cidr: '10.0.0.0/8', nextHopId: 'tr-attach-idc' }]);
      const provider = rig.provider();
      const entry = { kind: 'transit-route' as const, target: 'vtb-tr3', cidr: '10.245.0.0/16', nextHop: 'tr-attach-vpc' };
      await provider.createEntry(entry, context);
      // Act
      await provider.deleteEntry(entry, context);
      await provider.deleteEntry(entry, context);
      // Assess
      expect((await provider.listEntries('transit-route', 'vtb-tr3')).map((route) => route.cidr)).toEqual(['10.0.0.0/8']);
    });
  });

  describe('Method: createEntry (sg-rule)', () => {
    it('authorizes through ECS 2014-05-26 and lists the rule back in the neutral port form', async () => {
      // Prepare
      rig.server.seedSecurityGroup('sg-1', [{ protocol: 'tcp', portRange: '443/443', cidr: '0.0.0.0/0' }]);
      const provider = rig.provider();
      // Act
      await provider.createEntry({ kind: 'sg-rule', target: 'sg-1', cidr: '10.244.0.0/16', port: 'icmp' }, context);
      await provider.createEntry({ kind: 'sg-rule', target: 'sg-1', cidr: '10.244.0.0/16', port: 'tcp:30000-32767' }, context);
      const rules = await provider.listEntries('sg-rule', 'sg-1');
      // Assess
      expect(rules.map((rule) => `${rule.cidr} ${rule.port} ${rule.owner}`)).toEqual([
        '0.0.0.0/0 tcp:443 foreign',
        '10.244.0.0/16 icmp podreach',
        '10.244.0.0/16 tcp:30000-32767 podreach',
      ]);
      expect(rig.server.calls.find((call) => call.action === 'AuthorizeSecurityGroup')?.version).toBe('2014-05-26');
    });

    it('reports a missing group as ResourceNotFoundError and lists it as empty', async () => {
      const provider = rig.provider();
      await expect(provider.createEntry({ kind: 'sg-rule', target: 'sg-missing', cidr: '10.0.0.0/8', port: 'tcp:22' }, context)).rejects.toBeInstanceOf(ResourceNotFoundError);
      await expect(provider.listEntries('sg-rule', 'sg-missing')).resolves.toEqual([]);
    });
  });

  describe('Method: createEntry (whitelist-entry)', () => {
    it.each([
      ['redis', 'r-bp1', 'SecurityIpGroupName'],
      ['rds', 'rm-bp1', 'DBInstanceIPArrayName'],
    ])('appends to and deletes from the podreach group of %s, keeping the other groups', async (service, instanceId, groupParam) => {
      // Prepare
      const target = `${service}:${instanceId}`;
      rig.server.seedWhitelist(target, { default: ['127.0.0.1', '192.168.0.0/24'] });
      const provider = rig.provider();
      // Act
      await provider.createEntry({ kind: 'whitelist-entry', target, cidr: '10.244.0.0/16' }, context);
      await provider.createEntry({ kind: 'whitelist-entry', target, cidr: '192.168.0.0/24' }, context);
      const listed = await provider.listEntries('whitelist-entry', target);
      await provider.deleteEntry({ kind: 'whitelist-entry', target, cidr: '10.244.0.0/16' }, context);
      await provider.deleteEntry({ kind: 'whitelist-entry', target, cidr: '192.168.0.0/24' }, context);
      // Assess
      expect(listed.map((item) => `${item.cidr} ${item.owner}`)).toEqual(['127.0.0.1/32 foreign', '192.168.0.0/24 foreign', '10.244.0.0/16 podreach']);
      expect(Object.fromEntries(rig.server.whitelists.get(target) ?? [])).toEqual({ default: ['127.0.0.1', '192.168.0.0/24'] });
      const modes = rig.server.calls.filter((call) => call.action === 'ModifySecurityIps' && call.params[groupParam] === 'podreach').map((call) => call.params.ModifyMode);
      expect(modes).toEqual(['Append', 'Delete']);
    });
  });

  describe('Method: createEntry (subnet-association)', () => {
    it('binds a vSwitch on the system table, and never re-binds one on another custom table', async () => {
      // Prepare
      rig.server.seedVSwitch('vsw-1', 'vtb-system', 'System');
      rig.server.seedVSwitch('vsw-2', 'vtb-other', 'Custom');
      const provider = rig.provider();
      // Act
      const bound = await provider.createEntry({ kind: 'subnet-association', target: 'vsw-1', nextHop: 'vtb-pods' }, context);
      const rebind = provider.createEntry({ kind: 'subnet-association', target: 'vsw-2', nextHop: 'vtb-pods' }, context);
      // Assess
      expect(bound).toMatchObject({ nextHop: 'vtb-pods' });
      await expect(rebind).rejects.toBeInstanceOf(EntryConflictError);
      expect(rig.server.vSwitches.get('vsw-2')?.routeTableId).toBe('vtb-other');
    });
  });

  describe('Method: supports', () => {
    it('blocks bgp-peer with a reason', async () => {
      const provider = rig.provider();
      expect(provider.supports('bgp-peer')).toBe(false);
      await expect(provider.createEntry({ kind: 'bgp-peer', target: 'peer-1', cidr: '10.244.0.0/16', nextHop: '192.168.0.1' }, context)).rejects.toThrow(/gateway/);
    });
  });
});

// Runs last: every call the tests above made the adapter send, as the contract servers received them.
describe('Permissions: the alibaba adapter', () => {
  it('sent only actions its actions table declares (what `podreach permissions --provider alibaba` grants)', () => {
    const sent = sentActions();
    expect(sent).toEqual(expect.arrayContaining(['vpc:CreateRouteEntry', 'cen:CreateTransitRouterRouteEntry', 'ecs:AuthorizeSecurityGroup']));
    expect(undeclared('alibaba', sent)).toEqual([]);
  });
});
