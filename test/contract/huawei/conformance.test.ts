// The shared provider conformance suite, run against the Huawei adapter through the real SDK and the contract server.
import { runProviderConformance } from '../../conformance/suite.js';
import { startHuaweiHarness } from './fixture.js';

runProviderConformance('huawei', async () => {
  const harness = await startHuaweiHarness();
  const { server } = harness;
  server.addRouteTable('rtb-conformance');
  server.addSecurityGroup('sg-conformance');
  server.addDcsInstance('dcs-conformance', [], true);
  return {
    provider: harness.provider(),
    routeTableId: 'rtb-conformance',
    nextHop: { id: 'vpngw-1', type: 'vpn-gateway' },
    otherNextHop: { id: 'pcx-foreign', type: 'peering' },
    seedForeign: async (entry) => {
      if (entry.kind === 'route') {
        const type = entry.nextHopType === 'peering' ? 'peering' : 'vpn';
        server.seedRoute(entry.target, { type, destination: entry.cidr ?? '', nexthop: entry.nextHop ?? '', description: 'added by hand' });
      } else if (entry.kind === 'whitelist-entry') {
        server.seedWhitelist(entry.target.slice('redis:'.length), 'ops-team', entry.cidr ?? '');
      } else {
        throw new Error(`the huawei fixture cannot seed ${entry.kind}`);
      }
    },
    replaceList: {
      kind: 'whitelist-entry',
      target: 'redis:dcs-conformance',
      entry: (index) => ({ kind: 'whitelist-entry', target: 'redis:dcs-conformance', cidr: `172.16.${index}.0/24` }),
    },
    securityGroupId: 'sg-conformance',
    seedAddress: async () => {
      server.addPort({ network_id: 'net-conformance', fixed_ips: [{ ip_address: '172.20.2.27', subnet_id: 'subnet-v4-conformance' }], security_groups: ['sg-conformance'], device_owner: 'compute:cn-north-4a' });
      return { ip: '172.20.2.27', securityGroups: ['sg-conformance'] };
    },
    mutatingCalls: () => server.requests.filter((request) => request.method !== 'GET').length,
    cleanup: () => harness.close(),
  };
});
