// Use case: `podreach diagnose` — why can't a pod reach X. Reads the cluster's facts, its profile and artifacts
// from the state, looks the destination up by its address, lists every target the path's hops need, and lets the
// domain judge each hop. Read-only: only listEntries and findAddress are called on the providers, and nothing is
// written to the state.
import { InvalidInputError, ResourceNotFoundError, UnsupportedChangeError } from '../domain/errors.js';
import { lookupAccounts, parseDestination, planDiagnosis, sourceOf, type AddressLookup, type Diagnosis, type Readings } from '../domain/diagnose/index.js';
import type { ProviderEntry, ProviderName } from '../domain/model.js';
import type { TargetRef } from '../domain/planner/types.js';
import { emptyProfileSpec } from '../domain/profile.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import { targetKey } from '../domain/planner/index.js';
import type { NetworkProvider, ProviderRegistry } from '../ports/network-provider.js';
import type { StateStore } from '../ports/state-store.js';

export interface DiagnoseRequest {
  clusterId: string;
  /** IP[:PORT[/PROTO]] */
  to: string;
  /** A pod's IP (default: the cluster's container CIDRs). */
  from?: string;
}

/** An account diagnose reads, and the field that named its region (for errors). */
export interface DiagnoseAccount {
  provider: ProviderName;
  region: string;
  field: string;
}

export interface DiagnoseDeps {
  store: Pick<StateStore, 'getCluster' | 'listClusters' | 'listProfiles' | 'listArtifacts'>;
  providers: ProviderRegistry;
  /** Checks the clouds about to be read (region, credentials, endpoint) before the first call; throws to refuse. */
  preflight?(accounts: readonly DiagnoseAccount[]): Promise<void>;
}

export async function diagnose(request: DiagnoseRequest, deps: DiagnoseDeps): Promise<Diagnosis> {
  // bad input first, before anything is read
  const to = parseDestination(request.to);
  const stored = await deps.store.getCluster(request.clusterId);
  if (!stored) {
    const recorded = (await deps.store.listClusters()).map((facts) => facts.clusterId).sort();
    throw new InvalidInputError('--cluster', `cluster ${request.clusterId} is not recorded (${recorded.length > 0 ? `recorded: ${recorded.join(', ')}` : 'no clusters recorded'})`);
  }
  const facts = stored.facts;
  if (facts.deleted) throw new InvalidInputError('--cluster', `cluster ${request.clusterId} was deleted${facts.seen.deleted ? ` at ${facts.seen.deleted}` : ''}`);
  const source = sourceOf(facts, request.from);
  const resolved = resolveProfile(await deps.store.listProfiles(), facts);
  // a cluster no profile matches is diagnosed against an empty profile: every path it would need is missing
  const profile = resolved?.spec ?? emptyProfileSpec();
  const profileName = resolved?.metadata.name ?? '(none)';
  const read = (where: { provider: ProviderName; region: string; account?: string }) => deps.providers.get(where.provider, where.region, where.account);
  // Only the accounts this path reads are checked, each before its first call: first where the destination is
  // looked up, then (the path being planned, which is pure) every target the hops read.
  const checked = new Set<string>();
  const preflight = async (accounts: readonly DiagnoseAccount[]) => {
    const fresh = accounts.filter((account) => !checked.has(`${account.provider}:${account.region}`));
    for (const account of fresh) checked.add(`${account.provider}:${account.region}`);
    if (fresh.length > 0) await deps.preflight?.(fresh);
  };
  const accounts = lookupAccounts(facts, profile, to);
  await preflight([
    { provider: facts.provider, region: facts.region, field: `cluster ${facts.clusterId}: region` },
    ...accounts.map((account) => ({ provider: account.provider, region: account.region, field: `profile ${profileName}: the region where ${to.ip} is looked up` })),
  ]);

  const lookups: AddressLookup[] = [];
  for (const account of accounts) {
    const provider = read(account);
    if (!provider.findAddress) {
      lookups.push({ ...account, outcome: 'unsupported', reason: `the ${provider.name} adapter cannot look addresses up` });
      continue;
    }
    try {
      const holder = await provider.findAddress(to.ip);
      lookups.push(holder ? { ...account, outcome: 'found', holder } : { ...account, outcome: 'not-found' });
    } catch (error) {
      // bad settings stay bad input (exit 2); any other failure leaves the destination unknown, saying why
      if (error instanceof InvalidInputError) throw error;
      lookups.push({ ...account, outcome: 'unsupported', reason: error instanceof UnsupportedChangeError ? error.message : `looking ${to.ip} up failed: ${describeError(error)}` });
    }
  }

  const plan = planDiagnosis({ facts, profile, to, source }, lookups);
  await preflight(plan.reads.map((ref) => ({ provider: ref.provider, region: ref.region, field: `profile ${profileName}: the region of ${ref.kind} ${ref.target}` })));
  const { entries, unreadable } = await readTargets(plan.reads, read);
  const readings: Readings = {
    entries: (ref) => entries.get(targetKey(ref)),
    unreadable: (ref) => unreadable.get(targetKey(ref)),
    artifacts: await deps.store.listArtifacts(facts.clusterId),
  };
  return plan.evaluate(readings);
}

/**
 * What each target holds now, read-only. A target that does not exist holds nothing; one the adapter cannot read,
 * or whose read fails (access denied, throttled past the retries, an outage), is unreadable with the reason, so its
 * hop is unknown rather than the whole diagnosis lost. Bad settings (InvalidInputError) are still thrown.
 */
async function readTargets(refs: readonly TargetRef[], read: (ref: TargetRef) => NetworkProvider): Promise<{ entries: Map<string, readonly ProviderEntry[]>; unreadable: Map<string, string> }> {
  const entries = new Map<string, readonly ProviderEntry[]>();
  const unreadable = new Map<string, string>();
  for (const ref of refs) {
    const key = targetKey(ref);
    const provider = read(ref);
    if (!provider.supports(ref.kind)) {
      unreadable.set(key, `the ${provider.name} adapter cannot read ${ref.kind} entries`);
      continue;
    }
    try {
      entries.set(key, await provider.listEntries(ref.kind, ref.target));
    } catch (error) {
      if (error instanceof ResourceNotFoundError) entries.set(key, []);
      else if (error instanceof UnsupportedChangeError) unreadable.set(key, error.message);
      else if (error instanceof InvalidInputError) throw error;
      else unreadable.set(key, `reading ${ref.kind} ${ref.target} failed: ${describeError(error)}`);
    }
  }
  return { entries, unreadable };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
