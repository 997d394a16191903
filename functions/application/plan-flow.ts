// Use case: plan one flow of one cluster — snapshot what the provider holds now, diff against the desired
// state, and (unless dry-run) record the plan and its ledger rows. Returns the ids of the changes to apply.
import { ConcurrentUpdateError, NotFoundError } from '../domain/errors.js';
import { approvalReasons, heldChange, standingDecision, type ApprovalPolicy } from '../domain/approval.js';
import { hasClaim, holdingRef, legacyHoldings, otherClaims, settleIntent, withClaim } from '../domain/holdings.js';
import type { Change, Claim, ClusterFacts, FlowPlan, Holding, LedgerEntry, ProviderEntry } from '../domain/model.js';
import { emptyProfileSpec, type ConnectivityProfile } from '../domain/profile.js';
import { planFlow, requiredTargets, targetKey } from '../domain/planner/index.js';
import { holdingIdentity } from '../domain/planner/identity.js';
import type { TargetRef } from '../domain/planner/types.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import type { FlowInput } from '../ports/flow-runner.js';
import { markPlanning } from './coalesce.js';
import { heldByOtherExecution, type AppDeps } from './deps.js';
import { currentLookup, dropHolding, hasDeadIntent, holdingFor, readHoldings, setHolding, writeSettled, type MutableHoldings } from './ownership.js';

export interface FlowPlanResult {
  plan: FlowPlan;
  changeIds: string[];
  /** How long an approval request of this plan may wait (the profile's approval.timeoutMinutes). */
  approvalTimeoutSeconds: number;
}

/** The plan of one flow, recording nothing (a dry run). */
export async function planClusterFlow(
  input: Pick<FlowInput, 'clusterId' | 'flow'> & { executionId?: string },
  deps: AppDeps,
  override?: { facts: ClusterFacts },
): Promise<FlowPlan> {
  return (await planWithLedger(input, deps, { ...(override ? { facts: override.facts } : {}), write: false })).plan;
}

interface PlanRead {
  plan: FlowPlan;
  ledger: LedgerEntry[];
  holdings: MutableHoldings;
  /** The profile's approval policy, if any. */
  approval?: ApprovalPolicy;
  /** How many entries of its kind a snapshotted target holds. */
  tableSize(ref: TargetRef): number;
}

/**
 * Reads what a plan needs — facts, profile, ledger, the provider's entries of every required target and podreach's
 * holdings there — settles intents that dead executions left open (adopt what they made, forget what they did
 * not) and migrates ledger rows of earlier versions into holdings, then plans. With `write: false` (a dry run) the
 * settling happens in memory only.
 */
async function planWithLedger(
  input: Pick<FlowInput, 'clusterId' | 'flow'> & { executionId?: string },
  deps: AppDeps,
  options: { facts?: ClusterFacts; write: boolean },
): Promise<PlanRead> {
  const facts = options.facts ?? (await deps.store.getCluster(input.clusterId))?.facts;
  if (!facts) throw new NotFoundError(`cluster ${input.clusterId} is unknown: no Cluster Created event was processed for it`);
  const profile: ConnectivityProfile | undefined = resolveProfile(await deps.store.listProfiles(), facts);
  const ledger = await deps.store.listChanges(facts.clusterId);
  // a cluster no profile matches plans nothing but the clean-up of what podreach still holds
  const spec = profile?.spec ?? emptyProfileSpec();
  const targets = requiredTargets(facts, spec, input.flow, ledger);
  // Holdings first, then the provider: an entry podreach removes meanwhile is then seen gone (or its holding with the
  // intent), never present without its holding, which would pass for someone else's.
  const holdings = await readHoldings(deps.store, targets);
  const snapshot = new Map<string, readonly ProviderEntry[]>();
  for (const ref of targets) {
    const key = targetKey(ref);
    if (snapshot.has(key)) continue;
    const provider = deps.providers.get(ref.provider, ref.region, ref.account);
    snapshot.set(key, provider.supports(ref.kind) ? await provider.listEntries(ref.kind, ref.target) : []);
  }
  const current = currentLookup(snapshot);
  const executionId = input.executionId ?? '';

  for (const byIdentity of holdings.values()) {
    for (const holding of [...byIdentity.values()]) {
      if (!hasDeadIntent(holding, executionId, deps)) continue;
      const found = current(holdingRef(holding), holding.entry);
      const settled = options.write ? await writeSettled(deps.store, holding, found) : settleIntent(holding, found);
      if (settled) setHolding(holdings, settled);
      else dropHolding(holdings, holdingRef(holding), holding.identity);
    }
  }
  const now = deps.now().toISOString();
  const flowRows = ledger.filter((row) => row.flow === input.flow);
  for (const legacy of legacyHoldings(flowRows, holdings, (row) => current(row, row), now)) {
    const version = options.write ? await deps.store.putHolding(legacy, legacy.version === 0 ? undefined : legacy.version) : legacy.version + 1;
    setHolding(holdings, { ...legacy, version });
  }

  const plan = planFlow({
    facts,
    profile: spec,
    flow: input.flow,
    ledger,
    snapshot,
    holdings,
    quotas: (name) => deps.providers.get(name, facts.region).quotas(),
    supports: (name, kind) => deps.providers.get(name, facts.region).supports(kind),
  });
  const tableSize = (ref: TargetRef) => (snapshot.get(targetKey(ref)) ?? []).filter((entry) => entry.kind === ref.kind).length;
  return { plan, ledger, holdings, tableSize, ...(spec.approval ? { approval: spec.approval } : {}) };
}

