// Use cases of the approval gate (docs/approval.md): the plan step holds the changes a profile's approval policy
// names (status awaiting-approval); a request records them with the execution's task token and asks a person; a
// decision is recorded on each change's ledger row — approved changes are applied by the next plan of the flow (the
// same execution continues there in AWS; locally `podreach approve` runs the flow again), rejected ones stay blocked.
import { decidedReason, heldWhy } from '../domain/approval.js';
import { ConcurrentUpdateError, InvalidInputError } from '../domain/errors.js';
import type { ApprovalDecision, Change, Flow, LedgerEntry } from '../domain/model.js';
import type { ApprovalNotice, ApprovalNotifier, Notifier } from '../ports/notifier.js';
import type { StateStore } from '../ports/state-store.js';
import type { AppDeps } from './deps.js';

export interface ApprovalRequest {
  clusterId: string;
  flow: Flow;
  executionId: string;
  changeIds: string[];
  state: 'pending' | 'approved' | 'rejected';
  requestedAt: string;
  /** The waiting execution's task token (AWS); absent locally. */
  taskToken?: string;
  decidedBy?: string;
  decidedAt?: string;
}

const requestKey = (executionId: string) => `APPROVAL#${executionId}`;

function toChange(row: LedgerEntry): Change {
  const { owned: _o, viaHolding: _v, executionId: _e, providerResourceId: _p, attempts: _a, error: _x, updatedAt: _u, decision: _d, ...change } = row;
  return change;
}

function canAskForApproval(notifier: Notifier): notifier is Notifier & ApprovalNotifier {
  return typeof (notifier as Partial<ApprovalNotifier>).requestApproval === 'function';
}

/**
 * Records the request for the changes the execution's plan held, and asks a person. A retried task updates the
 * request with its new token (the latest waiting task is the one to resume).
 */
export async function requestApproval(
  input: { clusterId: string; flow: Flow; executionId: string; taskToken?: string },
  deps: Pick<AppDeps, 'store' | 'now' | 'notifier'>,
  answer: ApprovalNotice['answer'],
): Promise<ApprovalRequest> {
  const held = (await deps.store.listChanges(input.clusterId)).filter(
    (row) => row.flow === input.flow && row.status === 'awaiting-approval' && row.executionId === input.executionId,
  );
  const request: ApprovalRequest = {
    clusterId: input.clusterId,
    flow: input.flow,
    executionId: input.executionId,
    changeIds: held.map((row) => row.id),
    state: 'pending',
    requestedAt: deps.now().toISOString(),
    ...(input.taskToken ? { taskToken: input.taskToken } : {}),
  };
  const stored = await deps.store.getDocument<ApprovalRequest>(requestKey(input.executionId));
  if (stored && stored.body.state !== 'pending') return stored.body;
  await deps.store.putDocument(requestKey(input.executionId), request, stored?.version);
  if (canAskForApproval(deps.notifier)) {
    await deps.notifier.requestApproval({ clusterId: input.clusterId, flow: input.flow, executionId: input.executionId, changes: held.map(toChange), answer });
  }
  return request;
}

export async function getApprovalRequest(store: Pick<StateStore, 'getDocument'>, executionId: string): Promise<ApprovalRequest | undefined> {
  return (await store.getDocument<ApprovalRequest>(requestKey(executionId)))?.body;
}

/**
 * Records a decision on every change the request holds (those still awaiting it) and closes the request. Returns
 * the request as decided (its task token says which execution to resume). Deciding twice is refused.
 */
export async function decideApproval(
  input: { executionId: string; approve: boolean; by: string },
  deps: Pick<AppDeps, 'store' | 'now'>,
): Promise<ApprovalRequest & { decided: number }> {
  const stored = await deps.store.getDocument<ApprovalRequest>(requestKey(input.executionId));
  if (!stored) throw new InvalidInputError('execution', `no approval was requested by execution ${input.executionId}`);
  if (stored.body.state !== 'pending') {
    throw new InvalidInputError('execution', `the approval of ${input.executionId} was already decided: ${stored.body.state} by ${stored.body.decidedBy ?? '?'} at ${stored.body.decidedAt ?? '?'}`);
  }
  const at = deps.now().toISOString();
  const decision: ApprovalDecision = { approved: input.approve, by: input.by, at, executionId: input.executionId };
  let decided = 0;
  for (const changeId of stored.body.changeIds) {
    const row = await deps.store.getChange(stored.body.clusterId, changeId);
    if (!row || row.status !== 'awaiting-approval' || row.executionId !== input.executionId) continue;
    const next: LedgerEntry = { ...row, status: input.approve ? 'planned' : 'blocked', decision, reason: decidedReason(decision, heldWhy(row.reason)), updatedAt: at };
    try {
      await deps.store.putChange(next, ['awaiting-approval']);
      decided += 1;
    } catch (error) {
      // moved on meanwhile (a newer plan replaced it): that plan decides it
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
  const closed: ApprovalRequest = { ...stored.body, state: input.approve ? 'approved' : 'rejected', decidedBy: input.by, decidedAt: at };
  await deps.store.putDocument(requestKey(input.executionId), closed, stored.version);
  return { ...closed, decided };
}
