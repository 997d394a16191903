// The words of `podreach diagnose` (CONTRACT.md): a pod's path to a destination, hop by hop, each hop ok / missing /
// conflict / unknown with its fix, and the manual checks podreach cannot read (the switch, the data centre).
import type { ClusterFacts, Flow, NetworkEntry, NetworkModel, ProviderName } from '../model.js';
import type { PortNeed } from '../port.js';

/**
 * ok: in place as the path needs it. missing: not there (fix: the flow that lays it, or the profile section to add).
 * conflict: something there (or in the profile) keeps it from working. unknown: podreach could not read it.
 * manual: outside every API podreach reads (a switch, the data centre): what a person must look at.
 */
export const HOP_STATUSES = ['ok', 'missing', 'conflict', 'unknown', 'manual'] as const;
export type HopStatus = (typeof HOP_STATUSES)[number];

/** Statuses that fail a diagnosis (exit 1). */
export const FAILING_STATUSES: ReadonlySet<HopStatus> = new Set<HopStatus>(['missing', 'conflict']);

export const PATH_KINDS = ['in-cluster', 'same-vpc', 'peering', 'vpn', 'direct-connect', 'cloud-connect', 'bgp-edge', 'none'] as const;
export type PathKind = (typeof PATH_KINDS)[number];

/** What a hop checks, in the network's own words. */
export const HOP_CHECKS = [
  'path',
  'route',
  'transit-route',
  'subnet-association',
  'vpn-selector',
  'dx-prefix',
  'cloud-connect-route',
  'cloud-connect-rival',
  'destination',
  'sg-rule',
  'whitelist-entry',
  'cidr-conflict',
  'bgp-peer',
  'artifact',
  'manual',
] as const;
export type HopCheck = (typeof HOP_CHECKS)[number];

export type HopDirection = 'outbound' | 'return' | 'both';

export interface HopFix {
  /** The flow whose run lays what is missing: `podreach trigger FLOW --cluster ID`. */
  flow?: Flow;
  /** The profile section to add or change ("spec.securityGroups"). */
  profileSection?: string;
  /** What to do, in words: the command, the section to add, or what to change by hand. */
  text: string;
}

export interface Hop {
  check: HopCheck;
  direction: HopDirection;
  /** The resource read (a route table, a connection, a group...) or the device a manual check is about. */
  where: string;
  /** Where the resource is, when podreach reads it: the provider and region, and the account when the profile names one. */
  provider?: ProviderName;
  region?: string;
  account?: string;
  status: HopStatus;
  /** What was found; for a manual check, what to look for. */
  detail: string;
  /** The entries the flows design for this hop (what "in place" means), when they design any. */
  expected?: NetworkEntry[];
  fix?: HopFix;
}

/** Who holds a private address in an account (a network interface, an instance, a managed service), read-only. */
export interface AddressHolder {
  ip: string;
  /** The network interface (or port, or instance) that holds it. */
  resourceId?: string;
  vpcId?: string;
  subnetId?: string;
  /** The security groups in force for it, sorted. */
  securityGroups: string[];
  /** The whitelists ("<service>:<instanceId>") of a managed service at this address, where the cloud says. */
  whitelists?: string[];
  description?: string;
}

/** The outcome of looking the destination up in one account. */
export interface AddressLookup {
  provider: ProviderName;
  region: string;
  /** The account asked, when the profile names one (spec.accounts, a peer VPC's or an opposite's account). */
  account?: string;
  outcome: 'found' | 'not-found' | 'unsupported';
  holder?: AddressHolder;
  /** Why the account could not be asked (unsupported). */
  reason?: string;
}

export interface Destination {
  ip: string;
  /** The text given (--to). */
  text: string;
  /** Protocol and port when given; none: any rule admitting the source counts. */
  need?: PortNeed;
}

/** Where the traffic starts: the cluster's container CIDRs, or one pod (--from). */
export interface Source {
  /** The container CIDRs the traffic comes from (the one holding the pod, with --from). */
  podCidrs: string[];
  podIp?: string;
  /** The node whose pod CIDR holds the pod (--from), when a Node Added event said it. */
  node?: ClusterFacts['nodes'][string];
  /** The pod side of selectors, prefixes and routes back: the pod's /32, else the container CIDRs. */
  probes: string[];
  /** What a peer sees as the source, by network model (overlay: node addresses; vpc-router, eni: pod addresses). */
  seen: string[];
  networkModel: NetworkModel;
}

export interface DiagnosisPath {
  kind: PathKind;
  /** The attachment the path goes through (a connection, a gateway, a network id). */
  via?: string;
  /** The path in words. */
  summary: string;
}

export interface Diagnosis {
  clusterId: string;
  from: { podCidrs: string[]; podIp?: string; node?: string; seenAs: string[]; networkModel: NetworkModel };
  to: { ip: string; protocol?: string; port?: number };
  path: DiagnosisPath;
  /** Where the destination was found by its address, when it was. */
  destination?: AddressHolder & { provider: ProviderName; region: string; account?: string };
  hops: Hop[];
  counts: Record<HopStatus, number>;
  /** No hop is missing or in conflict (manual checks and unknowns are listed, not failed). */
  reachable: boolean;
  notes: string[];
}
