// BGP edge (Alibaba ACK Edge guide "Use Terway Edge ... complex on-premises network"): nodes chosen as BGP
// speakers advertise every selected node's pod subnet to the data centre switch, so the switch routes pod traffic
// to the right node without NAT. Those pod routes are not cloud entries: the BGPPeer is a Kubernetes object and the
// switch learns the routes over BGP, so no provider can apply them. Like the IDC's static routes and an unmanaged
// far VPN tunnel, a valid peer therefore yields artifacts only: the BGPPeer YAML and the switch checklist (its
// neighbours, restart timer, and every covered node's pod route with the node as next hop; a pod route inside a
// container CIDR that a blocking conflict concerns is left out, with a warning). A peer breaking a rule
// of the guide yields one peer-level bgp-peer change, blocked with the broken rules, and no artifact. With
// `transit` the flow lays the cloud edge's downlink (VPC -> transit router -> border router -> core switch) and
// uplink (border router -> transit router -> VPC) routes: those are its only applied changes. Per-node bgp-peer
// rows an earlier version applied are no longer desired, so the generic owned-delete (diff.ts) removes them.
import { stringify } from 'yaml';
import { parseCidr, uniqueCidrs } from '../../cidr.js';
import type { ConflictCheck } from '../../conflicts.js';
import { MIN_SPEAKERS, reviewBgpPeer, selectorMatches, selectorText } from '../../bgp/peer-rules.js';
import type { ClusterFacts, NodeFacts } from '../../model.js';
import type { BgpPeer, BgpTransit, ProfileSpec } from '../../profile.js';
import type { DesiredState, FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { clusterAccount, networkAccount } from '../../accounts.js';

const BGP_PEER_API_VERSION = 'network.openyurt.io/v1alpha1';

interface CoveredNode {
  node: NodeFacts;
  podCidr: string;
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Known nodes the peer's selector picks, in name order. */
function selectedNodes(facts: ClusterFacts, peer: BgpPeer): NodeFacts[] {
  return Object.values(facts.nodes)
    .filter((node) => selectorMatches(peer.nodeSelector, node.labels))
    .sort(byName);
}

function coveredNodes(facts: ClusterFacts, peer: BgpPeer, state: DesiredState): CoveredNode[] {
  const covered: CoveredNode[] = [];
  for (const node of selectedNodes(facts, peer)) {
    const parsed = node.podCidr === undefined ? undefined : parseCidr(node.podCidr);
    if (!parsed) {
      state.warnings.push(
        `BGPPeer ${peer.name}: node ${node.name} is selected but its pod CIDR is ${node.podCidr === undefined ? 'unknown' : `not a CIDR (${node.podCidr})`}; no route to it is expected on the switch`,
      );
      continue;
    }
    covered.push({ node, podCidr: parsed.cidr });
  }
  return covered;
}

/** What address a checklist gives a speaker's neighbour statement when no Node Added event has said its IP yet. */
export const UNKNOWN_ADDRESS = 'unknown';

/**
 * The speaker's address for the switch's neighbour statement: its IP when a Node Added event said it. A node
 * name is not an address the switch can peer with, so an unknown IP is written as "unknown", never as the name.
 */
function speakerNeighbour(facts: ClusterFacts, speaker: string, remoteAsNumber: number) {
  const ip = facts.nodes[speaker]?.ip;
  return ip !== undefined
    ? { speaker, address: ip, remoteAsNumber }
    : { speaker, address: UNKNOWN_ADDRESS, remoteAsNumber, note: `the IP of ${speaker} is not known yet (no Node Added event for it): add this neighbour once it joins` };
}

/** Speakers whose node was removed (a Node Removed left its tombstone in seen.nodes) and is not back. */
function removedSpeakers(facts: ClusterFacts, peer: BgpPeer): string[] {
  return [...new Set(peer.speakers)].filter((speaker) => facts.nodes[speaker] === undefined && facts.seen.nodes[speaker] !== undefined);
}

function bgpPeerManifest(peer: BgpPeer, speakers: readonly string[]): string {
  const selector = selectorText(peer.nodeSelector);
  const resource = {
    apiVersion: BGP_PEER_API_VERSION,
    kind: 'BGPPeer',
    metadata: { name: peer.name },
    spec: {
      localSpeakers: [...speakers],
      localAsNumber: peer.localAsn,
      peerIP: peer.peerIp,
      peerAsNumber: peer.peerAsn,
      ...(selector ? { nodeSelector: selector } : {}),
    },
  };
  return `# Apply in the cluster (kubectl apply -f): the speakers advertise the selected nodes' pod CIDRs to ${peer.peerIp}.\n${stringify(resource)}`;
}

function switchChecklist(facts: ClusterFacts, profile: ProfileSpec, peer: BgpPeer, speakers: readonly string[], covered: readonly CoveredNode[]): string {
  const transit = profile.bgp?.transit;
  const checklist = {
    clusterId: facts.clusterId,
    bgpPeer: peer.name,
    switch: { address: peer.peerIp, asNumber: peer.peerAsn },
    neighbours: speakers.map((speaker) => speakerNeighbour(facts, speaker, peer.localAsn)),
    gracefulRestart: { enabled: true, restartTimerSeconds: peer.gracefulRestartSeconds },
    expectedRoutes: covered.map(({ node, podCidr }) => ({ destination: podCidr, nextHop: node.ip, node: node.name })),
    ...(transit && profile.vpc ? { uplinkRoutes: uplinkCidrs(profile).map((cidr) => ({ destination: cidr, nextHop: transit.borderRouterId, via: 'border router (VBR) over Express Connect' })) } : {}),
  };
  return (
    `# On switch ${peer.peerIp} (AS ${peer.peerAsn}): enable BGP, add each speaker as a neighbour, set the graceful-restart\n` +
    `# timer, then check every session is Established and each expected route points at its node.\n` +
    stringify(checklist)
  );
}

function uplinkCidrs(profile: ProfileSpec): string[] {
  return profile.vpc ? uniqueCidrs([profile.vpc.cidr, ...profile.vpc.secondaryCidrs]) : [];
}

function designPeer(facts: ClusterFacts, profile: ProfileSpec, peer: BgpPeer, conflicts: ConflictCheck, state: DesiredState): void {
  const account = { provider: facts.provider, region: facts.region, ...clusterAccount(profile) };
  const review = reviewBgpPeer(peer, profile.bgp?.transit);
  state.warnings.push(...review.warnings);
  const speakers = [...new Set(peer.speakers)];
  const covered = coveredNodes(facts, peer, state);

  if (review.broken.length > 0) {
    const reason = `BGPPeer ${peer.name} breaks ${review.broken.length === 1 ? 'a rule' : `${review.broken.length} rules`}: ${review.broken.map((b) => b.message).join('; ')}`;
    // The peer itself, so a broken peer is reported even before any node is known; nothing is rendered for it.
    state.entries.push({ ...account, kind: 'bgp-peer', target: peer.name, blockedReason: reason });
    return;
  }

  const removed = removedSpeakers(facts, peer);
  for (const speaker of removed) {
    state.warnings.push(`BGPPeer ${peer.name}: speaker ${speaker} was removed from the cluster; remove it from the profile's speakers and the switch's neighbours, or name another node`);
  }
  const remaining = speakers.length - removed.length;
  if (removed.length > 0 && remaining < MIN_SPEAKERS) {
    state.warnings.push(`BGPPeer ${peer.name}: ${remaining} speaker(s) left, fewer than ${MIN_SPEAKERS}; one more failure or upgrade can age the pod routes out of the switch`);
  }
  for (const speaker of speakers) {
    const node = facts.nodes[speaker];
    if (node && !selectorMatches(peer.nodeSelector, node.labels)) {
      state.warnings.push(`BGPPeer ${peer.name}: speaker ${speaker} does not carry the labels ${selectorText(peer.nodeSelector)} of the peer's nodeSelector`);
    }
  }

  // A pod route a blocking conflict concerns cannot work (the transit routes for its CIDR are blocked too): the
  // checklist does not ask the switch to expect it, and a warning names it.
  const expected = covered.filter(({ node, podCidr }) => {
    const why = conflicts.blockReason({ kind: 'bgp-peer', target: peer.name, cidr: podCidr, nextHop: node.ip, nextHopType: 'node' });
    if (why === undefined) return true;
    state.warnings.push(`BGPPeer ${peer.name}: node ${node.name}'s pod CIDR ${podCidr} is left out of the switch checklist (the speakers still advertise it): ${why}`);
    return false;
  });

  const liveSpeakers = speakers.filter((speaker) => !removed.includes(speaker));
  const unknown = liveSpeakers.filter((speaker) => facts.nodes[speaker] === undefined);
  if (unknown.length > 0) {
    state.warnings.push(`BGPPeer ${peer.name}: the IP of speaker${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} is not known yet (no Node Added event): the switch checklist says "${UNKNOWN_ADDRESS}" for ${unknown.length > 1 ? 'them' : 'it'}`);
  }
  state.artifacts.push({
    kind: 'bgp-peer',
    name: `bgp-peer-${peer.name}.yaml`,
    flow: 'bgp-edge',
    mediaType: 'application/yaml',
    content: bgpPeerManifest(peer, liveSpeakers),
  });
  state.artifacts.push({
    kind: 'bgp-switch-checklist',
    name: `bgp-switch-checklist-${peer.name}.yaml`,
    flow: 'bgp-edge',
    mediaType: 'application/yaml',
    content: switchChecklist(facts, profile, peer, liveSpeakers, expected),
  });
}

function designTransit(facts: ClusterFacts, profile: ProfileSpec, transit: BgpTransit, state: DesiredState): void {
  const place = { provider: facts.provider, region: facts.region };
  // the VPC's route table is the cluster's; the transit router and border router a network account's
  const cluster = { ...place, ...clusterAccount(profile) };
  const account = { ...place, ...networkAccount(profile, transit.account) };
  const downlink = uniqueCidrs([...transit.idcHostCidrs, ...facts.podCidrs]);
  const coreSwitch = transit.coreSwitchIp ?? profile.bgp?.peers[0]?.peerIp;

  for (const cidr of downlink) {
    state.entries.push({ ...cluster, kind: 'route', target: transit.vpcRouteTableId, cidr, nextHop: transit.transitRouterRouteTableId, nextHopType: 'transit-router' });
    state.entries.push({ ...account, kind: 'transit-route', target: transit.transitRouterRouteTableId, cidr, nextHop: transit.borderRouterId, nextHopType: 'border-router' });
    if (coreSwitch !== undefined) {
      state.entries.push({ ...account, kind: 'transit-route', target: transit.borderRouterId, cidr, nextHop: coreSwitch, nextHopType: 'core-switch' });
    }
  }
  if (coreSwitch === undefined && downlink.length > 0) {
    state.warnings.push(`transit: no coreSwitchIp and no BGP peer, so border router ${transit.borderRouterId} gets no route toward the data centre`);
  }

  const uplink = uplinkCidrs(profile);
  if (uplink.length === 0) {
    state.warnings.push('transit: the profile has no vpc.cidr, so no uplink route (data centre -> VPC) is planned');
    return;
  }
  for (const cidr of uplink) {
    state.entries.push({ ...account, kind: 'transit-route', target: transit.borderRouterId, cidr, nextHop: transit.transitRouterRouteTableId, nextHopType: 'transit-router' });
    state.entries.push({ ...account, kind: 'transit-route', target: transit.transitRouterRouteTableId, cidr, nextHop: facts.vpcId, nextHopType: 'vpc' });
  }
  if ((profile.bgp?.peers.length ?? 0) === 0) {
    // No peer checklist to carry the core switch's side of the uplink: it gets its own.
    state.artifacts.push({
      kind: 'bgp-switch-checklist',
      name: 'bgp-switch-checklist-core-switch.yaml',
      flow: 'bgp-edge',
      mediaType: 'application/yaml',
      content:
        `# On the data centre core switch: send the VPC CIDRs to the border router (VBR) over Express Connect.\n` +
        stringify({ clusterId: facts.clusterId, uplinkRoutes: uplink.map((cidr) => ({ destination: cidr, nextHop: transit.borderRouterId })) }),
    });
  }
}

/** Nodes no peer selects: their pod CIDR reaches no switch, so pods on them are unreachable from outside. */
function uncoveredNodes(facts: ClusterFacts, peers: readonly BgpPeer[], state: DesiredState): void {
  if (peers.length === 0) return;
  for (const node of Object.values(facts.nodes).sort(byName)) {
    if (!peers.some((peer) => selectorMatches(peer.nodeSelector, node.labels))) {
      state.warnings.push(`node ${node.name} matches no BGPPeer nodeSelector: its pod CIDR ${node.podCidr ?? '(unknown)'} is advertised to no switch`);
    }
  }
}

export const bgpEdgeDesigner: FlowDesigner = {
  flow: 'bgp-edge',
  configured: (profile) => (profile.bgp?.peers.length ?? 0) > 0 || profile.bgp?.transit !== undefined,
  design(facts, profile, conflicts) {
    const state = emptyDesiredState();
    const bgp = profile.bgp;
    if (!bgp) return state;
    for (const peer of bgp.peers) designPeer(facts, profile, peer, conflicts, state);
    uncoveredNodes(facts, bgp.peers, state);
    if (bgp.transit) designTransit(facts, profile, bgp.transit, state);
    return state;
  },
};
