// Use case: what one flow execution did (from its recorded plan and the ledger), and the notification of it.
// A failed notification never fails or repeats the network change: it is recorded and reported as a warning.
import { ConcurrentUpdateError } from '../domain/errors.js';
import type { Change, Flow, LedgerEntry } from '../domain/model.js';
import { countChanges } from '../domain/planner/index.js';
import type { ExecutionSummary, Notifier } from '../ports/notifier.js';
import type { AppDeps } from './deps.js';

export interface SummarizeInput {
  clusterId: string;
  flow: Flow;
  executionId: string;
  error?: { Error?: string; Cause?: string } | string;
}

function toChange(row: LedgerEntry): Change {
  const { owned: _owned, executionId: _e, providerResourceId: _p, attempts: _a, error: _err, updatedAt: _u, ...change } = row;
  return change;
}

export async function summarizeExecution(input: SummarizeInput, deps: Pick<AppDeps, 'store'>): Promise<ExecutionSummary> {
  const plan = await deps.store.getPlan(input.clusterId, input.flow, input.executionId);
  const rows = new Map((await deps.store.listChanges(input.clusterId)).map((row) => [row.id, row]));
  const changes: Change[] = (plan?.changes ?? []).map((planned) => {
    const row = rows.get(planned.id);
    // this execution's outcome, or a later one's (a concurrent execution of the same flow applied it)
    const current = row && (row.executionId === input.executionId || (plan !== undefined && row.updatedAt >= plan.createdAt));
    return row && current ? toChange(row) : planned;
  });
  const error = typeof input.error === 'string' ? input.error : input.error ? [input.error.Error, input.error.Cause].filter(Boolean).join(': ') : undefined;
  const failed = changes.some((change) => change.status === 'failed' || change.status === 'planned' || change.status === 'applying');
  return {
    clusterId: input.clusterId,
    flow: input.flow,
    executionId: input.executionId,
    outcome: error || failed ? 'failed' : 'succeeded',
    changes,
    counts: countChanges(changes),
    artifacts: plan?.artifacts ?? [],
    warnings: [...(plan?.warnings ?? [])],
    ...(plan?.drift?.length ? { drift: plan.drift } : {}),
    ...(error ? { error } : {}),
  };
}

export async function notifyExecution(input: SummarizeInput, deps: Pick<AppDeps, 'store' | 'notifier' | 'now'>): Promise<ExecutionSummary> {
  return postSummary(await summarizeExecution(input, deps), deps);
}

/** Sends a summary; a failure is recorded (NOTIFY# document) and added to the summary's warnings, never thrown. */
export async function postSummary(summary: ExecutionSummary, deps: Pick<AppDeps, 'store' | 'notifier' | 'now'>): Promise<ExecutionSummary> {
  try {
    await deps.notifier.notify(summary);
  } catch (error) {
    const message = `notification failed: ${(error as Error).message}`;
    summary.warnings.push(message);
    try {
      await deps.store.putDocument(`NOTIFY#${summary.clusterId}#${summary.executionId}`, { at: deps.now().toISOString(), error: message }, undefined);
    } catch (recordError) {
      // ConcurrentUpdateError: already recorded for this execution (a retried Notify), the first record stands
      if (!(recordError instanceof ConcurrentUpdateError)) summary.warnings.push(`the failed notification could not be recorded: ${(recordError as Error).message}`);
    }
  }
  return summary;
}

/** One summary for an execution that ran several flows (a local run of one event): one notification. */
export function mergeSummaries(executionId: string, summaries: readonly ExecutionSummary[]): ExecutionSummary | undefined {
  const first = summaries[0];
  if (!first) return undefined;
  const changes = summaries.flatMap((summary) => summary.changes);
  const errors = summaries.filter((summary) => summary.error).map((summary) => `${summary.flow}: ${summary.error}`);
  return {
    clusterId: first.clusterId,
    flow: first.flow,
    flows: summaries.map((summary) => summary.flow),
    executionId,
    outcome: summaries.some((summary) => summary.outcome === 'failed') ? 'failed' : 'succeeded',
    changes,
    counts: countChanges(changes),
    artifacts: summaries.flatMap((summary) => summary.artifacts),
    warnings: [...new Set(summaries.flatMap((summary) => summary.warnings))],
    ...(summaries.some((summary) => summary.drift?.length) ? { drift: summaries.flatMap((summary) => summary.drift ?? []) } : {}),
    ...(errors.length ? { error: errors.join('; ') } : {}),
  };
}

/** Holds the summaries the Notify steps of one local run produce, so the run posts one message at its end. */
export class CollectingNotifier implements Notifier {
  readonly summaries: ExecutionSummary[] = [];
  async notify(summary: ExecutionSummary): Promise<void> {
    this.summaries.push(summary);
  }
  drain(): ExecutionSummary[] {
    return this.summaries.splice(0);
  }
}

/** Step Functions keeps at most 256 KB per state: a larger summary leaves out its changes and artifact contents. */
export function compactForStateOutput(summary: ExecutionSummary, limitBytes = 200_000): ExecutionSummary {
  if (Buffer.byteLength(JSON.stringify(summary)) <= limitBytes) return summary;
  return { ...summary, changes: [], artifacts: summary.artifacts.map((artifact) => ({ ...artifact, content: '' })), truncated: true };
}
