// The planner: for one cluster and one flow, the diff between what the profile and facts call for and what
// the provider holds now. One FlowDesigner per flow says what is desired; diff.ts decides the changes.
import { FLOWS, type Artifact, type Change, type ChangeCounts, type ChangeKind, type ClusterFacts, type Conflict, type DriftedEntry, type Flow, type FlowPlan, type LedgerEntry, type ProviderName } from '../model.js';
import type { ProfileSpec } from '../profile.js';
import { CidrIndex, hostCidr } from '../cidr.js';
import { checkConflicts } from '../conflicts.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';
import { diffFlow, holdsEntry } from './diff.js';
import type { HoldingsSnapshot } from '../holdings.js';
import { directConnectDesigner } from './flows/direct-connect.js';
import { bgpEdgeDesigner } from './flows/bgp-edge.js';
import { cloudConnectDesigner } from './flows/cloud-connect.js';
import { peeringDesigner } from './flows/peering.js';
import { securityDesigner } from './flows/security.js';
import { vpnDesigner } from './flows/vpn.js';
import { changeId, compareTargetRefs, identityKey, targetKey, targetRef } from './identity.js';
import type { DesiredEntry, DesiredState, FlowDesigner, Snapshot, TargetRef } from './types.js';
import { emptyDesiredState } from './types.js';

export type { DesiredEntry, DesiredState, FlowDesigner, Snapshot, TargetRef } from './types.js';
export { changeId, compareChanges, identityKey, targetKey, targetRef } from './identity.js';
export { holdsEntry, SnapshotIncompleteError } from './diff.js';

/** One designer per flow. */
export const DESIGNERS: Readonly<Record<Flow, FlowDesigner>> = {
  'direct-connect': directConnectDesigner,
  vpn: vpnDesigner,
  'cloud-connect': cloudConnectDesigner,
  peering: peeringDesigner,
  security: securityDesigner,
  'bgp-edge': bgpEdgeDesigner,
};

export interface PlanContext {
  facts: ClusterFacts;
  profile: ProfileSpec;
  flow: Flow;
  /** This cluster's ledger rows (all flows). */
  ledger: readonly LedgerEntry[];
  /** The current entries of every requiredTargets() ref. */
  snapshot: Snapshot;
  /** podreach's holdings in those targets (which entries it made, who claims them); none when absent. */
  holdings?: HoldingsSnapshot;
  quotas(provider: ProviderName): ProviderQuotas;
  supports(provider: ProviderName, kind: ChangeKind): boolean;
}

/** Flows whose profile sections are non-empty, in FLOWS order. */
export function configuredFlows(profile: ProfileSpec): Flow[] {
  return FLOWS.filter((flow) => DESIGNERS[flow].configured(profile));
}

/**
 * The desired state of one flow: a deleted cluster desires nothing. The same entry desired twice (two
 * attachments) is kept once; a second wish for it with another value is dropped with a warning.
 */
export function designFlow(facts: ClusterFacts, profile: ProfileSpec, flow: Flow): DesiredState {
  if (facts.deleted) return emptyDesiredState();
  // every flow's entries go through the same conflict check (conflicts.ts); a designer's own reason comes first
  const check = checkConflicts(facts, profile, flow);
  const designed = DESIGNERS[flow].design(facts, profile, check);
  const byId = new Map<string, DesiredEntry>();
  const warnings = [...designed.warnings];
  for (const designedEntry of designed.entries) {
    const blockedReason = designedEntry.blockedReason ?? check.blockReason(designedEntry);
    const entry = blockedReason === undefined ? designedEntry : { ...designedEntry, blockedReason };
    const id = changeId(facts.clusterId, flow, entry);
    const first = byId.get(id);
    if (!first) {
      byId.set(id, entry);
    } else if (first.nextHop !== entry.nextHop || first.enabled !== entry.enabled || first.provider !== entry.provider || first.region !== entry.region || first.account !== entry.account) {
      warnings.push(
        `${entry.target}: ${identityKey(entry)} is wanted with next hop ${entry.nextHop ?? '-'} and with ${first.nextHop ?? '-'}; keeping ${first.nextHop ?? '-'} (first listed)`,
      );
    }
  }
  const artifacts = new Map<string, Artifact>();
  for (const artifact of designed.artifacts) if (!artifacts.has(artifact.name)) artifacts.set(artifact.name, artifact);
  return {
    entries: [...byId.values()],
    artifacts: [...artifacts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    warnings: [...new Set(warnings)],
    conflicts: uniqueConflicts([...designed.conflicts, ...check.conflicts]),
  };
}

function uniqueConflicts(conflicts: readonly Conflict[]): Conflict[] {
  const byKey = new Map<string, Conflict>();
  for (const conflict of conflicts) {
    const key = JSON.stringify([conflict.cidr, conflict.with, conflict.withCidr, conflict.severity]);
    if (!byKey.has(key)) byKey.set(key, conflict);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, conflict]) => conflict);
}

