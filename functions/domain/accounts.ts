// Which account each resource a profile names lives in (spec.accounts and the attachments' `account`), as the
// `account` field of the entries designers desire: absent when the profile names none, so that targets and
// holdings of profiles without accounts keep their keys.
import type { ProfileSpec } from './profile.js';

export type AccountField = { account?: string };

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
