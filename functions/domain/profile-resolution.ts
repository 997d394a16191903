// Which connectivity profile a cluster uses (docs/contract.md): the one its event names; else one whose match lists
// its clusterId; else one whose match lists its vpcId. Ties go to the first name in sort order, so the choice
// does not depend on the order a store lists profiles in.
import type { ClusterFacts } from './model.js';
import type { ConnectivityProfile } from './profile.js';

function byName(a: ConnectivityProfile, b: ConnectivityProfile): number {
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

/**
 * A cluster whose event names a profile that is not among `profiles` gets none (undefined), rather than a
 * profile matched by id: applying another network's profile would be worse than applying nothing.
 */
export function resolveProfile(profiles: readonly ConnectivityProfile[], facts: ClusterFacts): ConnectivityProfile | undefined {
  const sorted = [...profiles].sort(byName);
  if (facts.profile !== undefined) return sorted.find((profile) => profile.metadata.name === facts.profile);
  return (
    sorted.find((profile) => profile.spec.match.clusterIds.includes(facts.clusterId)) ??
    sorted.find((profile) => profile.spec.match.vpcIds.includes(facts.vpcId))
  );
}
