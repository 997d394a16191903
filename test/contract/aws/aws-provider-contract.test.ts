// The AWS adapter, through the real SDK, against the local contract server for what moto lacks: VPN static
// routes and the single-CIDR selector pair, transit gateway routes with their attachments, Direct Connect gateway
// allowed prefixes, and how throttling / server faults / unknown errors come out.
import { DirectConnectClient } from '@aws-sdk/client-direct-connect';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AwsProvider } from '../../../functions/adapters/aws/aws-provider.js';
import {
  EntryConflictError,
  PodreachError,
  QuotaExceededError,
  ThrottlingError,
  TransientProviderError,
  UnsupportedChangeError,
} from '../../../functions/domain/errors.js';
import type { NetworkEntry } from '../../../functions/domain/model.js';
import type { EntryContext } from '../../../functions/ports/network-provider.js';
import { undeclared } from '../../support/policy-coverage.js';
import { startAwsContractServer, type AwsContractServer } from './aws-contract-server.js';

const context: EntryContext = { clusterId: 'cls-contract', changeId: 'chg-contract' };
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

describe('Class: AwsProvider (contract server)', () => {
  let server: AwsContractServer;
  let provider: AwsProvider;
  let ec2: EC2Client;
  let directConnect: DirectConnectClient;

  beforeAll(async () => {
    server = await startAwsContractServer();
    const config = { endpoint: server.endpoint, region: 'us-east-1', credentials, maxAttempts: 2, retryMode: 'adaptive' };
    ec2 = new EC2Client(config);
    directConnect = new DirectConnectClient(config);
    provider = new AwsProvider({ ec2, directConnect });
  });
  afterAll(async () => {
    ec2.destroy();
    directConnect.destroy();
    await server.stop();
  });
  beforeEach(() => {
    const { state } = server;
    state.vpnConnections.clear();
    state.vpnConnections.set('vpn-0a1', { id: 'vpn-0a1', vpnGatewayId: 'vgw-0a1', state: 'available', routes: [{ cidr: '192.168.10.0/24', source: 'Static', state: 'available' }] });
    state.vpnConnections.set('vpn-0b2', {
      id: 'vpn-0b2',
      vpnGatewayId: 'vgw-0b2',
      state: 'available',
      localIpv4NetworkCidr: '192.168.0.0/16',
      remoteIpv4NetworkCidr: '10.0.0.0/16',
      routes: [],
    });
    state.transitRouteTables.clear();
    state.transitRouteTables.set('tgw-rtb-0a1', {
      transitGatewayId: 'tgw-0a1',
      routes: new Map([['10.99.0.0/16', { type: 'propagated', state: 'active', attachmentId: 'tgw-attach-0b2' }]]),
    });
    state.transitAttachments.splice(0, state.transitAttachments.length,
      { id: 'tgw-attach-0a1', transitGatewayId: 'tgw-0a1', resourceId: 'vpc-0a1', state: 'available' },
      { id: 'tgw-attach-0b2', transitGatewayId: 'tgw-0a1', resourceId: 'vpc-0b2', state: 'available' },
    );
    state.knownDxGateways.clear();
    state.knownDxGateways.add('dxgw-tgw');
    state.knownDxGateways.add('dxgw-vgw');
    state.dxAssociations.splice(0, state.dxAssociations.length,
      {
        associationId: 'assoc-tgw',
        directConnectGatewayId: 'dxgw-tgw',
        associatedGateway: { id: 'tgw-0a1', type: 'transitGateway' },
        associationState: 'associated',
        allowedPrefixes: ['10.0.0.0/16'],
      },
      {
        associationId: 'assoc-vgw',
        directConnectGatewayId: 'dxgw-vgw',
        associatedGateway: { id: 'vgw-0a1', type: 'virtualPrivateGateway' },
        associationState: 'associated',
        allowedPrefixes: ['172.16.0.0/16'],
        vpcCidrs: ['172.16.0.0/16'],
      },
    );
    server.calls.length = 0;
    server.clearFailures();
  });

  describe('Method: createEntry / deleteEntry (vpn-route)', () => {
    const vpnRoute = (cidr: string): NetworkEntry => ({ kind: 'vpn-route', target: 'vpn-0a1', cidr });

    it('adds a static route once, however often it is applied, and keeps the others', async () => {
      // Act
      await provider.createEntry(vpnRoute('10.244.0.0/16'), context);
      await provider.createEntry(vpnRoute('10.244.0.0/16'), context);

      // Assess
      const routes = await provider.listEntries('vpn-route', 'vpn-0a1');
      expect(routes.map((r) => r.cidr).sort()).toEqual(['10.244.0.0/16', '192.168.10.0/24']);
      expect(server.calls.filter((c) => c === 'CreateVpnConnectionRoute')).toHaveLength(1);
    });

    it('reads routes through the VPN gateway with the connection as next hop', async () => {
      // Act
      await provider.createEntry({ kind: 'vpn-route', target: 'vgw-0a1', cidr: '10.245.0.0/16', nextHop: 'vpn-0a1' }, context);

      // Assess
      const routes = await provider.listEntries('vpn-route', 'vgw-0a1');
      expect(routes.find((r) => r.cidr === '10.245.0.0/16')).toMatchObject({ target: 'vgw-0a1', nextHop: 'vpn-0a1' });
    });

    it('removes only its route, and removing a missing route succeeds', async () => {
      // Prepare
      await provider.createEntry(vpnRoute('10.246.0.0/16'), context);

      // Act
      await provider.deleteEntry(vpnRoute('10.246.0.0/16'), context);
      await provider.deleteEntry(vpnRoute('10.246.0.0/16'), context);

      // Assess
      expect((await provider.listEntries('vpn-route', 'vpn-0a1')).map((r) => r.cidr)).toEqual(['192.168.10.0/24']);
    });

    it('lists a connection that does not exist as empty', async () => {
      await expect(provider.listEntries('vpn-route', 'vpn-missing')).resolves.toEqual([]);
    });
  });

  describe('Method: createEntry / deleteEntry (vpn-selector)', () => {
    const selector = (cidr: string, peerCidr?: string): NetworkEntry => ({ kind: 'vpn-selector', target: 'vpn-0b2', cidr, ...(peerCidr ? { peerCidr } : {}) });

    it('lists the one selector pair of a connection (AWS side as cidr, customer side as peerCidr)', async () => {
      await expect(provider.listEntries('vpn-selector', 'vpn-0b2')).resolves.toEqual([
        { kind: 'vpn-selector', target: 'vpn-0b2', cidr: '10.0.0.0/16', peerCidr: '192.168.0.0/16' },
      ]);
    });

    it('treats a selector already covered by the pair as applied, without changing the connection', async () => {
      // Act
      const result = await provider.createEntry(selector('10.0.128.0/17', '192.168.1.0/24'), context);

      // Assess
      expect(result).toMatchObject({ cidr: '10.0.0.0/16', peerCidr: '192.168.0.0/16' });
      expect(server.calls).not.toContain('ModifyVpnConnectionOptions');
    });

    it('blocks a selector outside the single CIDR, explaining the limit, and changes nothing', async () => {
      // Act
      const attempt = provider.createEntry(selector('10.244.0.0/16'), context);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(UnsupportedChangeError);
      await expect(provider.createEntry(selector('10.244.0.0/16'), context)).rejects.toThrow(/one CIDR per side.*route-based/);
      expect(server.state.vpnConnections.get('vpn-0b2')?.remoteIpv4NetworkCidr).toBe('10.0.0.0/16');
      expect(server.calls).not.toContain('ModifyVpnConnectionOptions');
    });

    it('widens the AWS side to a covering CIDR the domain planned, keeping what it covered', async () => {
      // Act
      const result = await provider.createEntry(selector('10.0.0.0/8'), context);

      // Assess
      expect(result).toMatchObject({ cidr: '10.0.0.0/8', peerCidr: '192.168.0.0/16' });
      expect(server.state.vpnConnections.get('vpn-0b2')).toMatchObject({ remoteIpv4NetworkCidr: '10.0.0.0/8', localIpv4NetworkCidr: '192.168.0.0/16' });
    });

    it('accepts anything on a route-based connection (0.0.0.0/0 both sides)', async () => {
      await expect(provider.createEntry({ kind: 'vpn-selector', target: 'vpn-0a1', cidr: '10.244.0.0/16', peerCidr: '192.168.0.0/16' }, context)).resolves.toMatchObject({
        cidr: '0.0.0.0/0',
        peerCidr: '0.0.0.0/0',
      });
    });

    it('deleting a selector only covered by the pair leaves the pair; deleting the pair itself is blocked', async () => {
      // Act
      await provider.deleteEntry(selector('10.0.1.0/24'), context);
      const exact = provider.deleteEntry(selector('10.0.0.0/16', '192.168.0.0/16'), context);

      // Assess
      await expect(exact).rejects.toBeInstanceOf(UnsupportedChangeError);
      expect(server.state.vpnConnections.get('vpn-0b2')).toMatchObject({ remoteIpv4NetworkCidr: '10.0.0.0/16', localIpv4NetworkCidr: '192.168.0.0/16' });
    });
  });

  describe('Method: createEntry / updateEntry / deleteEntry (transit-route)', () => {
    const transit = (cidr: string, nextHop: string): NetworkEntry => ({ kind: 'transit-route', target: 'tgw-rtb-0a1', cidr, nextHop });

    it('creates a static route once, however often it is applied', async () => {
      // Act
      const first = await provider.createEntry(transit('10.20.0.0/16', 'tgw-attach-0a1'), context);
      const second = await provider.createEntry(transit('10.20.0.0/16', 'tgw-attach-0a1'), context);

      // Assess
      expect(second).toEqual(first);
      expect(first).toMatchObject({ kind: 'transit-route', cidr: '10.20.0.0/16', nextHop: 'tgw-attach-0a1', description: 'static' });
      expect(server.calls.filter((c) => c === 'CreateTransitGatewayRoute')).toHaveLength(1);
    });

    it('never overrides a propagated route with the same destination', async () => {
      // Act
      const attempt = provider.createEntry(transit('10.99.0.0/16', 'tgw-attach-0a1'), context);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(EntryConflictError);
      expect(server.state.transitRouteTables.get('tgw-rtb-0a1')?.routes.get('10.99.0.0/16')).toMatchObject({ type: 'propagated', attachmentId: 'tgw-attach-0b2' });
    });

    it('reports a foreign static route to another attachment as a conflict, untouched', async () => {
      // Prepare
      server.state.transitRouteTables.get('tgw-rtb-0a1')?.routes.set('10.21.0.0/16', { type: 'static', state: 'active', attachmentId: 'tgw-attach-0b2' });

      // Act
      const attempt = provider.createEntry(transit('10.21.0.0/16', 'tgw-attach-0a1'), context);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(EntryConflictError);
      expect(server.state.transitRouteTables.get('tgw-rtb-0a1')?.routes.get('10.21.0.0/16')?.attachmentId).toBe('tgw-attach-0b2');
    });

    it('deletes its own route, leaves foreign and propagated ones, and a second delete succeeds', async () => {
      // Prepare
      await provider.createEntry(transit('10.22.0.0/16', 'tgw-attach-0a1'), context);
      server.state.transitRouteTables.get('tgw-rtb-0a1')?.routes.set('10.23.0.0/16', { type: 'static', state: 'active', attachmentId: 'tgw-attach-0b2' });

      // Act
      await provider.deleteEntry(transit('10.22.0.0/16', 'tgw-attach-0a1'), context);
      await provider.deleteEntry(transit('10.22.0.0/16', 'tgw-attach-0a1'), context);
      await provider.deleteEntry(transit('10.23.0.0/16', 'tgw-attach-0a1'), context);
      await provider.deleteEntry(transit('10.99.0.0/16', 'tgw-attach-0b2'), context);

      // Assess
      const listed = await provider.listEntries('transit-route', 'tgw-rtb-0a1');
      expect(listed.map((e) => [e.cidr, e.nextHop, e.owner ?? 'unknown']).sort()).toEqual([
        ['10.23.0.0/16', 'tgw-attach-0b2', 'unknown'],
        ['10.99.0.0/16', 'tgw-attach-0b2', 'foreign'],
      ]);
    });

    it('moves an owned route to another attachment', async () => {
      // Prepare
      await provider.createEntry(transit('10.24.0.0/16', 'tgw-attach-0a1'), context);

      // Act
      const updated = await provider.updateEntry(transit('10.24.0.0/16', 'tgw-attach-0b2'), context);

      // Assess
      expect(updated.nextHop).toBe('tgw-attach-0b2');
      expect(server.calls).toContain('ReplaceTransitGatewayRoute');
    });

    it('registers a cloud-connect route to a VPC as a static route to its attachment', async () => {
      // Act
      const created = await provider.createEntry({ kind: 'cloud-connect-route', target: 'tgw-rtb-0a1', cidr: '10.25.0.0/16', nextHop: 'vpc-0b2', enabled: true }, context);

      // Assess
      expect(created).toMatchObject({ kind: 'cloud-connect-route', nextHop: 'tgw-attach-0b2', enabled: true });
      expect(server.state.transitRouteTables.get('tgw-rtb-0a1')?.routes.get('10.25.0.0/16')).toMatchObject({ type: 'static', attachmentId: 'tgw-attach-0b2' });
    });

    it('blocks a cloud-connect route on something that is not a transit gateway route table', async () => {
      await expect(provider.createEntry({ kind: 'cloud-connect-route', target: 'cen-123', cidr: '10.26.0.0/16', nextHop: 'vpc-0b2' }, context)).rejects.toBeInstanceOf(
        UnsupportedChangeError,
      );
    });

    it('lists a route table that does not exist as empty', async () => {
      await expect(provider.listEntries('transit-route', 'tgw-rtb-missing')).resolves.toEqual([]);
    });
  });

  describe('Method: createEntry / deleteEntry (dx-prefix)', () => {
    const prefix = (target: string, cidr: string): NetworkEntry => ({ kind: 'dx-prefix', target, cidr });

    it('adds an allowed prefix to a transit gateway association once, keeping the others', async () => {
      // Act
      await provider.createEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);
      const second = await provider.createEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);

      // Assess
      expect(second).toMatchObject({ nextHop: 'tgw-0a1', resourceId: 'assoc-tgw' });
      expect(server.state.dxAssociations.find((a) => a.associationId === 'assoc-tgw')?.allowedPrefixes).toEqual(['10.0.0.0/16', '10.244.0.0/16']);
      expect(server.calls.filter((c) => c === 'UpdateDirectConnectGatewayAssociation')).toHaveLength(1);
    });

    it('refuses a 21st prefix on a transit gateway association with a quota error', async () => {
      // Prepare
      const association = server.state.dxAssociations.find((a) => a.associationId === 'assoc-tgw');
      if (!association) throw new Error('fixture');
      association.allowedPrefixes = Array.from({ length: 20 }, (_, i) => `10.${100 + i}.0.0/16`);

      // Act
      const attempt = provider.createEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(QuotaExceededError);
      expect(association.allowedPrefixes).toHaveLength(20);
    });

    it('blocks a prefix on a virtual private gateway association: it advertises VPC CIDRs only', async () => {
      // Act
      const attempt = provider.createEntry(prefix('dxgw-vgw', '10.244.0.0/16'), context);

      // Assess
      await expect(attempt).rejects.toThrow(/VPC CIDRs only/);
      await expect(provider.createEntry(prefix('dxgw-vgw', '172.16.0.0/16'), context)).resolves.toMatchObject({ nextHop: 'vgw-0a1' });
    });

    it('says an association in the middle of an update is transient', async () => {
      // Prepare
      const association = server.state.dxAssociations.find((a) => a.associationId === 'assoc-tgw');
      if (association) association.associationState = 'updating';

      // Act / Assess
      await expect(provider.createEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context)).rejects.toBeInstanceOf(TransientProviderError);
    });

    it('removes its prefix, and removing a missing prefix succeeds', async () => {
      // Prepare
      await provider.createEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);

      // Act
      await provider.deleteEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);
      await provider.deleteEntry(prefix('dxgw-tgw', '10.244.0.0/16'), context);

      // Assess
      expect((await provider.listEntries('dx-prefix', 'dxgw-tgw')).map((e) => e.cidr)).toEqual(['10.0.0.0/16']);
    });

    it('lists a gateway that does not exist as empty', async () => {
      await expect(provider.listEntries('dx-prefix', 'dxgw-missing')).resolves.toEqual([]);
    });
  });

  describe('Method: error translation', () => {
    it('retries throttling through the SDK and succeeds when it stops', async () => {
      // Prepare
      server.failNext({ action: 'DescribeVpnConnections', code: 'RequestLimitExceeded', status: 503, times: 1 });

      // Act
      const routes = await provider.listEntries('vpn-route', 'vpn-0a1');

      // Assess
      expect(routes.map((r) => r.cidr)).toEqual(['192.168.10.0/24']);
      expect(server.calls.filter((c) => c === 'DescribeVpnConnections')).toHaveLength(2);
    });

    it('turns throttling that outlasts the SDK retries into ThrottlingError', async () => {
      server.failNext({ action: 'DescribeVpnConnections', code: 'RequestLimitExceeded', status: 503, times: 5 });
      await expect(provider.listEntries('vpn-route', 'vpn-0a1')).rejects.toBeInstanceOf(ThrottlingError);
    });

    it('turns a server fault into TransientProviderError (EC2 and Direct Connect)', async () => {
      server.failNext({ action: 'SearchTransitGatewayRoutes', code: 'InternalError', status: 500, times: 5 });
      server.failNext({ action: 'DescribeDirectConnectGatewayAssociations', code: 'DirectConnectServerException', status: 500, times: 5 });
      await expect(provider.listEntries('transit-route', 'tgw-rtb-0a1')).rejects.toBeInstanceOf(TransientProviderError);
      await expect(provider.listEntries('dx-prefix', 'dxgw-tgw')).rejects.toBeInstanceOf(TransientProviderError);
    });

    it('rethrows an error it does not know, unchanged', async () => {
      // Prepare
      server.failNext({ action: 'CreateVpnConnectionRoute', code: 'UnauthorizedOperation', status: 403, times: 1 });

      // Act
      const error: unknown = await provider.createEntry({ kind: 'vpn-route', target: 'vpn-0a1', cidr: '10.247.0.0/16' }, context).catch((e: unknown) => e);

      // Assess
      expect(error).not.toBeInstanceOf(PodreachError);
      expect((error as Error).name).toBe('UnauthorizedOperation');
    });
  });

  // Runs last: every call the tests above made the adapter send.
  describe('Permissions', () => {
    it('sent only actions its IAM actions table declares (what `podreach permissions` and the deployed roles grant)', () => {
      expect(server.sent).toEqual(expect.arrayContaining(['ec2:ModifyVpnConnectionOptions', 'ec2:CreateTransitGatewayRoute', 'directconnect:UpdateDirectConnectGatewayAssociation']));
      expect(undeclared('aws', server.sent)).toEqual([]);
    });
  });
});
