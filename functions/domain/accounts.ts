// Which account each resource a profile names lives in (spec.accounts and the attachments' `account`), as the
// `account` field of the entries designers desire: absent when the profile names none, so that targets and
// holdings of profiles without accounts keep their keys.
import type { ProviderName } from './model.js';
import type { ProfileSpec } from './profile.js';

export type AccountField = { account?: string };

/** Where a resource is: a cloud, a region and, when the profile names one, an account. */
export interface Place {
  provider: ProviderName;
  region: string;
  account?: string;
}

/** The place of anything that names one (a VPN opposite, a hop, a change): only those three fields. */
export function placeOf(where: Place): Place {
  return { provider: where.provider, region: where.region, ...field(where.account) };
}

function field(account: string | undefined): AccountField {
  return account === undefined ? {} : { account };
}

/** The cluster's own resources: its VPC's route tables, subnets, security groups and services. */
export function clusterAccount(profile: ProfileSpec, own?: string): AccountField {
  return field(own ?? profile.accounts?.cluster);
}

/** Gateways a network account may hold (Direct Connect gateways, cloud-connect networks, transit routers). */
export function networkAccount(profile: ProfileSpec, own?: string): AccountField {
  return field(own ?? profile.accounts?.network ?? profile.accounts?.cluster);
}
