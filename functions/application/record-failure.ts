// Use case: Step Functions caught an error while applying a change: record it so a re-run resumes there.
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
  return { changeId: input.changeId, status: 'failed', reason: message };
}