/** The cluster's own blocks (container CIDRs, node subnets, node IPs): the only CIDRs a quota check may summarise. */
function ownBlocks(facts: ClusterFacts): (entry: DesiredEntry) => boolean {
  const index = new CidrIndex([
    ...facts.podCidrs.map((cidr) => ({ cidr, value: cidr })),
    ...facts.nodeSubnets.map((subnet) => ({ cidr: subnet.cidr, value: subnet.cidr })),
    ...Object.values(facts.nodes).map((node) => ({ cidr: hostCidr(node.ip), value: node.ip })),
  ]);
  return (entry) => entry.cidr !== undefined && index.containing(entry.cidr).length > 0;
}

/**
 * Every target the plan of `flow` reads: desired targets, and targets of this flow's ledger rows that may hold a
 * claim or have an outcome to settle (holdsEntry). Sorted, unique.
 */
export function requiredTargets(facts: ClusterFacts, profile: ProfileSpec, flow: Flow, ledger: readonly LedgerEntry[]): TargetRef[] {
  const refs = new Map<string, TargetRef>();
  const add = (ref: TargetRef) => refs.set(targetKey(ref), targetRef(ref));
  for (const entry of designFlow(facts, profile, flow).entries) add(entry);
  for (const row of ledger) {
    if (row.flow === flow && row.clusterId === facts.clusterId && holdsEntry(row)) add(row);
  }
  return [...refs.values()].sort(compareTargetRefs);
}

/** The plan of one flow. Deterministic: the same context gives the same plan, changes sorted by compareChanges. */
export function planFlow(ctx: PlanContext): FlowPlan {
  const desired = designFlow(ctx.facts, ctx.profile, ctx.flow);
  const warnings = [...desired.warnings];
  const drift: DriftedEntry[] = [];
  const changes = diffFlow({
    clusterId: ctx.facts.clusterId,
    flow: ctx.flow,
    desired: desired.entries,
    snapshot: ctx.snapshot,
    holdings: ctx.holdings ?? new Map(),
    quotas: ctx.quotas,
    supports: ctx.supports,
    ...(ctx.profile.quotas ? { quotaOverrides: ctx.profile.quotas } : {}),
    summarisable: ownBlocks(ctx.facts),
    warnings,
    drift,
    driftPolicy: ctx.profile.drift?.policy ?? 'repair',
  });
  return {
    clusterId: ctx.facts.clusterId,
    flow: ctx.flow,
    changes,
    artifacts: desired.artifacts,
    warnings: [...new Set(warnings)],
    conflicts: desired.conflicts,
    ...(drift.length > 0 ? { drift } : {}),
  };
}

/** Counts of outcomes. `planned` and `applying` changes are not outcomes yet and are counted nowhere. */
export function countChanges(changes: readonly Change[]): ChangeCounts {
  const counts: ChangeCounts = { applied: 0, unchanged: 0, blocked: 0, failed: 0 };
  let awaiting = 0;
  for (const change of changes) {
    if (change.status === 'applied' || change.status === 'unchanged' || change.status === 'blocked' || change.status === 'failed') {
      counts[change.status] += 1;
    } else if (change.status === 'awaiting-approval') {
      awaiting += 1;
    }
  }
  return awaiting > 0 ? { ...counts, awaitingApproval: awaiting } : counts;
}
