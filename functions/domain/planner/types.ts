// The shapes shared by the planner's parts: what a flow designer desires, and what the diff compares it with.
import type { Artifact, ChangeKind, ClusterFacts, Conflict, Flow, NetworkEntry, ProviderEntry, ProviderName } from '../model.js';
import type { ConflictCheck } from '../conflicts.js';
import type { ProfileSpec } from '../profile.js';

/** One provider resource whose entries of one kind the planner needs to see (a route table's routes, ...). */
export interface TargetRef {
  provider: ProviderName;
  region: string;
  /** The account holding the target when the profile names one; absent, the credentials' own account. */
  account?: string;
  kind: ChangeKind;
  target: string;
}

/** What each required target holds now, keyed by targetKey(). Every requiredTargets() ref must be present. */
export type Snapshot = ReadonlyMap<string, readonly ProviderEntry[]>;

/** An entry a flow wants to exist, in the account (provider + region, and account when named) where it lives. */
export interface DesiredEntry extends NetworkEntry {
  provider: ProviderName;
  region: string;
  account?: string;
  /** Other nextHop values that satisfy the entry as they are (a subnet bound to any listed route table). */
  acceptedNextHops?: readonly string[];
  /**
   * When set, a present entry with another value is blocked with this reason, even if podreach owns it
   * (re-binding a subnet silently replaces its routing, so it is never done).
   */
  mismatchReason?: (current: ProviderEntry) => string;
  /**
   * When set, the entry is never applied: its change is blocked with this reason (a BGPPeer breaking a rule).
   * It still counts as desired, so an entry podreach created earlier is kept, not deleted.
   */
  blockedReason?: string;
  /**
   * A registration in a shared table (a cloud-connect network) that must not overlap another instance's entry
   * there: beside such a rival the diff registers it disabled with the reason (or, with enableConflicting,
   * enabled with a warning); a later plan enables it once the rival is gone.
   */
  exclusive?: { enableConflicting: boolean };
  /** Set by the diff on an exclusive entry enabled beside a rival (enableConflicting): the rival. */
  overlaps?: string;
}

export interface DesiredState {
  entries: DesiredEntry[];
  artifacts: Artifact[];
  warnings: string[];
  conflicts: Conflict[];
}

/** One flow's knowledge: which entries, artifacts and warnings a cluster's facts and profile call for. */
export interface FlowDesigner {
  readonly flow: Flow;
  /** true when the profile has something for this flow to do. */
  configured(profile: ProfileSpec): boolean;
  /**
   * The desired state of a live cluster (the dispatcher handles deleted clusters: they desire nothing).
   * `conflicts` is the flow's conflict check, which designFlow also applies to every entry designed.
   */
  design(facts: ClusterFacts, profile: ProfileSpec, conflicts: ConflictCheck): DesiredState;
}

export function emptyDesiredState(): DesiredState {
  return { entries: [], artifacts: [], warnings: [], conflicts: [] };
}
