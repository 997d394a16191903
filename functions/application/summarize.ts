// Use case: what one flow execution did (from its recorded plan and the ledger), and the notification of it.
// A failed notification never fails or repeats the network change: it is recorded and reported as a warning.
import type { Change, Flow, LedgerEntry } from '../domain/model.js';
import { countChanges } from '../domain/planner/index.js';
import type { ExecutionSummary } from '../ports/notifier.js';
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
  const plans = await deps.store.listPlans(input.clusterId, input.flow);
  const plan = plans.find((candidate) => candidate.executionId === input.executionId);
  const rows = new Map((await deps.store.listChanges(input.clusterId)).map((row) => [row.id, row]));
  const changes: Change[] = (plan?.changes ?? []).map((planned) => {
    const row = rows.get(planned.id);
    return row && row.executionId === input.executionId ? toChange(row) : planned;
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
    ...(error ? { error } : {}),
  };
}

export async function notifyExecution(input: SummarizeInput, deps: Pick<AppDeps, 'store' | 'notifier' | 'now'>): Promise<ExecutionSummary> {
  const summary = await summarizeExecution(input, deps);
  try {
    await deps.notifier.notify(summary);
  } catch (error) {
    const message = `notification failed: ${(error as Error).message}`;
    summary.warnings.push(message);
    await deps.store.putDocument(`NOTIFY#${input.clusterId}#${input.executionId}`, { at: deps.now().toISOString(), error: message }, undefined).catch(() => undefined);
  }
  return summary;
}
