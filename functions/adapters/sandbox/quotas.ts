// The sandbox's quotas: these defaults, overridden by the seed file's spec.quotas.
import type { ProviderQuotas } from '../../ports/network-provider.js';

export const DEFAULT_SANDBOX_QUOTAS: ProviderQuotas = {
  routesPerTable: 200,
  rulesPerSecurityGroup: 60,
  prefixesPerDxGateway: 20,
  selectorsPerConnection: 100,
  whitelistEntries: 1000,
};

export type SandboxQuotaOverrides = Partial<ProviderQuotas>;
