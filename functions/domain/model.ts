// The provider-neutral vocabulary of podreach: flows, entries, changes, plans, artifacts.
// Pure types and constants; docs/contract.md fixes the names that reach users (flow, kind, status, JSON fields).

export const FLOWS = ['direct-connect', 'vpn', 'cloud-connect', 'peering', 'security', 'bgp-edge'] as const;
export type Flow = (typeof FLOWS)[number];

export const CHANGE_KINDS = [
  'route',
  'vpn-selector',
  'vpn-route',
  'dx-prefix',
  'cloud-connect-route',
  'transit-route',
  'sg-rule',
  'whitelist-entry',
  'bgp-peer',
  'subnet-association',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const PROVIDER_NAMES = ['aws', 'tencent', 'alibaba', 'huawei', 'sandbox'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];
/** The clouds a deployment serves: the sandbox is a local simulation only. */
export const DEPLOYED_PROVIDER_NAMES = ['aws', 'tencent', 'alibaba', 'huawei'] as const satisfies readonly ProviderName[];

export const NETWORK_MODELS = ['overlay', 'vpc-router', 'eni'] as const;
export type NetworkModel = (typeof NETWORK_MODELS)[number];

/** create/delete an entry; update = change an attribute of an entry podreach owns (e.g. enable a cloud-connect route). */
export type ChangeAction = 'create' | 'delete' | 'update';

export const CHANGE_STATUSES = ['planned', 'awaiting-approval', 'applying', 'applied', 'unchanged', 'blocked', 'failed'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** What the next hop of a route-like entry is, in provider-neutral words; adapters map it to their API's type. */
export const NEXT_HOP_TYPES = ['vpn-gateway', 'dx-gateway', 'peering', 'transit-router', 'border-router', 'cloud-connect', 'vpc', 'core-switch', 'node', 'route-table'] as const;
export type NextHopType = (typeof NEXT_HOP_TYPES)[number];

/**
 * One entry in a provider resource, described without any provider's words.
 * kind + target + cidr (+ peerCidr / port) identify the entry; nextHop / enabled are its value.
 *
 * | kind                | target                     | cidr                    | nextHop / other            |
 * | route               | route table id             | destination             | gateway / peering id       |
 * | vpn-selector        | VPN connection id          | local side of the SPD   | peerCidr: remote side      |
 * | vpn-route           | VPN gateway id             | destination             | VPN connection id          |
 * | dx-prefix           | Direct Connect gateway id  | advertised prefix       | -                          |
 * | cloud-connect-route | CCN / CEN / TGW id         | registered CIDR         | instance (VPC) id, enabled |
 * | transit-route       | transit / border router table id | destination       | next hop id                |
 * | sg-rule             | security group id          | ingress source          | port: "tcp:22", "icmp"     |
 * | whitelist-entry     | "<service>:<instanceId>"   | allowed CIDR            | -                          |
 * | bgp-peer            | BGPPeer name               | pod CIDR advertised     | nextHop: peer IP           |
 * | subnet-association  | subnet id                  | subnet CIDR (if known)  | route table id             |
 */
export interface NetworkEntry {
  kind: ChangeKind;
  target: string;
  cidr?: string;
  nextHop?: string;
  nextHopType?: NextHopType;
  peerCidr?: string;
  port?: string;
  enabled?: boolean;
}

/** An entry as a provider reports it. `owner` is set when the provider can tell (tag / description). */
export interface ProviderEntry extends NetworkEntry {
  resourceId?: string;
  owner?: 'podreach' | 'foreign';
  description?: string;
}

export interface Change extends NetworkEntry {
  id: string;
  clusterId: string;
  flow: Flow;
  action: ChangeAction;
  /** Which account the change is applied in: the cluster's, or a managed opposite side's. */
  provider: ProviderName;
  region: string;
  /**
   * The account of the entry's resource when the profile names one (a peer VPC's, a network account holding the
   * gateways): credentials are chosen per (provider, account). Absent: the credentials' own account.
   */
  account?: string;
  status: ChangeStatus;
  /** Why a change is blocked, failed or awaiting approval (or, unchanged, what was done instead: claimed, released). */
  reason?: string;
  /** A cloud-connect route enabled beside an overlapping one (enableConflicting): the rival it overlaps. */
  overlaps?: string;
}

/** A person's decision on a change an approval policy held (docs/approval.md). */
export interface ApprovalDecision {
  approved: boolean;
  by: string;
  at: string;
  /** The execution whose request was decided. */
  executionId: string;
}

export type ArtifactMediaType = 'application/json' | 'application/yaml' | 'text/plain';

/** Something a person must act on outside podreach (IDC next hops, the far tunnel's config, BGPPeer YAML). */
export interface Artifact {
  kind: string;
  name: string;
  flow: Flow;
  mediaType: ArtifactMediaType;
  content: string;
}

export interface Conflict {
  /** The container CIDR (ours) */
  cidr: string;
  /** What it collides with, in words: "VPC vpc-demo 192.168.0.0/16" */
  with: string;
  withCidr: string;
  severity: 'block' | 'warn';
}

/** An entry podreach holds for a flow that someone removed, or changed to another value (`found`), since. */
export interface DriftedEntry extends NetworkEntry {
  provider: ProviderName;
  region: string;
  drift: 'removed' | 'changed';
  found?: string;
}

export interface FlowPlan {
  clusterId: string;
  flow: Flow;
  changes: Change[];
  artifacts: Artifact[];
  warnings: string[];
  conflicts: Conflict[];
  /** Entries of this flow someone removed or changed (repaired, or only reported, per the profile's drift policy). */
  drift?: DriftedEntry[];
}

export interface NodeFacts {
  name: string;
  ip: string;
  subnetId?: string;
  podCidr?: string;
  labels: Record<string, string>;
}

/** What podreach knows of a cluster, folded from its events. */
export interface ClusterFacts {
  clusterId: string;
  provider: ProviderName;
  region: string;
  vpcId: string;
  networkModel: NetworkModel;
  podCidrs: string[];
  serviceCidr?: string;
  nodeSubnets: { subnetId: string; cidr: string }[];
  profile?: string;
  nodes: Record<string, NodeFacts>;
  /**
   * Nodes whose events arrived before the Cluster Created that begins their cluster's life: not the cluster's nodes
   * yet (nothing is planned for them), kept until that creation arrives (facts.ts).
   */
  dormantNodes?: Record<string, NodeFacts>;
  deleted: boolean;
  /** occurredAt of the event that last set each aspect, so a stale (reordered) event changes nothing. */
  seen: {
    /** The newest Cluster Created. */
    created?: string;
    /** Every Cluster Created since the last deletion, oldest first: the first began the current incarnation. */
    creations?: string[];
    podCidrs?: string;
    /** The last deletion: a tombstone; events older than it belong to the cluster that was deleted. */
    deleted?: string;
    nodes: Record<string, string>;
  };
}

/** A row of the change ledger: a change and what became of it. */
export interface LedgerEntry extends Change {
  /**
   * true while this cluster's flow holds a claim on the entry (the holding is the truth; this mirrors it for
   * listings and for which targets the next plan reads). Only entries podreach made are ever claimed.
   */
  owned: boolean;
  /** Set on rows whose ownership a holding tracks; rows of earlier versions (owned, no holding) are migrated. */
  viaHolding?: boolean;
  /** The approval decision on this change as planned (kept while the change stays the same). */
  decision?: ApprovalDecision;
  executionId?: string;
  providerResourceId?: string;
  attempts: number;
  error?: string;
  updatedAt: string;
}

/** A cluster's flow that needs an entry podreach made. The entry is removed only when its last claim goes. */
export interface Claim {
  clusterId: string;
  flow: Flow;
  changeId: string;
  since: string;
}

/**
 * What a task is about to do to an entry, written before the provider call (intent first): after a crash the
 * next run reads the provider and settles it (adopts what was made, forgets what was not).
 */
export interface HoldingIntent {
  action: ChangeAction;
  clusterId: string;
  flow: Flow;
  changeId: string;
  executionId: string;
  attempt: number;
  at: string;
  /** For an update: the value being set (the holding's `entry` keeps the value before it). */
  entry?: NetworkEntry;
  /** Set when the execution recorded the task as failed: nobody carries it on, the next reader settles it at once. */
  abandoned?: boolean;
}

/**
 * podreach's record of one provider entry it made: the single item (one conditional write at a time, no
 * transactions) that says the entry is podreach's and which clusters need it. Keyed by the entry's target
 * (provider, region, kind, target) and its identity within the target.
 */
export interface Holding {
  provider: ProviderName;
  region: string;
  /** The account the entry lives in, when the profile names one (Change.account). */
  account?: string;
  kind: ChangeKind;
  target: string;
  identity: string;
  /** The entry as podreach set it (its value included). */
  entry: NetworkEntry;
  /** creating / deleting / updating: an intent is open; present: the entry is there as podreach set it. */
  state: 'creating' | 'present' | 'deleting' | 'updating';
  claims: Claim[];
  intent?: HoldingIntent;
  resourceId?: string;
  createdBy: { clusterId: string; changeId: string };
  since: string;
  version: number;
}

export interface ChangeCounts {
  applied: number;
  unchanged: number;
  blocked: number;
  failed: number;
  /** Changes an approval policy holds until a person decides (present when there are any). */
  awaitingApproval?: number;
}