function claimOf(change: Change, since: string): Claim {
  return { clusterId: change.clusterId, flow: change.flow, changeId: change.id, since };
}

/**
 * The ownership a plan records without a provider call: a claim on an entry podreach made for others, a claim
 * dropped (released while others need the entry), a holding closed (the entry is gone and this was its last
 * claim). Ledger row and holding are written in the order that leaves the row pointing at the target after a
 * crash: the row first when a claim is added, the holding first when one is dropped.
 */
async function recordOwnership(change: Change, holding: Holding | undefined, row: LedgerEntry, deps: AppDeps, holdings: MutableHoldings, previousStatus: LedgerEntry['status'] | 'absent'): Promise<boolean> {
  if (!holding || holding.intent || change.status !== 'unchanged') return false;
  const ref = holdingRef(holding);
  const mine = hasClaim(holding, change.clusterId, change.flow);
  if (change.action === 'create' && !mine) {
    await deps.store.putChange({ ...row, owned: true }, [previousStatus]);
    const claimed = withClaim(holding, claimOf(change, row.updatedAt));
    setHolding(holdings, { ...claimed, version: await deps.store.putHolding(claimed, holding.version) });
    return true;
  }
  if (change.action === 'delete' && mine) {
    const others = otherClaims(holding, change.clusterId, change.flow);
    if (others.length > 0) {
      const released: Holding = { ...holding, claims: others };
      setHolding(holdings, { ...released, version: await deps.store.putHolding(released, holding.version) });
    } else {
      await deps.store.deleteHolding(ref, holding.identity, holding.version);
      dropHolding(holdings, ref, holding.identity);
    }
    await deps.store.putChange({ ...row, owned: false }, [previousStatus]);
    return true;
  }
  return false;
}

/**
 * The holding a change's ownership is recorded against. An entry found in place with no holding looked like someone
 * else's when the plan read it; podreach may have made it since (another cluster's execution, its holding written
 * just after ours was read): read again, so that it is claimed rather than left unclaimed. One still being changed by
 * another execution makes the Plan step retry (ConcurrentUpdateError).
 */
async function currentHolding(change: Change, holdings: MutableHoldings, deps: AppDeps): Promise<Holding | undefined> {
  const known = holdingFor(holdings, change, change);
  if (known || change.status !== 'unchanged' || change.action !== 'create') return known;
  const fresh = await deps.store.getHolding(change, holdingIdentity(change));
  if (!fresh) return undefined;
  if (fresh.intent && !hasDeadIntent(fresh, '', deps)) throw new ConcurrentUpdateError(`${change.target}: ${fresh.identity} is being changed by execution ${fresh.intent.executionId}; planned again`);
  setHolding(holdings, fresh);
  return fresh;
}

