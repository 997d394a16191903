// Use case: apply one planned change through its provider, idempotently, and record it.
// Intent first: before the provider call, the entry's holding says what is about to happen (creating, deleting,
// updating) and by which execution, and the ledger row says `applying`; after the call both are closed. A run
// killed in between leaves the intent open, and the next plan or apply settles it against the provider.
// Conflicts and unsupported kinds found at apply time become `blocked` (with the reason), not failures;
// retryable provider errors are rethrown for Step Functions' Retry; others are rethrown for its Catch.
// The adapter's own read after writing is the verification (functions/ports/network-provider.ts): nothing lists
// the target again here.
import { EntryConflictError, LeaseHeldError, NotFoundError, QuotaExceededError, UnsupportedChangeError } from '../domain/errors.js';
import { describeClaims, entryOf, hasClaim, holdingRef, otherClaims, sortClaims, withClaim } from '../domain/holdings.js';
import type { ChangeStatus, Holding, HoldingIntent, LedgerEntry, NetworkEntry } from '../domain/model.js';
import { holdingIdentity, targetRef, valueMatches } from '../domain/planner/identity.js';
import type { TargetRef } from '../domain/planner/types.js';
import type { NetworkProvider } from '../ports/network-provider.js';
import { heldByOtherExecution, type AppDeps } from './deps.js';
import { withOptimisticRetry } from './retry.js';
import { hasDeadIntent, settleFromProvider } from './ownership.js';

export interface ApplyChangeInput {
  clusterId: string;
  executionId: string;
  changeId: string;
}

export interface ApplyChangeResult {
  changeId: string;
  status: ChangeStatus;
  reason?: string;
}

interface Outcome {
  status: 'applied' | 'unchanged' | 'blocked';
  owned: boolean;
  reason?: string;
  resourceId?: string;
}

/** Errors that mean "this change cannot be made as planned": recorded as blocked, never retried. */
function blocks(error: unknown): error is Error {
  return error instanceof EntryConflictError || error instanceof UnsupportedChangeError || error instanceof QuotaExceededError;
}

class ApplyTask {
  private readonly ref: TargetRef;
  private readonly identity: string;
  private readonly entry: NetworkEntry;
  private readonly provider: NetworkProvider;

  constructor(
    private readonly row: LedgerEntry,
    private readonly executionId: string,
    private readonly deps: AppDeps,
  ) {
    this.ref = targetRef(row);
    this.entry = entryOf(row);
    this.identity = holdingIdentity(this.entry);
    this.provider = deps.providers.get(row.provider, row.region, row.account);
  }

  private get context() {
    return { clusterId: this.row.clusterId, changeId: this.row.id };
  }

  private intent(): HoldingIntent {
    return {
      action: this.row.action,
      clusterId: this.row.clusterId,
      flow: this.row.flow,
      changeId: this.row.id,
      executionId: this.executionId,
      attempt: this.row.attempts + 1,
      at: this.deps.now().toISOString(),
      ...(this.row.action === 'update' ? { entry: this.entry } : {}),
    };
  }

  /**
   * The holding as it stands once no other execution is in the middle of changing it: a live intent of another
   * execution is waited out (LeaseHeldError, retried); a dead one is settled against the provider first.
   */
  private async settledHolding(): Promise<Holding | undefined> {
    for (;;) {
      const holding = await this.deps.store.getHolding(this.ref, this.identity);
      if (!holding?.intent || holding.intent.executionId === this.executionId) return holding;
      if (!hasDeadIntent(holding, this.executionId, this.deps)) {
        throw new LeaseHeldError(
          `${this.row.target}: ${this.identity} is being changed by execution ${holding.intent.executionId} (${holding.intent.clusterId}, ${holding.intent.flow}); retried`,
        );
      }
      await settleFromProvider(this.deps.store, this.provider, holding);
    }
  }

  create(): Promise<Outcome> {
    return withOptimisticRetry(async () => {
      const holding = await this.settledHolding();
      const mine = { clusterId: this.row.clusterId, flow: this.row.flow, changeId: this.row.id, since: this.deps.now().toISOString() };
      if (holding && otherClaims(holding, this.row.clusterId, this.row.flow).length > 0 && !valueMatches(this.entry, holding.entry)) {
        throw new EntryConflictError(`${this.row.target}: ${this.identity} is podreach's with another value, needed by ${describeClaims(holding.claims)}; left as it is`);
      }
      const intended: Holding = {
        ...this.ref,
        identity: this.identity,
        createdBy: holding?.createdBy ?? this.context,
        since: holding?.since ?? mine.since,
        ...(holding?.resourceId ? { resourceId: holding.resourceId } : {}),
        entry: this.entry,
        state: 'creating',
        intent: this.intent(),
        claims: sortClaims(holding ? withClaim(holding, mine).claims : [mine]),
        version: holding?.version ?? 0,
      };
      const version = await this.deps.store.putHolding(intended, holding?.version);
      let made;
      try {
        made = await this.provider.createEntry(this.entry, this.context);
      } catch (error) {
        if (blocks(error)) await this.undoCreate(holding, version, error);
        throw error;
      }
      const { intent: _done, ...rest } = intended;
      const resourceId = made.resourceId ?? holding?.resourceId;
      await this.deps.store.putHolding({ ...rest, state: 'present', ...(resourceId ? { resourceId } : {}) }, version);
      return { status: 'applied', owned: true, ...(resourceId ? { resourceId } : {}) };
    });
  }

