// What a local run checks after opening the store and before it writes anything (profile, sandbox seed, facts):
// the event folds into the recorded facts (a Cluster Created came first, a named profile is stored or given),
// the facts fit the store, and every real cloud the run would call passes its preflight. A refused run leaves
// the store as it was.
import type { ClusterEvent } from '../../events/schemas.js';
import { packAttribute } from '../adapters/dynamodb/state-store.js';
import { preflight, type PreflightAccount, type PreflightOptions } from '../adapters/preflight.js';
import { flowsForCluster, ingestEvent } from '../application/ingest-event.js';
import { InvalidInputError } from '../domain/errors.js';
import type { ClusterFacts, Flow, ProviderName } from '../domain/model.js';
import type { ConnectivityProfile } from '../domain/profile.js';
import type { StateStore } from '../ports/state-store.js';

export interface CheckInputs {
  profile?: ConnectivityProfile;
  /** The provider forced for every account (--provider); undefined: each account's own ("event"). */
  provider?: ProviderName;
  endpoints?: PreflightOptions['endpoints'];
  /** The credentials file's keys (--credentials): a cloud they give base keys for needs no chain of its own. */
  credentials?: PreflightOptions['credentials'];
}

/** The accounts a cluster's flows call: the cluster's own, and each managed VPN opposite when the vpn flow runs. */
export function accountsOf(facts: ClusterFacts, profile: ConnectivityProfile | undefined, flows: readonly Flow[], override: ProviderName | undefined): PreflightAccount[] {
  if (flows.length === 0) return [];
  const accounts: PreflightAccount[] = [{ provider: override ?? facts.provider, region: facts.region, field: `cluster ${facts.clusterId}: region` }];
  if (profile && flows.includes('vpn')) {
    profile.spec.vpn.forEach((vpn, index) => {
      if (vpn.opposite) accounts.push({ provider: override ?? vpn.opposite.provider, region: vpn.opposite.region, field: `profile ${profile.metadata.name}: spec.vpn[${index}].opposite.region` });
    });
  }
  return accounts;
}

function preflightOptions(inputs: CheckInputs): PreflightOptions {
  return {
    ...(inputs.endpoints ? { endpoints: inputs.endpoints } : {}),
    ...(inputs.credentials ? { credentials: inputs.credentials } : {}),
    ...(inputs.provider && inputs.provider !== 'sandbox' ? { providerNote: `--provider ${inputs.provider} calls ${inputs.provider} in every account's region` } : {}),
  };
}

const pending = (inputs: CheckInputs) => (inputs.profile ? [inputs.profile] : []);

/** Checks an event run (run, plan) against the store without writing. */
export async function checkEventRun(event: ClusterEvent, store: StateStore, inputs: CheckInputs): Promise<void> {
  const ingest = await ingestEvent(event, { store }, { persist: false, pendingProfiles: pending(inputs) });
  // throws InvalidInputError when the facts would not fit one item
  packAttribute('facts', ingest.facts, `cluster ${ingest.clusterId}`);
  const profile = pending(inputs).find((p) => p.metadata.name === ingest.profileName) ?? (ingest.profileName ? await store.getProfile(ingest.profileName) : undefined);
  await preflight(accountsOf(ingest.facts, profile, ingest.flows, inputs.provider), preflightOptions(inputs));
}

/** Checks a manual flow run (trigger) without writing: the cluster is recorded, its clouds pass preflight. */
export async function checkTrigger(clusterId: string, flow: Flow, store: StateStore, inputs: CheckInputs & { stateDir: string }): Promise<void> {
  const stored = await store.getCluster(clusterId);
  if (!stored) {
    const recorded = (await store.listClusters()).map((facts) => facts.clusterId);
    throw new InvalidInputError(
      '--cluster',
      `cluster ${clusterId} is not recorded in ${inputs.stateDir} (${recorded.length > 0 ? `recorded: ${recorded.join(', ')}` : 'no clusters recorded'}; run one of its events first)`,
    );
  }
  const storedProfiles = await store.listProfiles();
  const names = new Set(pending(inputs).map((p) => p.metadata.name));
  const { profile } = await flowsForCluster(stored.facts, store, [...storedProfiles.filter((p) => !names.has(p.metadata.name)), ...pending(inputs)]);
  await preflight(accountsOf(stored.facts, profile, [flow], inputs.provider), preflightOptions(inputs));
}