/** Outcomes a later step may still change: a row in one of them must be settled, never left behind. */
const OPEN_STATUSES: ReadonlySet<LedgerEntry['status']> = new Set(['planned', 'applying', 'failed', 'awaiting-approval']);

/** Plans and records: ledger rows move to their planned status; returns the changes the state machine applies. */
export async function planAndRecord(input: FlowInput, deps: AppDeps): Promise<FlowPlanResult> {
  const read = await planWithLedger(input, deps, { write: true });
  const { ledger, holdings } = read;
  const rows = new Map(ledger.map((row) => [row.id, row]));
  // Changes the profile's approval policy holds wait for a person (or go on as approved, or stay blocked as rejected)
  const reasons = approvalReasons(read.plan.changes, read.approval, read.tableSize);
  const plan: FlowPlan = {
    ...read.plan,
    changes: read.plan.changes.map((change) => {
      const why = reasons.get(change.id);
      return why ? heldChange(change, why, standingDecision(rows.get(change.id), change)) : change;
    }),
  };
  const now = deps.now().toISOString();
  await deps.store.savePlan({ ...plan, executionId: input.executionId, createdAt: now, dryRun: false });
  for (const artifact of plan.artifacts) await deps.store.putArtifact(plan.clusterId, artifact);
  // what this flow no longer produces (a CIDR or gateway that left, a deleted cluster) must not be acted on
  const produced = new Set(plan.artifacts.map((artifact) => artifact.name));
  for (const stale of (await deps.store.listArtifacts(plan.clusterId)).filter((artifact) => artifact.flow === input.flow && !produced.has(artifact.name))) {
    await deps.store.deleteArtifact(plan.clusterId, input.flow, stale.name);
  }
  const mineAfter = (entry: Change | LedgerEntry) => {
    const holding = holdingFor(holdings, entry, entry);
    return holding !== undefined && hasClaim(holding, entry.clusterId, entry.flow);
  };
  const changeIds: string[] = [];
  const planned = new Set<string>();
  for (const change of plan.changes) {
    planned.add(change.id);
    const previous = rows.get(change.id);
    // A row another live execution is applying is left alone (its apply step records the outcome).
    if (previous && heldByOtherExecution(previous, input.executionId, deps)) continue;
    const decision = standingDecision(previous, change);
    const row: LedgerEntry = {
      ...change,
      owned: mineAfter(change),
      viaHolding: true,
      executionId: input.executionId,
      attempts: 0,
      updatedAt: now,
      ...(previous?.providerResourceId ? { providerResourceId: previous.providerResourceId } : {}),
      ...(decision ? { decision } : {}),
    };
    if (change.status === 'planned') changeIds.push(change.id);
    // Written only if the row is still as read (another execution may have moved it since): a conflict fails
    // the Plan step with ConcurrentUpdateError, which Step Functions retries with a fresh read.
    const expected = previous?.status ?? 'absent';
    if (await recordOwnership(change, await currentHolding(change, holdings, deps), row, deps, holdings, expected)) continue;
    if (previous && sameOutcome(previous, row)) continue;
    await deps.store.putChange(row, [expected]);
  }
  // Rows of this flow the plan no longer mentions: an outcome left open by an interrupted run is closed (the
  // holdings were settled against the provider above), and the ownership mirror follows the holdings.
  for (const row of ledger) {
    if (row.flow !== input.flow || planned.has(row.id) || heldByOtherExecution(row, input.executionId, deps)) continue;
    const owned = mineAfter(row);
    const open = OPEN_STATUSES.has(row.status);
    if (!open && row.owned === owned && row.viaHolding) continue;
    const { error: _error, ...rest } = row;
    await deps.store.putChange(
      {
        ...rest,
        owned,
        viaHolding: true,
        ...(open ? { status: 'unchanged', reason: 'no longer needed; settled against the provider' } : {}),
        executionId: input.executionId,
        updatedAt: now,
      },
      [row.status],
    );
  }
  return { plan, changeIds, approvalTimeoutSeconds: (read.approval?.timeoutMinutes ?? 24 * 60) * 60 };
}

