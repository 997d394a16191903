// Use case behind `podreach state`: what podreach holds in place now for a cluster — each entry it made that the
// cluster's flows claim, with every cluster that claims it and since when — read from the holdings (the truth),
// not from the ledger's history.
import { holdingRef } from '../domain/holdings.js';
import type { Claim, Flow, Holding, NetworkEntry, ProviderName } from '../domain/model.js';
import { compareTargetRefs, targetKey, targetRef } from '../domain/planner/identity.js';
import type { TargetRef } from '../domain/planner/types.js';
import type { StateStore } from '../ports/state-store.js';

export interface HeldEntry extends NetworkEntry {
  provider: ProviderName;
  region: string;
  /** This cluster's flows that need it. */
  flows: Flow[];
  /** Every cluster flow that needs it ("cls-demo/vpn"), this cluster's included. */
  claims: string[];
  /** When this cluster first claimed it. */
  since: string;
  /** An apply in progress or interrupted (creating, deleting, updating), settled by the next run. */
  pending?: Holding['state'];
}

const claimName = (claim: Claim) => `${claim.clusterId}/${claim.flow}`;

/** The holdings in every target the cluster's ledger names, that the cluster claims. Sorted by target, then identity. */
export async function heldEntries(store: Pick<StateStore, 'listChanges' | 'listHoldings'>, clusterId: string): Promise<HeldEntry[]> {
  const refs = new Map<string, TargetRef>();
  for (const row of await store.listChanges(clusterId)) {
    const ref: TargetRef = targetRef(row);
    refs.set(targetKey(ref), ref);
  }
  const held: { ref: TargetRef; holding: Holding }[] = [];
  for (const ref of [...refs.values()].sort(compareTargetRefs)) {
    for (const holding of await store.listHoldings(ref)) {
      if (holding.claims.some((claim) => claim.clusterId === clusterId)) held.push({ ref: holdingRef(holding), holding });
    }
  }
  held.sort((a, b) => compareTargetRefs(a.ref, b.ref) || (a.holding.identity < b.holding.identity ? -1 : a.holding.identity > b.holding.identity ? 1 : 0));
  return held.map(({ holding }) => {
    const mine = holding.claims.filter((claim) => claim.clusterId === clusterId);
    return {
      ...holding.entry,
      provider: holding.provider,
      region: holding.region,
      flows: mine.map((claim) => claim.flow),
      claims: holding.claims.map(claimName),
      since: mine.map((claim) => claim.since).sort()[0] ?? holding.since,
      ...(holding.state !== 'present' ? { pending: holding.state } : {}),
    };
  });
}
