// Use case (AWS entry): an event on the bus -> facts folded -> each needed flow's state machine started.
import { createHash } from 'node:crypto';
import type { ClusterEvent } from '../../events/schemas.js';
import type { FlowStarter } from '../ports/flow-runner.js';
import type { AppDeps } from './deps.js';
import { queueExecution } from './coalesce.js';
import { executionIdFor } from './execution-id.js';
import { flowsForCluster, ingestEvent, type IngestResult } from './ingest-event.js';

export interface HandleEventResult extends IngestResult {
  executions: { flow: string; executionId: string; started: boolean; coalescedInto?: string }[];
}

/**
 * Folds the event into the facts, then starts each needed flow — unless an execution of that flow is still queued
 * (its Plan not started yet): it will read these facts too (coalesce.ts).
 */
export async function handleEvent(event: ClusterEvent, deps: Pick<AppDeps, 'store' | 'now'> & { starter: FlowStarter }): Promise<HandleEventResult> {
  const ingested = await ingestEvent(event, deps);
  const origin = event.id ?? createHash('sha256').update(JSON.stringify(event)).digest('hex');
  const executions = [];
  for (const flow of ingested.flows) {
    const executionId = executionIdFor(ingested.clusterId, flow, origin);
    const queued = await queueExecution(deps.store, ingested.clusterId, flow, executionId, deps.now());
    if (!queued.start) {
      executions.push({ flow, executionId, started: false, coalescedInto: queued.coalescedInto });
      continue;
    }
    executions.push({ flow, ...(await deps.starter.start({ clusterId: ingested.clusterId, flow, executionId })) });
  }
  return { ...ingested, executions };
}

/** Scheduled reconcile: re-plan every known cluster's flows (repairs drift). One execution per cluster, flow and hour. */
export async function reconcileAll(deps: Pick<AppDeps, 'store' | 'now'> & { starter: FlowStarter }) {
  const hour = deps.now().toISOString().slice(0, 13);
  const started = [];
  for (const facts of await deps.store.listClusters()) {
    const { flows } = await flowsForCluster(facts, deps.store);
    for (const flow of flows) {
      const executionId = executionIdFor(facts.clusterId, flow, `reconcile-${hour}`);
      started.push({ clusterId: facts.clusterId, flow, ...(await deps.starter.start({ clusterId: facts.clusterId, flow, executionId })) });
    }
  }
  return { started };
}