/** A row whose recorded outcome a new plan would write again unchanged (nothing to write). */
function sameOutcome(previous: LedgerEntry, next: LedgerEntry): boolean {
  if (OPEN_STATUSES.has(previous.status) || next.status === 'planned' || !previous.viaHolding) return false;
  if (next.status === 'awaiting-approval') return false;
  const fields: (keyof LedgerEntry)[] = ['status', 'action', 'owned', 'reason', 'nextHop', 'nextHopType', 'enabled', 'provider', 'region', 'account'];
  return fields.every((field) => previous[field] === next[field]);
}

/** How many change ids one apply page holds: one page is one inline Map of ApplyChange tasks. */
export const APPLY_PAGE_SIZE = 100;

/** A lane of the apply step: one target's planned changes, applied in plan order, `pages` pages long. */
export interface ApplyLane {
  lane: number;
  pages: number;
}

/**
 * The Plan task's output. It does not grow with the number of changes: the changes to apply are stored in pages,
 * by lane (one per target), and the state machine reads them one page at a time.
 */
export interface PlanStepOutput extends FlowInput {
  lanes: ApplyLane[];
  /** How many changes the lanes hold (for progress and logs). */
  changes: number;
  /** Changes held for a person's approval, and how long the request may wait (AwaitApproval's timeout). */
  approval: { changes: number; timeoutSeconds: number };
}

/** Planned change ids, grouped by target (in plan order) and cut into pages. */
export function applyLanes(plan: FlowPlan, changeIds: readonly string[]): string[][][] {
  const wanted = new Set(changeIds);
  const byTarget = new Map<string, string[]>();
  for (const change of plan.changes) {
    if (!wanted.has(change.id)) continue;
    const key = targetKey(change);
    const list = byTarget.get(key);
    if (list) list.push(change.id);
    else byTarget.set(key, [change.id]);
  }
  return [...byTarget.values()].map((ids) => {
    const pages: string[][] = [];
    for (let start = 0; start < ids.length; start += APPLY_PAGE_SIZE) pages.push(ids.slice(start, start + APPLY_PAGE_SIZE));
    return pages;
  });
}

export async function planStep(input: FlowInput, deps: AppDeps): Promise<PlanStepOutput> {
  const base = { clusterId: input.clusterId, flow: input.flow, executionId: input.executionId };
  // A dry run plans (the Plan task fails on what planning cannot do) but records and applies nothing.
  if (input.dryRun) {
    await planClusterFlow(input, deps);
    return { ...base, lanes: [], changes: 0, approval: { changes: 0, timeoutSeconds: 60 } };
  }
  // before the facts are read: an event folded after this starts an execution of its own
  await markPlanning(deps.store, input.clusterId, input.flow, input.executionId, deps.now());
  const { plan, changeIds, approvalTimeoutSeconds } = await planAndRecord(input, deps);
  const lanes = applyLanes(plan, changeIds);
  await deps.store.saveApplyPages(base, lanes);
  const held = plan.changes.filter((change) => change.status === 'awaiting-approval').length;
  return {
    ...base,
    lanes: lanes.map((pages, lane) => ({ lane, pages: pages.length })),
    changes: changeIds.length,
    approval: { changes: held, timeoutSeconds: approvalTimeoutSeconds },
  };
}

export interface LoadPageInput extends FlowInput {
  lane: number;
  page: number;
  pages: number;
}

/** The LoadPage task: one page of a lane's change ids, and the next page's number (-1 after the last). */
export async function loadApplyPage(input: LoadPageInput, deps: Pick<AppDeps, 'store'>): Promise<LoadPageInput & { changeIds: string[]; next: number }> {
  const changeIds = await deps.store.getApplyPage(input, input.lane, input.page);
  if (!changeIds) throw new NotFoundError(`apply page ${input.lane}/${input.page} of execution ${input.executionId} (${input.flow}, ${input.clusterId}) is not in the store`);
  const next = input.page + 1 < input.pages ? input.page + 1 : -1;
  return { clusterId: input.clusterId, flow: input.flow, executionId: input.executionId, lane: input.lane, page: input.page, pages: input.pages, changeIds, next };
}
