// What the Huawei adapter can apply, its quotas and why the rest is blocked: read without loading the SDK, so the
// provider registry answers supports() / quotas() before the adapter is first used.
import type { ChangeKind } from '../../domain/model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';

export const HUAWEI_KINDS = ['route', 'sg-rule', 'whitelist-entry', 'vpn-selector', 'subnet-association', 'dx-prefix'] as const satisfies readonly ChangeKind[];
export type HuaweiKind = (typeof HUAWEI_KINDS)[number];

export const VPN_MAX_RULES = 5;
export const VPN_MAX_PEER_SUBNETS = 50;

export const HUAWEI_QUOTAS: ProviderQuotas = {
  routesPerTable: 200,
  rulesPerSecurityGroup: 50,
  prefixesPerDxGateway: 50,
  selectorsPerConnection: VPN_MAX_PEER_SUBNETS,
  whitelistEntries: 20,
};

export const HUAWEI_UNSUPPORTED: Partial<Record<ChangeKind, string>> = {
  'bgp-peer': 'Huawei Cloud has no API for Kubernetes BGP peers: apply the emitted BGPPeer manifest in the cluster',
  'cloud-connect-route':
    'Huawei Cloud Connect learns network-instance CIDRs itself and Enterprise Router static routes need @huaweicloud/huaweicloud-sdk-er, which podreach does not ship yet: add the route by hand',
  'transit-route': 'Enterprise Router static routes need @huaweicloud/huaweicloud-sdk-er, which podreach does not ship yet: add the route by hand',
  'vpn-route': 'Huawei route-based VPN connections carry destinations in the connection (peer_subnets), not in gateway routes: use vpn-selector or a route-table route',
};