  /**
   * A create the provider refused: nothing was made. A conflict means what is there is someone else's, so podreach
   * holds nothing there any more; otherwise the holding goes back to what it was.
   */
  private async undoCreate(previous: Holding | undefined, version: number, error: Error): Promise<void> {
    if (!previous || error instanceof EntryConflictError) await this.deps.store.deleteHolding(this.ref, this.identity, version);
    else await this.deps.store.putHolding(previous, version);
  }

  remove(): Promise<Outcome> {
    return withOptimisticRetry(async () => {
      const holding = await this.settledHolding();
      if (!holding || !hasClaim(holding, this.row.clusterId, this.row.flow)) {
        return { status: 'unchanged', owned: false, reason: 'podreach holds no claim on it for this flow' };
      }
      const others = otherClaims(holding, this.row.clusterId, this.row.flow);
      if (others.length > 0) {
        await this.deps.store.putHolding({ ...holding, claims: others }, holding.version);
        return { status: 'unchanged', owned: false, reason: `released: still needed by ${describeClaims(others)}` };
      }
      const version = await this.deps.store.putHolding({ ...holding, state: 'deleting', intent: this.intent() }, holding.version);
      try {
        await this.provider.deleteEntry(holding.entry, this.context);
      } catch (error) {
        // refused (unsupported): nothing was removed, the holding stays as it was
        if (blocks(error)) await this.deps.store.putHolding(holding, version);
        throw error;
      }
      await this.deps.store.deleteHolding(this.ref, this.identity, version);
      return { status: 'applied', owned: false };
    });
  }

  update(): Promise<Outcome> {
    return withOptimisticRetry(async () => {
      const holding = await this.settledHolding();
      if (!holding) {
        // The cloud's own registration of the cluster's VPC (a CCN route TKE made): podreach may enable or disable
        // it, but it does not become podreach's.
        const result = await this.provider.updateEntry(this.entry, this.context);
        return { status: 'applied', owned: false, ...(result.resourceId ? { resourceId: result.resourceId } : {}) };
      }
      const others = otherClaims(holding, this.row.clusterId, this.row.flow);
      if (others.length > 0) {
        return { status: 'blocked', owned: hasClaim(holding, this.row.clusterId, this.row.flow), reason: `${this.row.target}: ${this.identity} is also needed by ${describeClaims(others)} as it is; not changed` };
      }
      const version = await this.deps.store.putHolding({ ...holding, state: 'updating', intent: this.intent() }, holding.version);
      try {
        await this.provider.updateEntry(this.entry, this.context);
      } catch (error) {
        if (blocks(error)) await this.deps.store.putHolding(holding, version);
        throw error;
      }
      await this.deps.store.putHolding({ ...holding, entry: this.entry, state: 'present' }, version);
      return { status: 'applied', owned: hasClaim(holding, this.row.clusterId, this.row.flow) };
    });
  }
}

export async function applyChange(input: ApplyChangeInput, deps: AppDeps): Promise<ApplyChangeResult> {
  const row = await deps.store.getChange(input.clusterId, input.changeId);
  if (!row) throw new NotFoundError(`change ${input.changeId} of cluster ${input.clusterId} is not in the ledger`);
  // Done already (a retried or replayed task): apply nothing twice.
  if (row.status !== 'planned' && row.status !== 'failed' && row.status !== 'applying') {
    return { changeId: row.id, status: row.status, ...(row.reason ? { reason: row.reason } : {}) };
  }
  // Another live execution is applying it: that one records the outcome.
  if (heldByOtherExecution(row, input.executionId, deps)) return { changeId: row.id, status: 'applying' };
  const applying: LedgerEntry = { ...row, status: 'applying', attempts: row.attempts + 1, executionId: input.executionId, updatedAt: deps.now().toISOString() };
  await deps.store.putChange(applying, [row.status]);

  const task = new ApplyTask(row, input.executionId, deps);
  let outcome: Outcome;
  try {
    outcome = await (row.action === 'delete' ? task.remove() : row.action === 'update' ? task.update() : task.create());
  } catch (error) {
    if (!blocks(error)) throw error;
    const held = await deps.store.getHolding(holdingRef(row), holdingIdentity(row));
    outcome = { status: 'blocked', owned: held !== undefined && hasClaim(held, row.clusterId, row.flow), reason: error.message };
  }
  // Registered but not effective (a cloud-connect route kept disabled beside a rival): blocked, with the reason.
  if (outcome.status === 'applied' && row.action !== 'delete' && row.enabled === false && row.reason) {
    outcome = { ...outcome, status: 'blocked', reason: row.reason };
  }
  const { error: _error, reason: _reason, ...rest } = applying;
  const finished: LedgerEntry = {
    ...rest,
    status: outcome.status,
    owned: outcome.owned,
    viaHolding: true,
    updatedAt: deps.now().toISOString(),
    ...(outcome.reason ? { reason: outcome.reason } : {}),
    ...(outcome.resourceId ? { providerResourceId: outcome.resourceId } : {}),
  };
  await deps.store.putChange(finished, ['applying']);
  return { changeId: row.id, status: finished.status, ...(finished.reason ? { reason: finished.reason } : {}) };
}
