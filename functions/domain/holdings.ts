// Shared ownership: which provider entries podreach made, and which clusters' flows need them (claims). Pure:
// the application layer reads and writes holdings with single-item conditional writes; this module decides.
//
// Rules (docs/safety.md):
// - an entry podreach made has one holding; every cluster flow that needs it holds a claim on it;
// - a flow that needs an entry podreach already holds adds its claim (no provider call); one that stops needing it
//   drops its claim; the entry is deleted only when its last claim goes;
// - before a provider call the holding records the intent (creating / deleting / updating, with the execution);
//   an intent whose execution died is settled by reading the provider: what was made is adopted, what was not is
//   forgotten.
import type { Claim, Flow, Holding, HoldingIntent, LedgerEntry, NetworkEntry, ProviderEntry } from './model.js';
import { parseOwnershipMark } from './ownership-mark.js';
import { holdingIdentity, targetKey, targetRef, valueMatches } from './planner/identity.js';
import type { TargetRef } from './planner/types.js';

/** The holdings of each snapshotted target, by identity (targetKey -> holdingIdentity -> holding). */
export type HoldingsSnapshot = ReadonlyMap<string, ReadonlyMap<string, Holding>>;

export function holdingRef(holding: Pick<Holding, 'provider' | 'region' | 'account' | 'kind' | 'target'>): TargetRef {
  return targetRef(holding);
}

export function findHolding(holdings: HoldingsSnapshot | undefined, ref: TargetRef, entry: NetworkEntry): Holding | undefined {
  return holdings?.get(targetKey(ref))?.get(holdingIdentity(entry));
}

export function hasClaim(holding: Pick<Holding, 'claims'>, clusterId: string, flow: Flow): boolean {
  return holding.claims.some((claim) => claim.clusterId === clusterId && claim.flow === flow);
}

/** The claims of everyone but this cluster's flow. */
export function otherClaims(holding: Pick<Holding, 'claims'>, clusterId: string, flow: Flow): Claim[] {
  return holding.claims.filter((claim) => !(claim.clusterId === clusterId && claim.flow === flow));
}

export function withClaim(holding: Holding, claim: Claim): Holding {
  if (hasClaim(holding, claim.clusterId, claim.flow)) return holding;
  return { ...holding, claims: sortClaims([...holding.claims, claim]) };
}

export function sortClaims(claims: readonly Claim[]): Claim[] {
  return [...claims].sort((a, b) => (a.clusterId < b.clusterId ? -1 : a.clusterId > b.clusterId ? 1 : a.flow < b.flow ? -1 : a.flow > b.flow ? 1 : 0));
}

/** "cls-two (vpn), cls-three (peering)" */
export function describeClaims(claims: readonly Claim[]): string {
  return claims.map((claim) => `${claim.clusterId} (${claim.flow})`).join(', ');
}

/**
 * An intent another execution opened and may still be carrying out. `leaseMs` is how long an execution may take
 * (locally 0: one process holds a --state, so any other execution's intent is a dead one).
 */
export function intentIsLive(intent: HoldingIntent | undefined, executionId: string, nowMs: number, leaseMs: number): boolean {
  if (!intent || intent.executionId === executionId || intent.abandoned) return false;
  return nowMs - Date.parse(intent.at) < leaseMs;
}

/** Whether `current` is the entry an intent or holding is about: podreach's mark for that change, or the same value. */
function isOurs(expected: NetworkEntry, current: ProviderEntry, changeId: string | undefined): boolean {
  const mark = parseOwnershipMark(current.description);
  if (mark?.changeId !== undefined && changeId !== undefined && mark.changeId === changeId) return true;
  if (current.owner === 'foreign' && current.description !== undefined) return false;
  return valueMatches(expected, current);
}

/**
 * What an intent whose execution died left behind, from what the provider holds now (`current`, found by the
 * entry's identity): the holding to keep (intent closed), or undefined when podreach holds nothing there.
 */
export function settleIntent(holding: Holding, current: ProviderEntry | undefined): Holding | undefined {
  const intent = holding.intent;
  if (!intent) return holding;
  const { intent: _closed, ...rest } = holding;
  const closed: Holding = { ...rest, state: 'present' };
  switch (holding.state) {
    case 'creating':
      // made (our mark, or the value we asked for): adopt it; not there or someone else's: podreach holds nothing
      return current && isOurs(holding.entry, current, intent.changeId) ? closed : undefined;
    case 'deleting':
      // still there: the delete did not happen, the entry stays podreach's (the claims as they were)
      return current && isOurs(holding.entry, current, holding.createdBy.changeId) ? closed : undefined;
    case 'updating': {
      if (!current) return undefined;
      if (intent.entry && valueMatches(intent.entry, current)) return { ...closed, entry: intent.entry };
      return closed;
    }
    case 'present':
      return closed;
  }
}

/**
 * Holdings for ledger rows written before holdings existed (owned, with no holding): the entry is podreach's when
 * the provider still has it with the value the row set. Returned to be written; rows whose entry is gone get none.
 */
export function legacyHoldings(
  rows: readonly LedgerEntry[],
  holdings: HoldingsSnapshot,
  current: (row: LedgerEntry) => ProviderEntry | undefined,
  now: string,
): Holding[] {
  const made = new Map<string, Holding>();
  for (const row of rows) {
    if (!row.owned || row.viaHolding) continue;
    if (row.action === 'delete' && (row.status === 'applied' || row.status === 'unchanged')) continue;
    const ref: TargetRef = targetRef(row);
    const identity = holdingIdentity(row);
    const key = `${targetKey(ref)}#${identity}`;
    const existing = holdings.get(targetKey(ref))?.get(identity) ?? made.get(key);
    const claim: Claim = { clusterId: row.clusterId, flow: row.flow, changeId: row.id, since: row.updatedAt };
    if (existing) {
      if (!hasClaim(existing, row.clusterId, row.flow) && existing.state === 'present') made.set(key, withClaim(existing, claim));
      continue;
    }
    const present = current(row);
    if (!present || !valueMatches(row, present)) continue;
    made.set(key, {
      ...ref,
      identity,
      entry: entryOf(row),
      state: 'present',
      claims: [claim],
      ...(row.providerResourceId ? { resourceId: row.providerResourceId } : {}),
      createdBy: { clusterId: row.clusterId, changeId: row.id },
      since: now,
      version: 0,
    });
  }
  return [...made.values()];
}

/** The entry fields of a change or row (identity and value), nothing else. */
export function entryOf(source: NetworkEntry): NetworkEntry {
  const entry: NetworkEntry = { kind: source.kind, target: source.target };
  if (source.cidr !== undefined) entry.cidr = source.cidr;
  if (source.nextHop !== undefined) entry.nextHop = source.nextHop;
  if (source.nextHopType !== undefined) entry.nextHopType = source.nextHopType;
  if (source.peerCidr !== undefined) entry.peerCidr = source.peerCidr;
  if (source.port !== undefined) entry.port = source.port;
  if (source.enabled !== undefined) entry.enabled = source.enabled;
  return entry;
}
