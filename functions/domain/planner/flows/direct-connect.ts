// Direct Connect (TKE guide "Communication over Direct Connect"): the container CIDRs are advertised on the
// gateway, the IDC CIDRs are routed to it in the listed VPC route tables, and with static routing the data
// centre is told which next hop reaches each container CIDR.
import { stringify } from 'yaml';
import { cidrContains, uniqueCidrs } from '../../cidr.js';
import type { ClusterFacts } from '../../model.js';
import type { DirectConnectAttachment, ProfileSpec } from '../../profile.js';
import type { DesiredState, FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';

function designAttachment(facts: ClusterFacts, profile: ProfileSpec, gateway: DirectConnectAttachment, state: DesiredState): void {
  const podCidrs = uniqueCidrs(facts.podCidrs);
  const account = { provider: facts.provider, region: facts.region };
  for (const cidr of podCidrs) {
    state.entries.push({ ...account, kind: 'dx-prefix', target: gateway.gatewayId, cidr });
  }
  for (const routeTableId of gateway.routeTableIds) {
    for (const cidr of uniqueCidrs(gateway.idcCidrs)) {
      state.entries.push({ ...account, kind: 'route', target: routeTableId, cidr, nextHop: gateway.gatewayId, nextHopType: 'dx-gateway' });
    }
  }
  if (gateway.association === 'vgw' && profile.vpc) {
    const vpcCidrs = [profile.vpc.cidr, ...profile.vpc.secondaryCidrs];
    for (const cidr of podCidrs) {
      if (!vpcCidrs.some((vpcCidr) => cidrContains(vpcCidr, cidr))) {
        state.warnings.push(
          `${gateway.gatewayId} is associated with a virtual private gateway, which advertises VPC CIDRs only: ${cidr} is not inside ${vpcCidrs.join(', ')}`,
        );
      }
    }
  }
  if (gateway.routing === 'static') {
    const routes = podCidrs.map((cidr) => ({ destination: cidr, nextHop: gateway.gatewayId }));
    state.artifacts.push({
      kind: 'idc-static-routes',
      name: `idc-static-routes-${gateway.gatewayId}.yaml`,
      flow: 'direct-connect',
      mediaType: 'application/yaml',
      content:
        `# Static routes for the data centre: send each container CIDR of ${facts.clusterId} to Direct Connect gateway ${gateway.gatewayId}.\n` +
        stringify({ clusterId: facts.clusterId, gatewayId: gateway.gatewayId, routes }),
    });
  }
}

export const directConnectDesigner: FlowDesigner = {
  flow: 'direct-connect',
  configured: (profile) => profile.directConnect.length > 0,
  design(facts, profile) {
    const state = emptyDesiredState();
    for (const gateway of profile.directConnect) designAttachment(facts, profile, gateway, state);
    return state;
  },
};
