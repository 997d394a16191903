// Use cases behind `podreach run` / `plan` / `trigger`: one event end to end through the flow state machines
// (or only up to the plan), one flow at a time in FLOWS order.
import type { ClusterEvent } from '../../events/schemas.js';
import type { Flow, FlowPlan } from '../domain/model.js';
import type { FlowRunner } from '../ports/flow-runner.js';
import type { ExecutionSummary } from '../ports/notifier.js';
import type { AppDeps } from './deps.js';
import { ingestEvent, type IngestResult } from './ingest-event.js';
import { planClusterFlow } from './plan-flow.js';

export interface EventRun {
  ingest: IngestResult;
  summaries: ExecutionSummary[];
}

export async function runEvent(
  event: ClusterEvent,
  deps: AppDeps & { runner: FlowRunner },
  runId: string,
  onProgress?: (message: string) => void,
): Promise<EventRun> {
  const ingest = await ingestEvent(event, deps);
  const summaries = [];
  for (const flow of ingest.flows) summaries.push(await runFlow(ingest.clusterId, flow, deps, runId, onProgress));
  return { ingest, summaries };
}

export async function runFlow(clusterId: string, flow: Flow, deps: { runner: FlowRunner }, runId: string, onProgress?: (message: string) => void): Promise<ExecutionSummary> {
  onProgress?.(`${flow}: started`);
  const summary = await deps.runner.run({ clusterId, flow, executionId: `${runId}-${flow}` }, onProgress);
  onProgress?.(`${flow}: ${summary.outcome}`);
  return summary;
}

/** Plans what the event would change, recording nothing (neither facts nor plan). */
export async function planEvent(event: ClusterEvent, deps: AppDeps): Promise<{ ingest: IngestResult; plans: FlowPlan[] }> {
  const ingest = await ingestEvent(event, deps, { persist: false });
  const plans = [];
  for (const flow of ingest.flows) plans.push(await planClusterFlow({ clusterId: ingest.clusterId, flow }, deps, { facts: ingest.facts }));
  return { ingest, plans };
}
