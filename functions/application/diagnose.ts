// Use case: `podreach diagnose` — why can't a pod reach X. Reads the cluster's facts, its profile and artifacts
// from the state, looks the destination up by its address, lists every target the path's hops need, and lets the
// domain judge each hop. Read-only: only listEntries and findAddress are called on the providers, and nothing is
// written to the state.
import { InvalidInputError, ResourceNotFoundError, UnsupportedChangeError } from '../domain/errors.js';
import { lookupAccounts, parseDestination, planDiagnosis, sourceOf, type AddressLookup, type Diagnosis, type Readings } from '../domain/diagnose/index.js';
import type { ProviderEntry, ProviderName } from '../domain/model.js';
import { profileSpecSchema } from '../domain/profile.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import { targetKey } from '../domain/planner/index.js';
import type { ProviderRegistry } from '../ports/network-provider.js';
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

/** A cluster no profile matches is diagnosed against an empty profile: every path it would need is missing. */
const EMPTY_SPEC = profileSpecSchema.parse({});

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
  const profile = resolved?.spec ?? EMPTY_SPEC;
  // the cluster's account and every managed VPN opposite: the only accounts a path reads
  await deps.preflight?.([
    { provider: facts.provider, region: facts.region, field: `cluster ${facts.clusterId}: region` },
    ...profile.vpn.flatMap((vpn, index) =>
      vpn.opposite ? [{ provider: vpn.opposite.provider, region: vpn.opposite.region, field: `profile ${resolved?.metadata.name ?? ''}: spec.vpn[${index}].opposite.region` }] : [],
    ),
  ]);

  const lookups: AddressLookup[] = [];
  for (const account of lookupAccounts(facts, profile, to)) {
    const provider = deps.providers.get(account.provider, account.region);
    if (!provider.findAddress) {
      lookups.push({ ...account, outcome: 'unsupported', reason: `the ${provider.name} adapter cannot look addresses up` });
      continue;
    }
    try {
      const holder = await provider.findAddress(to.ip);
      lookups.push(holder ? { ...account, outcome: 'found', holder } : { ...account, outcome: 'not-found' });
    } catch (error) {
      if (!(error instanceof UnsupportedChangeError)) throw error;
      lookups.push({ ...account, outcome: 'unsupported', reason: error.message });
    }
  }

  const plan = planDiagnosis({ facts, profile, to, source }, lookups);
  const entries = new Map<string, readonly ProviderEntry[]>();
  const unreadable = new Map<string, string>();
  for (const ref of plan.reads) {
    const key = targetKey(ref);
    const provider = deps.providers.get(ref.provider, ref.region);
    if (!provider.supports(ref.kind)) {
      unreadable.set(key, `the ${provider.name} adapter cannot read ${ref.kind} entries`);
      continue;
    }
    try {
      entries.set(key, await provider.listEntries(ref.kind, ref.target));
    } catch (error) {
      // a target that does not exist holds nothing; an API that cannot read this kind leaves the hop unknown
      if (error instanceof ResourceNotFoundError) entries.set(key, []);
      else if (error instanceof UnsupportedChangeError) unreadable.set(key, error.message);
      else throw error;
    }
  }
  const readings: Readings = {
    entries: (ref) => entries.get(targetKey(ref)),
    unreadable: (ref) => unreadable.get(targetKey(ref)),
    artifacts: await deps.store.listArtifacts(facts.clusterId),
  };
  return plan.evaluate(readings);
}
