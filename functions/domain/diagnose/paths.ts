// Which way a pod's traffic goes to a destination, worked out from the cluster's facts and profile alone (the
// longest match wins, as in a route table): the cluster's own pods, the cluster's VPC, a peer VPC, a VPN's remote
// network, a Direct Connect gateway's data centre, a cloud-connect network, or — for an edge cluster whose pods live
// in the data centre behind BGP speakers (Terway Edge) — the switch, the transit chain and the VPC.
import { cidrContainsIp, parseCidr } from '../cidr.js';
import type { ClusterFacts } from '../model.js';
import type { DirectConnectAttachment, PeeringAttachment, ProfileSpec, VpnAttachment } from '../profile.js';
import { prefixLength } from './endpoints.js';
import type { AddressHolder, Destination } from './model.js';

export type PathChoice =
  | { kind: 'in-cluster'; podCidr: string }
  | { kind: 'same-vpc'; vpcCidrs: string[] }
  | { kind: 'peering'; peering: PeeringAttachment; index: number }
  | { kind: 'vpn'; vpn: VpnAttachment; index: number; remoteCidr: string }
  | { kind: 'direct-connect'; gateway: DirectConnectAttachment; index: number; idcCidr: string }
  | { kind: 'cloud-connect' }
  | { kind: 'bgp-edge'; mode: 'pod' | 'vpc' | 'idc' }
  | { kind: 'none' };

export interface PathCandidates {
  chosen: PathChoice;
  /** Other sections that also hold the destination (a less specific or later match). */
  others: string[];
}

/** The VPC's CIDRs as the profile gives them (spec.vpc: its cidr and secondaryCidrs). */
export function vpcCidrs(profile: ProfileSpec): string[] {
  return profile.vpc ? [profile.vpc.cidr, ...profile.vpc.secondaryCidrs] : [];
}

/** An edge cluster: its pods sit on data-centre nodes whose BGP speakers advertise them to the switch. */
export function isEdgeCluster(profile: ProfileSpec): boolean {
  return (profile.bgp?.peers.length ?? 0) > 0 || profile.bgp?.transit !== undefined;
}

/** The path of the traffic, from the facts and profile; `found` (the destination looked up by address) may settle it. */
export function choosePath(facts: ClusterFacts, profile: ProfileSpec, to: Destination, found?: AddressHolder): PathCandidates {
  const inside = (cidr: string) => parseCidr(cidr) !== undefined && cidrContainsIp(cidr, to.ip);
  const ownPod = facts.podCidrs.find(inside);
  const inVpc = vpcCidrs(profile).some(inside) || (found?.vpcId !== undefined && found.vpcId === facts.vpcId);

  if (isEdgeCluster(profile)) {
    if (ownPod) return { chosen: { kind: 'bgp-edge', mode: 'pod' }, others: [] };
    if (inVpc) return { chosen: { kind: 'bgp-edge', mode: 'vpc' }, others: [] };
    if (profile.bgp?.transit?.idcHostCidrs.some(inside)) return { chosen: { kind: 'bgp-edge', mode: 'idc' }, others: [] };
  }
  if (ownPod) return { chosen: { kind: 'in-cluster', podCidr: ownPod }, others: [] };
  if (inVpc) return { chosen: { kind: 'same-vpc', vpcCidrs: vpcCidrs(profile) }, others: [] };

  // the sections that route the destination away from the VPC: the longest prefix wins, the first listed on a tie
  const matches: { choice: PathChoice; length: number; name: string }[] = [];
  profile.directConnect.forEach((gateway, index) => {
    for (const idcCidr of gateway.idcCidrs.filter(inside)) {
      matches.push({ choice: { kind: 'direct-connect', gateway, index, idcCidr }, length: prefixLength(idcCidr), name: `directConnect ${gateway.gatewayId} (${idcCidr})` });
    }
  });
  profile.vpn.forEach((vpn, index) => {
    for (const remoteCidr of vpn.remoteCidrs.filter(inside)) {
      matches.push({ choice: { kind: 'vpn', vpn, index, remoteCidr }, length: prefixLength(remoteCidr), name: `vpn ${vpn.connectionId} (${remoteCidr})` });
    }
  });
  profile.peering.forEach((peering, index) => {
    const byCidr = inside(peering.peerVpc.cidr);
    if (byCidr || (found?.vpcId !== undefined && found.vpcId === peering.peerVpc.id)) {
      matches.push({ choice: { kind: 'peering', peering, index }, length: byCidr ? prefixLength(peering.peerVpc.cidr) : 0, name: `peering ${peering.connectionId} (${peering.peerVpc.id} ${peering.peerVpc.cidr})` });
    }
  });
  matches.sort((a, b) => b.length - a.length);
  const [best, ...rest] = matches;
  if (best) return { chosen: best.choice, others: rest.map((match) => match.name) };
  if (profile.cloudConnect.length > 0) return { chosen: { kind: 'cloud-connect' }, others: [] };
  return { chosen: { kind: 'none' }, others: [] };
}

/**
 * Whether the destination can be in a cloud account podreach reads (so it is worth looking up by address): not a
 * data-centre host behind Direct Connect, an unmanaged VPN, or the edge switch.
 */
export function destinationInCloud(choice: PathChoice): 'cluster' | 'opposite' | 'none' {
  switch (choice.kind) {
    case 'direct-connect':
    case 'in-cluster':
      return 'none';
    case 'vpn':
      return choice.vpn.opposite ? 'opposite' : 'none';
    case 'bgp-edge':
      return choice.mode === 'vpc' ? 'cluster' : 'none';
    default:
      return 'cluster';
  }
}
