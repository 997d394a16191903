// Reading and writing holdings (shared ownership of provider entries) for the plan and apply steps. The
// decisions are the domain's (functions/domain/holdings.ts); this module does the I/O, one conditional write at
// a time: a write that lost a race throws ConcurrentUpdateError, and the caller re-reads.
import { ConcurrentUpdateError } from '../domain/errors.js';
import { holdingRef, intentIsLive, settleIntent, type HoldingsSnapshot } from '../domain/holdings.js';
import type { Holding, NetworkEntry, ProviderEntry } from '../domain/model.js';
import { holdingIdentity, identityKey, SHARED_KINDS, targetKey } from '../domain/planner/identity.js';
import type { TargetRef } from '../domain/planner/types.js';
import type { NetworkProvider } from '../ports/network-provider.js';
import type { StateStore } from '../ports/state-store.js';
import { DEFAULT_APPLYING_LEASE_MS, type AppDeps } from './deps.js';

/** Mutable holdings by target key and identity, as read for a plan. */
export type MutableHoldings = Map<string, Map<string, Holding>>;

export async function readHoldings(store: StateStore, refs: readonly TargetRef[]): Promise<MutableHoldings> {
  const holdings: MutableHoldings = new Map();
  for (const ref of refs) {
    const key = targetKey(ref);
    if (holdings.has(key)) continue;
    holdings.set(key, new Map((await store.listHoldings(ref)).map((holding) => [holding.identity, holding])));
  }
  return holdings;
}

/** The entry a provider lists that a holding (or a change) is about: same identity, and for shared kinds the same instance. */
export function findCurrent(entries: readonly ProviderEntry[], entry: NetworkEntry): ProviderEntry | undefined {
  const identity = identityKey(entry);
  const shared = SHARED_KINDS.has(entry.kind);
  let found: ProviderEntry | undefined;
  for (const candidate of entries) {
    if (candidate.kind !== entry.kind || identityKey(candidate) !== identity) continue;
    if (shared && candidate.nextHop !== undefined && candidate.nextHop !== entry.nextHop) continue;
    found = candidate;
  }
  return found;
}

/** A lookup of the current entry of a snapshot's targets by identity, indexed once per target. */
export function currentLookup(snapshot: ReadonlyMap<string, readonly ProviderEntry[]>): (ref: TargetRef, entry: NetworkEntry) => ProviderEntry | undefined {
  const indexes = new Map<string, Map<string, ProviderEntry[]>>();
  return (ref, entry) => {
    const key = targetKey(ref);
    let index = indexes.get(key);
    if (!index) {
      index = new Map();
      for (const candidate of snapshot.get(key) ?? []) {
        if (candidate.kind !== ref.kind) continue;
        const id = identityKey(candidate);
        const list = index.get(id);
        if (list) list.push(candidate);
        else index.set(id, [candidate]);
      }
      indexes.set(key, index);
    }
    return findCurrent(index.get(identityKey(entry)) ?? [], entry);
  };
}

export function leaseMs(deps: Pick<AppDeps, 'applyingLeaseMs'>): number {
  return deps.applyingLeaseMs ?? DEFAULT_APPLYING_LEASE_MS;
}

/** Whether a holding carries an intent whose execution is gone (or this one's), to settle before deciding. */
export function hasDeadIntent(holding: Holding, executionId: string, deps: Pick<AppDeps, 'now' | 'applyingLeaseMs'>): boolean {
  return holding.intent !== undefined && !intentIsLive(holding.intent, executionId, deps.now().getTime(), leaseMs(deps));
}

/**
 * Settles a holding's dead intent against what the provider holds (`current`) and writes the outcome. Returns the
 * holding as it now is (undefined: podreach holds nothing there). Another writer settling it first is fine: the
 * fresh holding is returned.
 */
export async function writeSettled(store: StateStore, holding: Holding, current: ProviderEntry | undefined): Promise<Holding | undefined> {
  const settled = settleIntent(holding, current);
  const ref = holdingRef(holding);
  try {
    if (!settled) {
      await store.deleteHolding(ref, holding.identity, holding.version);
      return undefined;
    }
    const version = await store.putHolding(settled, holding.version);
    return { ...settled, version };
  } catch (error) {
    if (!(error instanceof ConcurrentUpdateError)) throw error;
    return store.getHolding(ref, holding.identity);
  }
}

/** Reads the provider's entries of a holding's target and settles its dead intent. */
export async function settleFromProvider(store: StateStore, provider: NetworkProvider, holding: Holding): Promise<Holding | undefined> {
  const entries = await provider.listEntries(holding.kind, holding.target);
  return writeSettled(store, holding, findCurrent(entries, holding.entry));
}

export function holdingFor(holdings: HoldingsSnapshot, ref: TargetRef, entry: NetworkEntry): Holding | undefined {
  return holdings.get(targetKey(ref))?.get(holdingIdentity(entry));
}

export function setHolding(holdings: MutableHoldings, holding: Holding): void {
  const key = targetKey(holdingRef(holding));
  let byIdentity = holdings.get(key);
  if (!byIdentity) holdings.set(key, (byIdentity = new Map()));
  byIdentity.set(holding.identity, holding);
}

export function dropHolding(holdings: MutableHoldings, ref: TargetRef, identity: string): void {
  holdings.get(targetKey(ref))?.delete(identity);
}
