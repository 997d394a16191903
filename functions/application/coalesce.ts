// Coalescing events into executions (docs/events.md): a flow execution reads the cluster's facts when its Plan step
// starts, so every event folded before then is covered by it. A marker per cluster and flow says whether the last
// execution started is still queued (its Plan has not started): then a new event starts nothing, and a rolling
// upgrade of 100 nodes is a few executions, not 200. Once a Plan has started (it may have read older facts), the next
// event starts a new execution. One conditional write at a time; a marker queued for longer than QUEUE_TTL_MS
// (an execution that never reached its Plan) counts as absent.
import { ConcurrentUpdateError } from '../domain/errors.js';
import type { Flow } from '../domain/model.js';
import type { StateStore } from '../ports/state-store.js';
import { withOptimisticRetry } from './retry.js';

export const QUEUE_TTL_MS = 3 * 60 * 1000;

interface PendingExecution {
  executionId: string;
  state: 'queued' | 'planning';
  at: string;
}

const markerKey = (clusterId: string, flow: Flow) => `PENDING#${clusterId}#${flow}`;

export type QueueDecision = { start: true } | { start: false; coalescedInto: string };

/**
 * Whether an event's execution must start: no (coalesced into a queued one), or yes (then the marker names it as
 * queued). A lost race re-reads and decides again.
 */
export async function queueExecution(store: Pick<StateStore, 'getDocument' | 'putDocument'>, clusterId: string, flow: Flow, executionId: string, now: Date): Promise<QueueDecision> {
  try {
    return await withOptimisticRetry(async (): Promise<QueueDecision> => {
      const marker = await store.getDocument<PendingExecution>(markerKey(clusterId, flow));
      const queued = marker?.body.state === 'queued' && now.getTime() - Date.parse(marker.body.at) < QUEUE_TTL_MS;
      if (queued && marker.body.executionId !== executionId) return { start: false, coalescedInto: marker.body.executionId };
      await store.putDocument(markerKey(clusterId, flow), { executionId, state: 'queued', at: now.toISOString() } satisfies PendingExecution, marker?.version);
      return { start: true };
    });
  } catch (error) {
    // still racing: starting one more execution is always safe
    if (error instanceof ConcurrentUpdateError) return { start: true };
    throw error;
  }
}

/** Called as a Plan starts, before it reads the facts: later events must start a new execution. */
export async function markPlanning(store: Pick<StateStore, 'getDocument' | 'putDocument'>, clusterId: string, flow: Flow, executionId: string, now: Date): Promise<void> {
  const marker = await store.getDocument<PendingExecution>(markerKey(clusterId, flow));
  if (!marker || marker.body.executionId !== executionId || marker.body.state !== 'queued') return;
  try {
    await store.putDocument(markerKey(clusterId, flow), { ...marker.body, state: 'planning', at: now.toISOString() } satisfies PendingExecution, marker.version);
  } catch (error) {
    // a newer event queued another execution meanwhile: that one covers what this one may miss
    if (!(error instanceof ConcurrentUpdateError)) throw error;
  }
}
