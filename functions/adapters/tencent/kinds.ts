// What the Tencent adapter can apply, its quotas and why the rest is blocked: read without loading the SDK, so the
// provider registry answers supports() / quotas() before the adapter is first used.
import type { ChangeKind } from '../../domain/model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';

/** whitelist-entry only with a security group podreach owns (whitelistSecurityGroupId). */
export const TENCENT_KINDS = ['route', 'vpn-selector', 'vpn-route', 'cloud-connect-route', 'dx-prefix', 'sg-rule', 'subnet-association', 'whitelist-entry'] as const satisfies readonly ChangeKind[];
export type TencentKind = (typeof TENCENT_KINDS)[number];

export function tencentSupports(kind: ChangeKind, whitelistSecurityGroupId: string | undefined): boolean {
  return (TENCENT_KINDS as readonly ChangeKind[]).includes(kind) && (kind !== 'whitelist-entry' || whitelistSecurityGroupId !== undefined);
}

// Tencent defaults (DescribeVpcLimits can raise them per account).
export const TENCENT_QUOTAS: ProviderQuotas = {
  routesPerTable: 200,
  rulesPerSecurityGroup: 100,
  prefixesPerDxGateway: 100,
  selectorsPerConnection: 50,
  whitelistEntries: 100,
};

export const TENCENT_UNSUPPORTED: Partial<Record<ChangeKind, string>> = {
  'transit-route': 'Tencent Cloud has no transit-router route API: transit between VPCs, VPN and Direct Connect goes through CCN (use cloud-connect-route)',
  'bgp-peer': 'a BGPPeer is a Kubernetes (Calico) resource, not a Tencent Cloud API: it is delivered as an artifact',
  'whitelist-entry': 'Redis / CDB whitelists are security groups on Tencent Cloud: configure whitelistSecurityGroupId (a group podreach owns) to apply them',
};
