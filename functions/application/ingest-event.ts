// Use case: an event arrives. Fold it into the cluster's facts (optimistic concurrency) and say which flows
// must run: the flows the cluster's profile configures, plus any flow that still owns entries (clean-up).
import type { ClusterEvent } from '../../events/schemas.js';
import { applyEvent } from '../domain/facts.js';
import type { ClusterFacts, Flow } from '../domain/model.js';
import { FLOWS } from '../domain/model.js';
import { configuredFlows, holdsEntry } from '../domain/planner/index.js';
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

export async function ingestEvent(event: ClusterEvent, deps: Pick<AppDeps, 'store'>, options: { persist: boolean } = { persist: true }): Promise<IngestResult> {
  const clusterId = event.detail.clusterId;
  const folded = await withOptimisticRetry(async () => {
    const stored = await deps.store.getCluster(clusterId);
    const result = applyEvent(stored?.facts, event);
    if (options.persist && result.changed) await deps.store.putCluster(result.facts, stored?.version);
    return result;
  });
  const warnings: string[] = [];
  const { profile, flows } = await flowsForCluster(folded.facts, deps.store);
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

/** The flows a cluster needs now: configured by its profile, or still holding entries or open outcomes to settle. */
export async function flowsForCluster(facts: ClusterFacts, store: StateStore) {
  const profile = resolveProfile(await store.listProfiles(), facts);
  const wanted = new Set<Flow>(profile ? configuredFlows(profile.spec) : []);
  for (const row of await store.listChanges(facts.clusterId)) if (holdsEntry(row)) wanted.add(row.flow);
  return { profile, flows: FLOWS.filter((flow) => wanted.has(flow)) };
}
