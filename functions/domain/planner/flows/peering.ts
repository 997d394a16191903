// Peering (CCE guide "Cross-VPC Access"): each peer route table routes, through the peering connection, the
// CIDRs the cluster's traffic comes from, so that the peer's replies come back:
// - every model: the VPC CIDR (spec.vpc.cidr), which holds the nodes;
// - vpc-router: also each container CIDR ("in addition to the VPC CIDR block, the container CIDR block also
//   needs to be connected"): pods leave with their own, non-VPC addresses;
// - overlay: pods leave as their node's IP, so the VPC CIDR is enough; node subnets outside it (in a
//   secondary CIDR) are routed on their own;
// - eni: pods get addresses from VPC subnets (the container subnets: node subnets and container CIDRs), so the
//   VPC CIDR covers them; those outside it are routed on their own.
import { cidrContains, uniqueCidrs } from '../../cidr.js';
import type { ClusterFacts } from '../../model.js';
import type { PeeringAttachment, ProfileSpec } from '../../profile.js';
import type { DesiredState, FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { clusterAccount } from '../../accounts.js';

/** The source CIDRs a peer must route back to the cluster through the peering connection. */
function peeringSources(facts: ClusterFacts, profile: ProfileSpec): string[] {
  const vpcCidr = profile.vpc?.cidr;
  const outsideVpc = (cidr: string) => vpcCidr === undefined || !cidrContains(vpcCidr, cidr);
  const nodeSubnets = facts.nodeSubnets.map((subnet) => subnet.cidr);
  const byModel =
    facts.networkModel === 'vpc-router'
      ? [...facts.podCidrs, ...nodeSubnets.filter(outsideVpc)]
      : facts.networkModel === 'overlay'
        ? nodeSubnets.filter(outsideVpc)
        : [...nodeSubnets, ...facts.podCidrs].filter(outsideVpc);
  return uniqueCidrs([...(vpcCidr ? [vpcCidr] : []), ...byModel]);
}

function designPeering(facts: ClusterFacts, profile: ProfileSpec, peering: PeeringAttachment, state: DesiredState): void {
  // the peer's route tables, in the peer VPC's account
  const account = { provider: facts.provider, region: facts.region, ...clusterAccount(profile, peering.peerVpc.account) };
  const sources = peeringSources(facts, profile);
  if (!profile.vpc) {
    state.warnings.push(`peering ${peering.connectionId}: the profile has no spec.vpc, so the VPC CIDR (the nodes) is not routed from ${peering.peerVpc.id}`);
  }
  if (peering.peerRouteTableIds.length === 0) {
    state.warnings.push(`peering ${peering.connectionId}: no peerRouteTableIds listed, so ${peering.peerVpc.id} gets no route back to ${sources.join(', ')}`);
  }
  for (const routeTableId of peering.peerRouteTableIds) {
    for (const cidr of sources) {
      state.entries.push({ ...account, kind: 'route', target: routeTableId, cidr, nextHop: peering.connectionId, nextHopType: 'peering' });
    }
  }
}

export const peeringDesigner: FlowDesigner = {
  flow: 'peering',
  configured: (profile) => profile.peering.length > 0,
  design(facts, profile) {
    const state = emptyDesiredState();
    for (const peering of profile.peering) designPeering(facts, profile, peering, state);
    return state;
  },
};
