// What the AWS adapter can apply, its quotas and why the rest is blocked: read without loading the SDK, so the
// provider registry answers supports() / quotas() before the adapter is first used.
import type { ChangeKind } from '../../domain/model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';

export const AWS_KINDS = ['route', 'transit-route', 'cloud-connect-route', 'sg-rule', 'vpn-route', 'vpn-selector', 'dx-prefix', 'subnet-association'] as const satisfies readonly ChangeKind[];
export type AwsKind = (typeof AWS_KINDS)[number];

/** Allowed prefixes toward on-premises per transit gateway association (AWS quota). */
export const TGW_ASSOCIATION_PREFIX_LIMIT = 20;

export const AWS_QUOTAS: ProviderQuotas = {
  routesPerTable: 50,
  rulesPerSecurityGroup: 60,
  prefixesPerDxGateway: TGW_ASSOCIATION_PREFIX_LIMIT,
  selectorsPerConnection: 1,
  whitelistEntries: 0,
};

export const AWS_UNSUPPORTED: Partial<Record<ChangeKind, string>> = {
  'whitelist-entry': 'AWS managed databases and caches are reached through security groups, not IP whitelists: plan an sg-rule on the service security group instead',
  'bgp-peer': 'BGP peers are configured on the cluster (BGPPeer resources), not through an AWS API: podreach emits them as artifacts',
};
