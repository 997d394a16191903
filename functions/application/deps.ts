// What the use cases need, as ports. Handlers (Lambda) and the CLI (local) build it differently.
import type { ProviderRegistry } from '../ports/network-provider.js';
import type { Notifier } from '../ports/notifier.js';
import type { StateStore } from '../ports/state-store.js';

export interface AppDeps {
  store: StateStore;
  providers: ProviderRegistry;
  notifier: Notifier;
  now(): Date;
  /**
   * How long a change another execution is applying stays its own (ms). After that the row is taken over: the
   * execution died (a stopped or timed-out run) and a re-run must resume it. Default 15 minutes, above the
   * ApplyChange timeout plus its retries. Locally 0: one process at a time holds a --state directory.
   */
  applyingLeaseMs?: number;
}

export const DEFAULT_APPLYING_LEASE_MS = 15 * 60 * 1000;

/** A row another, still live, execution is applying: left alone. */
export function heldByOtherExecution(row: { status: string; executionId?: string; updatedAt: string }, executionId: string, deps: Pick<AppDeps, 'now' | 'applyingLeaseMs'>): boolean {
  if (row.status !== 'applying' || row.executionId === executionId) return false;
  const age = deps.now().getTime() - Date.parse(row.updatedAt);
  return !(age >= (deps.applyingLeaseMs ?? DEFAULT_APPLYING_LEASE_MS));
}
