// Use case: plan one flow of one cluster — snapshot what the provider holds now, diff against the desired
// state, and (unless dry-run) record the plan and its ledger rows. Returns the ids of the changes to apply.
import { NotFoundError } from '../domain/errors.js';
import type { ClusterFacts, FlowPlan, LedgerEntry, ProviderEntry } from '../domain/model.js';
import { profileSpecSchema, type ConnectivityProfile } from '../domain/profile.js';
import { planFlow, requiredTargets, targetKey } from '../domain/planner/index.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import type { FlowInput } from '../ports/flow-runner.js';
import { heldByOtherExecution, type AppDeps } from './deps.js';

export interface FlowPlanResult {
  plan: FlowPlan;
  changeIds: string[];
}

/** A cluster no profile matches plans nothing but the clean-up of what podreach still holds. */
const EMPTY_SPEC = profileSpecSchema.parse({});

export async function planClusterFlow(
  input: Pick<FlowInput, 'clusterId' | 'flow'>,
  deps: AppDeps,
  override?: { facts: ClusterFacts },
): Promise<FlowPlan> {
  return (await planWithLedger(input, deps, override)).plan;
}

async function planWithLedger(
  input: Pick<FlowInput, 'clusterId' | 'flow'>,
  deps: AppDeps,
  override?: { facts: ClusterFacts },
): Promise<{ plan: FlowPlan; ledger: LedgerEntry[] }> {
  const facts = override?.facts ?? (await deps.store.getCluster(input.clusterId))?.facts;
  if (!facts) throw new NotFoundError(`cluster ${input.clusterId} is unknown: no Cluster Created event was processed for it`);
  const profile: ConnectivityProfile | undefined = resolveProfile(await deps.store.listProfiles(), facts);
  const ledger = await deps.store.listChanges(facts.clusterId);
  const spec = profile?.spec ?? EMPTY_SPEC;
  const targets = requiredTargets(facts, spec, input.flow, ledger);
  const snapshot = new Map<string, readonly ProviderEntry[]>();
  for (const ref of targets) {
    const key = targetKey(ref);
    if (snapshot.has(key)) continue;
    const provider = deps.providers.get(ref.provider, ref.region);
    snapshot.set(key, provider.supports(ref.kind) ? await provider.listEntries(ref.kind, ref.target) : []);
  }
  const plan = planFlow({
    facts,
    profile: spec,
    flow: input.flow,
    ledger,
    snapshot,
    quotas: (name) => deps.providers.get(name, facts.region).quotas(),
    supports: (name, kind) => deps.providers.get(name, facts.region).supports(kind),
  });
  return { plan, ledger };
}

/** Plans and records: ledger rows move to their planned status; returns the changes the state machine applies. */
export async function planAndRecord(input: FlowInput, deps: AppDeps): Promise<FlowPlanResult> {
  const { plan, ledger } = await planWithLedger(input, deps);
  const rows = new Map(ledger.map((row) => [row.id, row]));
  const now = deps.now().toISOString();
  await deps.store.savePlan({ ...plan, executionId: input.executionId, createdAt: now, dryRun: false });
  for (const artifact of plan.artifacts) await deps.store.putArtifact(plan.clusterId, artifact);
  // what this flow no longer produces (a CIDR or gateway that left, a deleted cluster) must not be acted on
  const produced = new Set(plan.artifacts.map((artifact) => artifact.name));
  for (const stale of (await deps.store.listArtifacts(plan.clusterId)).filter((artifact) => artifact.flow === input.flow && !produced.has(artifact.name))) {
    await deps.store.deleteArtifact(plan.clusterId, input.flow, stale.name);
  }
  const changeIds: string[] = [];
  for (const change of plan.changes) {
    const previous = rows.get(change.id);
    // A row another live execution is applying is left alone (its apply step records the outcome).
    if (previous && heldByOtherExecution(previous, input.executionId, deps)) continue;
    // A create podreach attempted whose task then failed (after the provider created it): the entry is there
    // now, identical, and podreach made it — it was planned only because the entry was absent.
    const createdByUs = previous?.action === 'create' && (previous.status === 'failed' || previous.status === 'applying') && previous.attempts > 0;
    const owned =
      change.action === 'delete' && change.status === 'unchanged'
        ? false
        : change.action === 'create' && change.status === 'unchanged' && createdByUs
          ? true
          : previous?.owned ?? false;
    const row: LedgerEntry = {
      ...change,
      owned,
      executionId: input.executionId,
      attempts: 0,
      updatedAt: now,
      ...(previous?.providerResourceId ? { providerResourceId: previous.providerResourceId } : {}),
    };
    // Written only if the row is still as read (another execution may have moved it since): a conflict fails
    // the Plan step with ConcurrentUpdateError, which Step Functions retries with a fresh read.
    await deps.store.putChange(row, [previous?.status ?? 'absent']);
    if (change.status === 'planned') changeIds.push(change.id);
  }
  return { plan, changeIds };
}

/** The Plan task's output: small (ids only) so it stays inside Step Functions' 256 KB payload limit. */
export async function planStep(input: FlowInput, deps: AppDeps): Promise<FlowInput & { changeIds: string[] }> {
  // A dry run plans (the Plan task fails on what planning cannot do) but records and applies nothing.
  const changeIds = input.dryRun ? (await planClusterFlow(input, deps), []) : (await planAndRecord(input, deps)).changeIds;
  return { clusterId: input.clusterId, flow: input.flow, executionId: input.executionId, changeIds };
}

