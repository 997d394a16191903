// What the Alibaba adapter can apply, its quotas and why the rest is blocked: read without loading the SDK, so
// the provider registry answers supports() / quotas() before the adapter is first used.
import type { ChangeKind } from '../../domain/model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';

export const ALIBABA_KINDS = ['route', 'vpn-selector', 'vpn-route', 'dx-prefix', 'transit-route', 'cloud-connect-route', 'sg-rule', 'whitelist-entry', 'subnet-association'] as const satisfies readonly ChangeKind[];
export type AlibabaKind = (typeof ALIBABA_KINDS)[number];

export const ALIBABA_QUOTAS: ProviderQuotas = {
  routesPerTable: 200,
  rulesPerSecurityGroup: 200,
  prefixesPerDxGateway: 200,
  // LocalSubnet / RemoteSubnet: the console and API accept up to 10 CIDRs per side (IKEv2).
  selectorsPerConnection: 10,
  whitelistEntries: 1000,
};

export const ALIBABA_UNSUPPORTED: Partial<Record<ChangeKind, string>> = {
  'bgp-peer': 'bgp-peer: Alibaba VPN / VBR BGP sessions are set on the gateway, not per pod CIDR; the BGPPeer is a cluster-side artifact',
};
