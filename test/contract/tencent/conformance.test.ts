// The shared provider conformance suite, run against the tencent adapter through tencentcloud-sdk-nodejs
// and the local TC3 contract server.
import { runProviderConformance } from '../../conformance/suite.js';
import { IDS, startTencentHarness } from './fixture.js';

runProviderConformance('tencent', async () => {
  const harness = await startTencentHarness();
  return {
    provider: harness.provider,
    routeTableId: IDS.routeTable,
    nextHop: { id: IDS.vpnGateway, type: 'vpn-gateway' },
    otherNextHop: { id: IDS.peering, type: 'peering' },
    seedForeign: async (entry) => harness.server.seedNetworkEntry(entry),
    replaceList: {
      kind: 'vpn-selector',
      target: IDS.vpnConnection,
      entry: (index) => ({ kind: 'vpn-selector', target: IDS.vpnConnection, cidr: `10.30.${index}.0/24`, peerCidr: `192.168.${index}.0/24` }),
    },
    securityGroupId: IDS.securityGroup,
    seedAddress: async () => {
      harness.server.seedNetworkInterface('eni-conformance', { vpcId: IDS.vpc, subnetId: 'subnet-conformance', ips: ['192.168.3.9', '172.20.2.27'], groups: [IDS.securityGroup], description: 'a CVM' });
      return { ip: '172.20.2.27', securityGroups: [IDS.securityGroup] };
    },
    // every read of the Tencent APIs podreach calls is a Describe*
    mutatingCalls: () => harness.server.calls.filter((call) => !call.action.startsWith('Describe')).length,
    cleanup: () => harness.close(),
  };
});
