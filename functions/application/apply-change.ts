// Use case: apply one planned change through its provider, idempotently, then verify and record it.
// Conflicts and unsupported kinds found at apply time become `blocked` (with the reason), not failures;
// retryable provider errors are rethrown for Step Functions' Retry; others are rethrown for its Catch.
import { EntryConflictError, NotFoundError, QuotaExceededError, UnsupportedChangeError, VerificationError } from '../domain/errors.js';
import { cidrContains } from '../domain/cidr.js';
import { identityKey } from '../domain/planner/identity.js';
import type { ChangeStatus, LedgerEntry, NetworkEntry, ProviderEntry } from '../domain/model.js';
import { heldByOtherExecution, type AppDeps } from './deps.js';

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

function entryOf(row: LedgerEntry): NetworkEntry {
  const entry: NetworkEntry = { kind: row.kind, target: row.target };
  if (row.cidr !== undefined) entry.cidr = row.cidr;
  if (row.nextHop !== undefined) entry.nextHop = row.nextHop;
  if (row.nextHopType !== undefined) entry.nextHopType = row.nextHopType;
  if (row.peerCidr !== undefined) entry.peerCidr = row.peerCidr;
  if (row.port !== undefined) entry.port = row.port;
  if (row.enabled !== undefined) entry.enabled = row.enabled;
  return entry;
}

/** A traffic selector is in place when a selector pair covers it (AWS keeps one pair per tunnel). */
function covers(found: ProviderEntry, wanted: NetworkEntry): boolean {
  return (
    wanted.kind === 'vpn-selector' &&
    found.kind === wanted.kind &&
    found.target === wanted.target &&
    found.cidr !== undefined &&
    wanted.cidr !== undefined &&
    found.peerCidr !== undefined &&
    wanted.peerCidr !== undefined &&
    cidrContains(found.cidr, wanted.cidr) &&
    cidrContains(found.peerCidr, wanted.peerCidr)
  );
}

function matches(found: ProviderEntry, wanted: NetworkEntry): boolean {
  if (identityKey(found) !== identityKey(wanted)) return false;
  if (wanted.nextHop !== undefined && found.nextHop !== undefined && found.nextHop !== wanted.nextHop) return false;
  if (wanted.enabled !== undefined && found.enabled !== undefined && found.enabled !== wanted.enabled) return false;
  return true;
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

  const provider = deps.providers.get(row.provider, row.region);
  const entry = entryOf(row);
  const context = { clusterId: row.clusterId, changeId: row.id };
  let finished: LedgerEntry;
  try {
    if (row.action === 'delete') {
      await provider.deleteEntry(entry, context);
      const left = await provider.listEntries(entry.kind, entry.target);
      if (left.some((found) => matches(found, entry))) throw new VerificationError(`${entry.kind} ${entry.cidr ?? ''} is still in ${entry.target} after deleting it`);
      finished = { ...applying, status: 'applied', owned: false };
    } else {
      const result = row.action === 'update' ? await provider.updateEntry(entry, context) : await provider.createEntry(entry, context);
      const present = await provider.listEntries(entry.kind, entry.target);
      if (!present.some((found) => matches(found, entry) || covers(found, entry))) throw new VerificationError(`${entry.kind} ${entry.cidr ?? ''} is not in ${entry.target} after applying it`);
      // A create makes the entry podreach's; an update leaves ownership as it was (the cloud's own CCN
      // registration of the cluster VPC may be enabled by podreach, but it stays the cloud's).
      const owned = row.action === 'create' ? true : row.owned;
      finished = { ...applying, status: 'applied', owned, ...(result.resourceId ? { providerResourceId: result.resourceId } : {}) };
    }
  } catch (error) {
    if (error instanceof EntryConflictError || error instanceof UnsupportedChangeError || error instanceof QuotaExceededError) {
      const blocked: LedgerEntry = { ...applying, status: 'blocked', reason: error.message, updatedAt: deps.now().toISOString() };
      await deps.store.putChange(blocked, ['applying']);
      return { changeId: row.id, status: 'blocked', reason: error.message };
    }
    throw error;
  }
  finished.updatedAt = deps.now().toISOString();
  delete finished.error;
  // Registered but not effective (a cloud-connect route kept disabled beside a rival): blocked, with the reason.
  if (row.action !== 'delete' && row.enabled === false && row.reason) {
    await deps.store.putChange({ ...finished, status: 'blocked' }, ['applying']);
    return { changeId: row.id, status: 'blocked', reason: row.reason };
  }
  delete finished.reason;
  await deps.store.putChange(finished, ['applying']);
  return { changeId: row.id, status: 'applied' };
}
