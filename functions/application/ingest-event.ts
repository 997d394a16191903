// Use case: an event arrives. Fold it into the cluster's facts (optimistic concurrency) and say which flows
// must run: the flows the cluster's profile configures, plus any flow that still owns entries (clean-up).
import type { ClusterEvent } from '../../events/schemas.js';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { applyEvent } from '../domain/facts.js';
import { LIMITS } from '../domain/limits.js';
import type { ClusterFacts, Flow } from '../domain/model.js';
import { FLOWS } from '../domain/model.js';
import { configuredFlows, holdsEntry } from '../domain/planner/index.js';
import type { ConnectivityProfile } from '../domain/profile.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import type { StateStore } from '../ports/state-store.js';
import type { AppDeps } from './deps.js';
import { withOptimisticRetry } from './retry.js';

export interface IngestResult {
  clusterId: string;
  facts: ClusterFacts;
  flows: Flow[];
  profileName?: string;
  /** Set when the event changed nothing (stale or duplicate). */
  ignored?: string;
  warnings: string[];
}

/**
 * The event names a profile that is not stored (yet): retryable. Locally exit 2; in AWS the ingest Lambda fails,
 * so EventBridge delivers the event again, and a profile put in the meantime is found then.
 */
export class UnknownProfileError extends NotFoundError {
  override name = 'UnknownProfileError';
  constructor(
    readonly clusterId: string,
    readonly profileName: string,
    stored: readonly string[],
  ) {
    super(
      `cluster ${clusterId} names the connectivity profile "${profileName}", which is not stored (stored: ${stored.length > 0 ? stored.join(', ') : 'none'}); ` +
        'store it (podreach profile put, or --profile) and send the event again',
    );
  }
}

export interface IngestOptions {
  /** false: fold and check only (plan, and the CLI's checks before it records anything). */
  persist: boolean;
  /** Profiles about to be stored with this run (the CLI's --profile): found as if they were. */
  pendingProfiles?: readonly ConnectivityProfile[];
}

export async function ingestEvent(event: ClusterEvent, deps: Pick<AppDeps, 'store'>, options: IngestOptions = { persist: true }): Promise<IngestResult> {
  const clusterId = event.detail.clusterId;
  const profiles = withPending(await deps.store.listProfiles(), options.pendingProfiles);
  const folded = await withOptimisticRetry(async () => {
    const stored = await deps.store.getCluster(clusterId);
    const result = applyEvent(stored?.facts, event);
    // Checked before the facts are written, so a refused event records nothing.
    const nodes = Object.keys(result.facts.nodes).length;
    if (result.changed && nodes > LIMITS.nodesPerCluster) {
      throw new InvalidInputError('detail.node', `cluster ${clusterId} would have ${nodes} nodes; podreach handles at most ${LIMITS.nodesPerCluster} per cluster`);
    }
    const named = result.facts.profile;
    if (!result.facts.deleted && named !== undefined && !profiles.some((profile) => profile.metadata.name === named)) {
      throw new UnknownProfileError(clusterId, named, profiles.map((profile) => profile.metadata.name));
    }
    if (options.persist && result.changed) await deps.store.putCluster(result.facts, stored?.version);
    return result;
  });
  const warnings: string[] = [];
  const { profile, flows } = await flowsForCluster(folded.facts, deps.store, profiles);
  if (!profile) warnings.push(`no connectivity profile matches cluster ${clusterId} (by name, clusterId or vpcId): nothing to plan`);
  return {
    clusterId,
    facts: folded.facts,
    flows: folded.ignored ? [] : flows,
    ...(profile ? { profileName: profile.metadata.name } : {}),
    ...(folded.ignored ? { ignored: folded.ignored } : {}),
    warnings,
  };
}

function withPending(stored: readonly ConnectivityProfile[], pending: readonly ConnectivityProfile[] = []): ConnectivityProfile[] {
  const names = new Set(pending.map((profile) => profile.metadata.name));
  return [...stored.filter((profile) => !names.has(profile.metadata.name)), ...pending];
}

/**
 * The flows a cluster needs now: configured by its profile, or still holding entries or open outcomes to settle.
 * `profiles`: those stored, when already read.
 */
export async function flowsForCluster(facts: ClusterFacts, store: StateStore, profiles?: readonly ConnectivityProfile[]) {
  const profile = resolveProfile(profiles ?? (await store.listProfiles()), facts);
  const wanted = new Set<Flow>(profile ? configuredFlows(profile.spec) : []);
  for (const row of await store.listChanges(facts.clusterId)) if (holdsEntry(row)) wanted.add(row.flow);
  return { profile, flows: FLOWS.filter((flow) => wanted.has(flow)) };
}
