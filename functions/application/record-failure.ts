// Use case: Step Functions caught an error while applying a change: record it so a re-run resumes there.
import { ConcurrentUpdateError } from '../domain/errors.js';
import { holdingRef } from '../domain/holdings.js';
import { holdingIdentity } from '../domain/planner/identity.js';
import type { AppDeps } from './deps.js';
import type { ApplyChangeResult } from './apply-change.js';

export interface RecordFailureInput {
  clusterId: string;
  executionId: string;
  changeId: string;
  error?: { Error?: string; Cause?: string };
}

/** The message of a Step Functions error object (Cause is often the Lambda error as JSON). */
export function describeStepError(error: RecordFailureInput['error']): string {
  if (!error) return 'unknown error';
  const name = error.Error ?? 'Error';
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown; message?: unknown };
    const text = parsed.errorMessage ?? parsed.message;
    if (typeof text === 'string') message = text;
  } catch {
    // Cause is plain text
  }
  return message ? `${name}: ${message}` : name;
}

export async function recordFailure(input: RecordFailureInput, deps: Pick<AppDeps, 'store' | 'now'>): Promise<ApplyChangeResult> {
  const row = await deps.store.getChange(input.clusterId, input.changeId);
  const message = describeStepError(input.error);
  if (!row) return { changeId: input.changeId, status: 'failed', reason: message };
  await deps.store.putChange({ ...row, status: 'failed', error: message, reason: message, executionId: input.executionId, updatedAt: deps.now().toISOString() });
  // The intent this task left on the entry's holding is nobody's now: the next plan or apply settles it at once
  // (whether the call took effect is read from the provider then), rather than waiting for it to expire.
  const holding = await deps.store.getHolding(holdingRef(row), holdingIdentity(row));
  if (holding?.intent && holding.intent.executionId === input.executionId && holding.intent.changeId === row.id && !holding.intent.abandoned) {
    try {
      await deps.store.putHolding({ ...holding, intent: { ...holding.intent, abandoned: true } }, holding.version);
    } catch (error) {
      // settled meanwhile by someone else: nothing of this task's is left open
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  return { changeId: input.changeId, status: 'failed', reason: message };
}
