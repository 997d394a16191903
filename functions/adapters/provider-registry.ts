// Picks the NetworkProvider adapter for the account a change lives in: one adapter instance per
// (provider, region), built on first use. `override` forces one adapter for every account (locally,
// `--provider sandbox` — the default — simulates every cloud in the state store).
// Cloud SDKs are imported only when a registry may need them, so the sandbox demo loads none.
import { InvalidInputError } from '../domain/errors.js';
import type { ProviderName } from '../domain/model.js';
import type { NetworkProvider, ProviderRegistry } from '../ports/network-provider.js';
import type { StateStore } from '../ports/state-store.js';
import type { CloudCredentials } from './cloud-credentials.js';
import { huaweiProfileCredentials, tencentProfileCredential } from './credential-profiles.js';
import { SandboxProvider, type SandboxProviderOptions } from './sandbox/sandbox-provider.js';

export interface ProviderRegistryOptions {
  store: StateStore;
  /** Use this provider for every account (e.g. sandbox). */
  override?: ProviderName;
  /** Endpoint overrides (tests, emulators). Defaults come from the environment (see README "Providers"). */
  endpoints?: Partial<Record<Exclude<ProviderName, 'sandbox'>, string>>;
  env?: NodeJS.ProcessEnv;
  /**
   * Keys per cloud (in AWS: the cloud credentials secret, see cloud-credentials.ts). A cloud given here signs with
   * these and never reads its environment or profile; a cloud left out keeps its adapter's own chain.
   */
  credentials?: CloudCredentials;
  /** Options of the sandbox adapter (locally: lease takeover of dead processes, progress while waiting). */
  sandbox?: Omit<SandboxProviderOptions, 'store'>;
}

type Factory = (region: string) => NetworkProvider;

async function cloudFactories(options: ProviderRegistryOptions): Promise<Partial<Record<ProviderName, Factory>>> {
  const env = options.env ?? process.env;
  const endpoint = (name: Exclude<ProviderName, 'sandbox'>, variable: string) => options.endpoints?.[name] ?? env[variable] ?? undefined;
  const leases = options.store;
  // How often asynchronous applies (Alibaba route entries, Huawei whitelists) are re-read; adapters default to 2 s.
  const pollText = env.PODREACH_POLL_INTERVAL_MS;
  const pollIntervalMs = pollText !== undefined && /^\d+$/.test(pollText) ? { pollIntervalMs: Number(pollText) } : {};
  const [aws, tencent, alibaba, huawei] = await Promise.all([
    import('./aws/aws-provider.js'),
    import('./tencent/tencent-provider.js'),
    import('./alibaba/alibaba-provider.js'),
    import('./huawei/huawei-provider.js'),
  ]);
  return {
    aws: (region) => {
      const url = endpoint('aws', 'AWS_ENDPOINT_URL');
      return new aws.AwsProvider({ ...(region ? { region } : {}), ...(url ? { endpoint: url } : {}) });
    },
    tencent: (region) => {
      const url = endpoint('tencent', 'PODREACH_TENCENT_ENDPOINT');
      const group = env.PODREACH_TENCENT_WHITELIST_SECURITY_GROUP;
      const explicit = options.credentials?.tencent;
      const credential = explicit
        ? { secretId: explicit.secretId, secretKey: explicit.secretKey, ...(explicit.token ? { token: explicit.token } : {}) }
        : tencentProfileCredential(env);
      return new tencent.TencentProvider({
        region,
        leases,
        ...(credential ? { credential } : {}),
        ...(url ? { endpoint: url } : {}),
        ...(group ? { whitelistSecurityGroupId: group } : {}),
      });
    },
    alibaba: (region) => {
      const url = endpoint('alibaba', 'PODREACH_ALIBABA_ENDPOINT');
      const explicit = options.credentials?.alibaba;
      const credentials = explicit && {
        accessKeyId: explicit.accessKeyId,
        accessKeySecret: explicit.accessKeySecret,
        ...(explicit.securityToken ? { securityToken: explicit.securityToken } : {}),
      };
      return new alibaba.AlibabaProvider({ region, leases, ...pollIntervalMs, ...(credentials ? { credentials } : {}), ...(url ? { endpoint: url } : {}) });
    },
    huawei: (region) => {
      const url = endpoint('huawei', 'PODREACH_HUAWEI_ENDPOINT');
      const explicit = options.credentials?.huawei;
      const chosen = explicit
        ? {
            credentials: { ak: explicit.ak, sk: explicit.sk, ...(explicit.securityToken ? { securityToken: explicit.securityToken } : {}) },
            projectId: explicit.projectId,
          }
        : huaweiProfileCredentials(env);
      return new huawei.HuaweiProvider({ region, leases, ...pollIntervalMs, ...(chosen ?? {}), ...(url ? { endpoint: url } : {}) });
    },
  };
}

export async function createProviderRegistry(options: ProviderRegistryOptions): Promise<ProviderRegistry> {
  const factories: Partial<Record<ProviderName, Factory>> =
    options.override === 'sandbox' ? {} : await cloudFactories(options);
  factories.sandbox = () => new SandboxProvider({ ...options.sandbox, store: options.store });
  const built = new Map<string, NetworkProvider>();
  return {
    get(provider, region) {
      const name = options.override ?? provider;
      const key = name === 'sandbox' ? 'sandbox' : `${name}:${region}`;
      let adapter = built.get(key);
      if (!adapter) {
        const factory = factories[name];
        if (!factory) throw new InvalidInputError('provider', `no adapter for provider "${name}"`);
        adapter = factory(region);
        built.set(key, adapter);
      }
      return adapter;
    },
  };
}
