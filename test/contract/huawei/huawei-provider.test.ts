// The Huawei adapter through @huaweicloud/huaweicloud-sdk-vpc / -core against the local contract server.
import {
  EntryConflictError,
  LeaseHeldError,
  QuotaExceededError,
  ThrottlingError,
  TransientProviderError,
  UnsupportedChangeError,
} from '../../../functions/domain/errors.js';
import type { EntryContext } from '../../../functions/ports/network-provider.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { PROJECT_ID, REGION, startHuaweiHarness, type HuaweiHarness, sentActions } from './fixture.js';
import { undeclared } from '../../support/policy-coverage.js';

const context: EntryContext = { clusterId: 'cls-cce', changeId: 'chg-1' };

describe('Class: HuaweiProvider', () => {
  let harness: HuaweiHarness;

  let dynamo: LocalDynamo;
  let dataDir: string;

  // each test gets its own contract server (its own state and request list); the lease store is shared
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-huawei-test-'));
    dynamo = await startLocalDynamo(dataDir);
  });
  afterAll(async () => {
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    harness = await startHuaweiHarness(dynamo);
  });
  afterEach(async () => {
    await harness?.close();
  });

  describe('Method: createEntry (route)', () => {
    it('sends a signed UpdateRouteTable to the project path and tags the route as podreach', async () => {
      // Prepare
      harness.server.addRouteTable('rtb-signed');
      const provider = harness.provider();
      harness.server.requests.length = 0;

      // Act
      const created = await provider.createEntry({ kind: 'route', target: 'rtb-signed', cidr: '172.20.0.0/16', nextHop: 'dcgw-1', nextHopType: 'dx-gateway' }, context);

      // Assess
      expect(created).toMatchObject({ cidr: '172.20.0.0/16', nextHop: 'dcgw-1', nextHopType: 'dx-gateway', owner: 'podreach' });
      const put = harness.server.requests.find((r) => r.method === 'PUT');
      expect(put?.path).toBe(`/v1/${PROJECT_ID}/routetables/rtb-signed`);
      expect(put?.authorization).toMatch(/^SDK-HMAC-SHA256 Access=TESTAKEXAMPLE, SignedHeaders=.*, Signature=[0-9a-f]+$/);
      expect(put?.projectHeader).toBe(PROJECT_ID);
      expect(harness.server.routeTables.get('rtb-signed')?.routes).toEqual([
        { type: 'dc', destination: '172.20.0.0/16', nexthop: 'dcgw-1', description: 'podreach:cls-cce:chg-1' },
      ]);
    });

    it('reads VPC.2809 from the {code, message} error body and reports a concurrent foreign route as a conflict', async () => {
      // Prepare: a foreign route lands between the adapter's read and its UpdateRouteTable
      harness.server.addRouteTable('rtb-race');
      harness.server.onRequest = (method, path) => {
        if (method === 'PUT' && path.endsWith('/routetables/rtb-race')) {
          harness.server.seedRoute('rtb-race', { type: 'peering', destination: '172.27.0.0/16', nexthop: 'pcx-other' });
          harness.server.onRequest = undefined;
        }
      };

      // Act
      const attempt = harness.provider().createEntry({ kind: 'route', target: 'rtb-race', cidr: '172.27.0.0/16', nextHop: 'vpngw-1', nextHopType: 'vpn-gateway' }, context);

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'EntryConflictError', message: expect.stringContaining('pcx-other') });
      expect(harness.server.routeTables.get('rtb-race')?.routes.map((r) => r.nexthop)).toEqual(['pcx-other']);
    });

    it('rejects a next-hop type Huawei route tables do not take', async () => {
      harness.server.addRouteTable('rtb-types');
      const provider = harness.provider();

      await expect(
        provider.createEntry({ kind: 'route', target: 'rtb-types', cidr: '172.21.0.0/16', nextHop: 'core-1', nextHopType: 'core-switch' }, context),
      ).rejects.toBeInstanceOf(UnsupportedChangeError);
      expect(harness.server.routeTables.get('rtb-types')?.routes).toEqual([]);
    });
  });

  describe('Method: listEntries', () => {
    it('yields nothing for a route table that does not exist', async () => {
      await expect(harness.provider().listEntries('route', 'rtb-missing')).resolves.toEqual([]);
    });

    it('reads a rule whose multiport lists several ports and ranges as one entry each, never as every port', async () => {
      // Prepare
      harness.server.addSecurityGroup('sg-multi');
      harness.server.seedRule('sg-multi', '10.8.0.0/16', 'tcp', '22,80-90');
      // Act
      const entries = await harness.provider().listEntries('sg-rule', 'sg-multi');
      // Assess
      expect(entries.map((entry) => [entry.cidr, entry.port, entry.owner])).toEqual([
        ['10.8.0.0/16', 'tcp:22', 'foreign'],
        ['10.8.0.0/16', 'tcp:80-90', 'foreign'],
      ]);
    });
  });

  describe('Method: createEntry (whitelist-entry)', () => {
    it('waits for the asynchronous whitelist apply and keeps the foreign groups', async () => {
      // Prepare
      harness.server.addDcsInstance('dcs-async', [{ group_name: 'app-servers', ip_list: ['192.168.1.10'] }]);
      harness.server.whitelistApplyDelayMs = 150;
      const provider = harness.provider({ pollIntervalMs: 20, pollTimeoutMs: 3000 });

      // Act
      await provider.createEntry({ kind: 'whitelist-entry', target: 'redis:dcs-async', cidr: '172.16.0.0/16' }, context);

      // Assess: the entry is visible as soon as createEntry returns, next to the foreign group
      harness.server.whitelistApplyDelayMs = 0;
      expect(harness.server.whitelistOf('dcs-async')).toEqual([
        { group_name: 'app-servers', ip_list: ['192.168.1.10'] },
        { group_name: 'podreach', ip_list: ['172.16.0.0/16'] },
      ]);
      const entries = await provider.listEntries('whitelist-entry', 'redis:dcs-async');
      expect(entries.map((e) => [e.cidr, e.owner])).toEqual([
        ['192.168.1.10/32', 'foreign'],
        ['172.16.0.0/16', 'podreach'],
      ]);
    });

    it('gives up polling after pollTimeoutMs with a retryable error and frees the lease', async () => {
      // Prepare
      harness.server.addDcsInstance('dcs-slow');
      harness.server.whitelistApplyDelayMs = 60_000;
      const provider = harness.provider({ pollIntervalMs: 20, pollTimeoutMs: 120 });

      // Act
      const attempt = provider.createEntry({ kind: 'whitelist-entry', target: 'redis:dcs-slow', cidr: '172.17.0.0/16' }, context);

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(TransientProviderError);
      harness.server.whitelistApplyDelayMs = 0;
      const leased = await harness.dynamo.store.acquireLease(`huawei:${REGION}:dcs:dcs-slow`, 'someone-else', 60, new Date());
      expect(leased).toBe(true);
      await harness.dynamo.store.releaseLease(`huawei:${REGION}:dcs:dcs-slow`, 'someone-else');
    });

    it('refuses to add a fifth whitelist group and leaves the whitelist as it was', async () => {
      const groups = ['alpha', 'bravo', 'charlie', 'delta'].map((name, i) => ({ group_name: `${name}-grp`, ip_list: [`10.9.${i}.0/24`] }));
      harness.server.addDcsInstance('dcs-full', groups);

      await expect(
        harness.provider().createEntry({ kind: 'whitelist-entry', target: 'redis:dcs-full', cidr: '172.18.0.0/16' }, context),
      ).rejects.toBeInstanceOf(QuotaExceededError);
      expect(harness.server.whitelistOf('dcs-full')).toEqual(groups);
    });

    it('is LeaseHeldError while another writer holds the instance', async () => {
      harness.server.addDcsInstance('dcs-busy');
      const key = `huawei:${REGION}:dcs:dcs-busy`;
      await harness.dynamo.store.acquireLease(key, 'other-writer', 60, new Date());

      await expect(
        harness.provider().createEntry({ kind: 'whitelist-entry', target: 'redis:dcs-busy', cidr: '172.19.0.0/16' }, context),
      ).rejects.toBeInstanceOf(LeaseHeldError);
      expect(harness.server.whitelistOf('dcs-busy')).toEqual([]);
      await harness.dynamo.store.releaseLease(key, 'other-writer');
    });

    it('blocks services whose access Huawei controls with security groups', async () => {
      await expect(
        harness.provider().createEntry({ kind: 'whitelist-entry', target: 'rds:rds-1', cidr: '172.19.0.0/16' }, context),
      ).rejects.toBeInstanceOf(UnsupportedChangeError);
    });
  });

  describe('Method: createEntry (throttling and faults)', () => {
    it('retries through a short burst of 429 APIGW.0308', async () => {
      harness.server.addRouteTable('rtb-throttle');
      harness.server.throttleNext(2);

      const created = await harness.provider({ maxAttempts: 4 }).createEntry(
        { kind: 'route', target: 'rtb-throttle', cidr: '172.22.0.0/16', nextHop: 'vpngw-1', nextHopType: 'vpn-gateway' },
        context,
      );

      expect(created.nextHop).toBe('vpngw-1');
    });

    it('is ThrottlingError once the attempts are used up', async () => {
      harness.server.addRouteTable('rtb-throttle-hard');
      harness.server.throttleNext(3);

      await expect(
        harness.provider({ maxAttempts: 3 }).createEntry(
          { kind: 'route', target: 'rtb-throttle-hard', cidr: '172.23.0.0/16', nextHop: 'vpngw-1', nextHopType: 'vpn-gateway' },
          context,
        ),
      ).rejects.toBeInstanceOf(ThrottlingError);
    });

    it('is TransientProviderError on a 5xx', async () => {
      harness.server.addRouteTable('rtb-500');
      harness.server.failNext(503);

      await expect(harness.provider().listEntries('route', 'rtb-500')).rejects.toBeInstanceOf(TransientProviderError);
    });
  });

  describe('Method: createEntry / deleteEntry (vpn-selector)', () => {
    it('adds a destination to the rule of its source, keeps foreign rules, and removes only its own pair', async () => {
      // Prepare
      harness.server.addVpnConnection('vpn-policy', [{ rule_index: 1, source: '192.168.0.0/16', destination: ['10.20.0.0/16'] }]);
      const provider = harness.provider();
      const mine = { kind: 'vpn-selector' as const, target: 'vpn-policy', cidr: '172.24.0.0/16', peerCidr: '10.20.0.0/16' };

      // Act
      await provider.createEntry(mine, context);
      await provider.createEntry(mine, context);

      // Assess
      expect(harness.server.vpnConnections.get('vpn-policy')?.rules).toEqual([
        { rule_index: 1, source: '192.168.0.0/16', destination: ['10.20.0.0/16'] },
        { rule_index: 2, source: '172.24.0.0/16', destination: ['10.20.0.0/16'] },
      ]);
      await provider.deleteEntry(mine, context);
      expect(harness.server.vpnConnections.get('vpn-policy')?.rules).toEqual([{ rule_index: 1, source: '192.168.0.0/16', destination: ['10.20.0.0/16'] }]);
    });

    it('is QuotaExceededError beyond five policy rules', async () => {
      const rules = [1, 2, 3, 4, 5].map((i) => ({ rule_index: i, source: `192.168.${i}.0/24`, destination: ['10.20.0.0/16'] }));
      harness.server.addVpnConnection('vpn-full', rules);

      await expect(
        harness.provider().createEntry({ kind: 'vpn-selector', target: 'vpn-full', cidr: '172.25.0.0/16', peerCidr: '10.20.0.0/16' }, context),
      ).rejects.toBeInstanceOf(QuotaExceededError);
      expect(harness.server.vpnConnections.get('vpn-full')?.rules).toEqual(rules);
    });
  });

  describe('Method: createEntry (subnet-association)', () => {
    it('moves a subnet out of the default table but never out of a custom one', async () => {
      // Prepare
      harness.server.addRouteTable('rtb-default', { vpcId: 'vpc-cce', isDefault: true, subnets: ['subnet-a', 'subnet-b'] });
      harness.server.addRouteTable('rtb-custom', { vpcId: 'vpc-cce', subnets: [] });
      harness.server.addRouteTable('rtb-chosen', { vpcId: 'vpc-cce', subnets: ['subnet-c'] });
      const provider = harness.provider();

      // Act
      const bound = await provider.createEntry({ kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-custom' }, context);
      const conflict = provider.createEntry({ kind: 'subnet-association', target: 'subnet-c', nextHop: 'rtb-custom' }, context);

      // Assess
      expect(bound.nextHop).toBe('rtb-custom');
      await expect(conflict).rejects.toBeInstanceOf(EntryConflictError);
      expect(harness.server.routeTables.get('rtb-chosen')?.subnets).toEqual(['subnet-c']);
      expect(harness.server.routeTables.get('rtb-custom')?.subnets).toEqual(['subnet-a']);
    });
  });

  describe('Method: createEntry / deleteEntry (dx-prefix)', () => {
    it('edits the virtual gateway local_ep_group and keeps the other prefixes', async () => {
      harness.server.addVirtualGateway('vgw-1', ['192.168.0.0/16']);
      const provider = harness.provider();
      const prefix = { kind: 'dx-prefix' as const, target: 'vgw-1', cidr: '172.26.0.0/16' };

      await provider.createEntry(prefix, context);
      expect(harness.server.virtualGateways.get('vgw-1')).toEqual(['192.168.0.0/16', '172.26.0.0/16']);
      await provider.deleteEntry(prefix, context);

      expect(harness.server.virtualGateways.get('vgw-1')).toEqual(['192.168.0.0/16']);
    });
  });

  describe('Method: supports', () => {
    it('blocks bgp-peer and transit routes with a reason', async () => {
      const provider = harness.provider();

      expect(provider.supports('bgp-peer')).toBe(false);
      await expect(provider.createEntry({ kind: 'transit-route', target: 'er-rt-1', cidr: '10.0.0.0/16' }, context)).rejects.toThrow(/Enterprise Router/);
    });
  });
});

// Runs last: every call the tests above made the adapter send, as the contract servers received them.
describe('Permissions: the huawei adapter', () => {
  it('sent only actions its actions table declares (what `podreach permissions --provider huawei` grants)', () => {
    const sent = sentActions();
    expect(sent).toEqual(expect.arrayContaining(['vpc:routeTables:update', 'dcs:whitelist:modify', 'vpn:vpnConnections:update']));
    expect(undeclared('huawei', sent)).toEqual([]);
  });
});
