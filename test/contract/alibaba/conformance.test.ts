import { runProviderConformance } from '../../conformance/suite.js';
import { startAlibabaRig } from './fixture.js';

const ROUTE_TABLE = 'vtb-conformance';
const CONNECTION = 'vco-conformance';
const SECURITY_GROUP = 'sg-conformance';

runProviderConformance('alibaba', async () => {
  const rig = await startAlibabaRig();
  rig.server.seedRouteTable(ROUTE_TABLE);
  rig.server.seedVpnConnection(CONNECTION, ['172.16.0.0/16'], ['192.168.0.0/24']);
  rig.server.seedSecurityGroup(SECURITY_GROUP);
  const hopType = { VpnGateway: 'vpn-gateway', VpcPeer: 'peering' } as const;
  return {
    provider: rig.provider(),
    routeTableId: ROUTE_TABLE,
    nextHop: { id: 'vpn-conformance1', type: hopType.VpnGateway },
    otherNextHop: { id: 'pcc-conformance2', type: hopType.VpcPeer },
    securityGroupId: SECURITY_GROUP,
    seedAddress: async () => {
      rig.server.seedNetworkInterface('eni-conformance', { vpcId: 'vpc-conformance', vSwitchId: 'vsw-conformance', ips: ['192.168.3.9', '172.20.2.27'], groups: [SECURITY_GROUP, 'sg-conformance2'] });
      return { ip: '172.20.2.27', securityGroups: [SECURITY_GROUP, 'sg-conformance2'] };
    },
    // every read of the Alibaba APIs podreach calls is a Describe* or List*
    mutatingCalls: () => rig.server.calls.filter((call) => !/^(Describe|List)/.test(call.action)).length,
    replaceList: {
      kind: 'vpn-selector',
      target: CONNECTION,
      entry: (index: number) => ({ kind: 'vpn-selector', target: CONNECTION, cidr: '172.16.0.0/16', peerCidr: `192.168.${index}.0/24` }),
    },
    async seedForeign(entry) {
      if (entry.kind === 'route') {
        rig.server.seedRoute(entry.target, {
          cidr: entry.cidr ?? '',
          nextHopId: entry.nextHop ?? '',
          nextHopType: entry.nextHop?.startsWith('pcc-') ? 'VpcPeer' : 'VpnGateway',
        });
      } else if (entry.kind === 'vpn-selector') {
        const connection = rig.server.vpnConnections.get(entry.target);
        if (!connection) throw new Error(`no connection ${entry.target}`);
        if (entry.cidr && !connection.local.includes(entry.cidr)) connection.local.push(entry.cidr);
        if (entry.peerCidr && !connection.remote.includes(entry.peerCidr)) connection.remote.push(entry.peerCidr);
      } else {
        throw new Error(`seedForeign: ${entry.kind} not seeded by this fixture`);
      }
    },
    cleanup: () => rig.close(),
  };
});
