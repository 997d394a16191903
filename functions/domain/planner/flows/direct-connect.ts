// Direct Connect (TKE guide "Communication over Direct Connect"): the container CIDRs are advertised on the
// gateway, the IDC CIDRs are routed to it in the listed VPC route tables, and with static routing the data
// centre is told which next hop reaches each container CIDR.
// On AWS a route table cannot target a Direct Connect gateway: the IDC CIDRs go to the virtual private gateway or
// transit gateway associated with it, and the advertisement is the allowed prefixes of that association.
// On Tencent the container network is opened on a Direct Connect gateway by a ticket (the guide's step 6): the
// plan renders the ticket's facts; the dx-prefix change then only verifies what the API shows.
import { stringify } from 'yaml';
import { cidrContains, uniqueCidrs } from '../../cidr.js';
import type { ClusterFacts, NextHopType } from '../../model.js';
import type { DirectConnectAttachment, ProfileSpec } from '../../profile.js';
import type { DesiredState, FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { clusterAccount, networkAccount } from '../../accounts.js';

/** Where routes to the data centre point: the DX gateway, or on AWS the gateway associated with it. */
function routeHop(gateway: DirectConnectAttachment): { nextHop: string; nextHopType: NextHopType } {
  if (gateway.association && gateway.associatedGatewayId) {
    return { nextHop: gateway.associatedGatewayId, nextHopType: gateway.association === 'vgw' ? 'vpn-gateway' : 'transit-router' };
  }
  return { nextHop: gateway.gatewayId, nextHopType: 'dx-gateway' };
}

function ticketArtifact(facts: ClusterFacts, gateway: DirectConnectAttachment, podCidrs: string[], state: DesiredState): void {
  if (!gateway.appId) state.warnings.push(`directConnect ${gateway.gatewayId}: appId is not set; fill in the ticket's appID by hand`);
  const ticket = {
    region: facts.region,
    appId: gateway.appId ?? null,
    clusterId: facts.clusterId,
    vpcId: facts.vpcId,
    directConnectGatewayId: gateway.gatewayId,
    containerCidrs: podCidrs,
  };
  state.artifacts.push({
    kind: 'tke-dx-container-network-ticket',
    name: `tke-dx-ticket-${gateway.gatewayId}.yaml`,
    flow: 'direct-connect',
    mediaType: 'application/yaml',
    content:
      `# Submit a ticket to Tencent Cloud (TKE) to open the container network of ${facts.clusterId} on Direct Connect gateway ${gateway.gatewayId}.\n` +
      (gateway.routing === 'bgp'
        ? '# The IDC speaks BGP: once opened, the container CIDRs are synchronised to it automatically.\n'
        : '# Static routing: once opened, route each container CIDR to the Direct Connect gateway in the IDC (see the idc-static-routes artifact).\n') +
      stringify(ticket),
  });
}

function designAttachment(facts: ClusterFacts, profile: ProfileSpec, gateway: DirectConnectAttachment, state: DesiredState): void {
  const podCidrs = uniqueCidrs(facts.podCidrs);
  const place = { provider: facts.provider, region: facts.region };
  // the gateway's prefixes in its (network) account; the IDC routes in the cluster VPC's route tables
  const gatewayAccount = { ...place, ...networkAccount(profile, gateway.account) };
  const account = { ...place, ...clusterAccount(profile) };
  const associated = gateway.association && gateway.associatedGatewayId ? { nextHop: gateway.associatedGatewayId } : {};
  for (const cidr of podCidrs) {
    state.entries.push({ ...gatewayAccount, kind: 'dx-prefix', target: gateway.gatewayId, cidr, ...associated });
  }
  for (const routeTableId of gateway.routeTableIds) {
    for (const cidr of uniqueCidrs(gateway.idcCidrs)) {
      state.entries.push({ ...account, kind: 'route', target: routeTableId, cidr, ...routeHop(gateway) });
    }
  }
  if (facts.provider === 'tencent' && podCidrs.length > 0) ticketArtifact(facts, gateway, podCidrs, state);
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
