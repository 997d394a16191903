// `podreach diagnose`, the pure part: the path from a cluster's pods to a destination, worked out from the facts and
// the profile, as hops that say what to read; then, given what was read (read-only, by the caller), each hop's
// verdict. No I/O here: the application reads the provider and the state between planDiagnosis and evaluate.
import type { ClusterFacts, Flow, ProviderName } from '../model.js';
import type { ProfileSpec } from '../profile.js';
import { designFlow } from '../planner/index.js';
import type { DesiredState, TargetRef } from '../planner/types.js';
import { uniqueRefs, type DiagnosisContext, type Readings } from './checks.js';
import { placeOf } from '../accounts.js';
import { clusterPlace, pathHops } from './hops.js';
import { FAILING_STATUSES, HOP_STATUSES, type AddressLookup, type Destination, type Diagnosis, type DiagnosisPath, type HopStatus, type Source } from './model.js';
import { choosePath, destinationInCloud, type PathChoice } from './paths.js';

export * from './model.js';
export type { Readings } from './checks.js';
export { parseDestination, sourceOf } from './endpoints.js';

export interface DiagnosisRequest {
  facts: ClusterFacts;
  /** The cluster's profile's spec (an empty spec when no profile matches). */
  profile: ProfileSpec;
  to: Destination;
  source: Source;
}

export interface DiagnosisPlan {
  path: DiagnosisPath;
  /** Every target the hops read (listEntries), unique. */
  reads: TargetRef[];
  evaluate(readings: Readings): Diagnosis;
}

/** An account diagnose asks about an address: the provider, region and, when the profile names one, the account. */
export interface LookupAccount {
  provider: ProviderName;
  region: string;
  account?: string;
}

/**
 * The accounts to look the destination up in by its address: the cluster's, the peer VPC's, or a managed VPN
 * opposite's (each in the account the profile names for it, as the flows lay entries there); none when the
 * destination is a data-centre host (behind Direct Connect, an unmanaged VPN tunnel or the edge switch).
 */
export function lookupAccounts(facts: ClusterFacts, profile: ProfileSpec, to: Destination): LookupAccount[] {
  const { chosen } = choosePath(facts, profile, to);
  const where = destinationInCloud(chosen);
  if (where === 'none') return [];
  if (where === 'opposite' && chosen.kind === 'vpn' && chosen.vpn.opposite) return [placeOf(chosen.vpn.opposite)];
  if (chosen.kind === 'peering') return [clusterPlace(facts, profile, chosen.peering.peerVpc.account)];
  return [clusterPlace(facts, profile)];
}

function describePath(facts: ClusterFacts, profile: ProfileSpec, choice: PathChoice): DiagnosisPath {
  switch (choice.kind) {
    case 'in-cluster':
      return { kind: choice.kind, via: facts.clusterId, summary: `a pod of ${facts.clusterId}` };
    case 'same-vpc':
      return { kind: choice.kind, via: facts.vpcId, summary: `inside the cluster's VPC ${facts.vpcId}` };
    case 'peering':
      return { kind: choice.kind, via: choice.peering.connectionId, summary: `through peering ${choice.peering.connectionId} to ${choice.peering.peerVpc.id} (${choice.peering.peerVpc.cidr})` };
    case 'vpn':
      return { kind: choice.kind, via: choice.vpn.connectionId, summary: `through VPN ${choice.vpn.connectionId} (gateway ${choice.vpn.gatewayId}) to ${choice.remoteCidr}` };
    case 'direct-connect':
      return { kind: choice.kind, via: choice.gateway.gatewayId, summary: `through Direct Connect gateway ${choice.gateway.gatewayId} to the data centre's ${choice.idcCidr}` };
    case 'cloud-connect': {
      const ids = profile.cloudConnect.map((network) => network.id).join(', ');
      return { kind: choice.kind, via: ids, summary: `through the cloud-connect network ${ids}` };
    }
    case 'bgp-edge':
      return {
        kind: choice.kind,
        via: profile.bgp?.peers.map((peer) => peer.name).join(', ') || profile.bgp?.transit?.borderRouterId || 'bgp',
        summary:
          choice.mode === 'pod'
            ? 'between edge pods, over the data centre switches their BGP speakers advertise to'
            : choice.mode === 'vpc'
              ? "from the data centre's edge pods up to the VPC (core switch, border router, transit router)"
              : "on the data centre's network, behind the core switch",
      };
    case 'none':
      return { kind: choice.kind, summary: 'no section of the profile reaches it' };
  }
}

/** The path and its hops; `lookups` is what looking the destination up by its address (lookupAccounts) found. */
export function planDiagnosis(request: DiagnosisRequest, lookups: readonly AddressLookup[]): DiagnosisPlan {
  const { facts, profile, to, source } = request;
  const found = lookups.find((lookup) => lookup.outcome === 'found' && lookup.holder);
  const { chosen, others } = choosePath(facts, profile, to, found?.holder);
  const notes: string[] = others.length > 0 ? [`${to.ip} is also held by ${others.join(', ')}: the longest prefix (the first listed on a tie) is the path`] : [];
  const designs = new Map<ProfileSpec, Map<Flow, DesiredState>>();
  const ctx: DiagnosisContext = {
    facts,
    profile,
    source,
    to,
    notes,
    design(flow, spec = profile) {
      let byFlow = designs.get(spec);
      if (!byFlow) designs.set(spec, (byFlow = new Map()));
      let state = byFlow.get(flow);
      if (!state) byFlow.set(flow, (state = designFlow(facts, spec, flow)));
      return state;
    },
  };
  const specs = pathHops(ctx, chosen, lookups);
  const path = describePath(facts, profile, chosen);
  return {
    path,
    reads: uniqueRefs(specs.flatMap((spec) => spec.reads)),
    evaluate(readings) {
      const hops = specs.flatMap((spec) => spec.evaluate(readings));
      const counts = Object.fromEntries(HOP_STATUSES.map((status) => [status, 0])) as Record<HopStatus, number>;
      for (const hop of hops) counts[hop.status] += 1;
      return {
        clusterId: facts.clusterId,
        from: {
          podCidrs: source.podCidrs,
          ...(source.podIp ? { podIp: source.podIp } : {}),
          ...(source.node ? { node: source.node.name } : {}),
          seenAs: source.seen,
          networkModel: source.networkModel,
        },
        to: { ip: to.ip, ...(to.need ? { protocol: to.need.protocol, ...(to.need.port !== undefined ? { port: to.need.port } : {}) } : {}) },
        path,
        ...(found?.holder ? { destination: { ...found.holder, provider: found.provider, region: found.region, ...(found.account !== undefined ? { account: found.account } : {}) } } : {}),
        hops,
        counts,
        reachable: !hops.some((hop) => FAILING_STATUSES.has(hop.status)),
        notes: [...new Set(notes)],
      };
    },
  };
}
