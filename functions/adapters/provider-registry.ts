// Picks the NetworkProvider adapter for the account a change lives in: one adapter per (provider, region, account).
// An account the credentials list (`accounts.<cloud>.<account>`) is reached with its role (assumed with the cloud's
// base credentials), keys or profile; an account they do not list, and a change without one, with the base ones.
// A cloud's adapter module and SDK are imported only when that cloud is first called: get() returns at once an
// adapter that answers supports() / quotas() from the cloud's kinds module (no SDK) and loads the rest on its
// first call, so a `--provider aws` run never loads another cloud's SDK. `override` forces one adapter for every
// account (locally, `--provider sandbox` — the default — simulates every cloud in the state store). The sandbox
// exists only where the local runtime asks for it (override sandbox, or `sandbox: true`): never in AWS.
import { createHash } from 'node:crypto';
import { InvalidInputError, UnsupportedChangeError } from '../domain/errors.js';
import type { ChangeKind, NetworkEntry, ProviderEntry, ProviderName } from '../domain/model.js';
import type { AddressHolder, EntryContext, NetworkProvider, ProviderQuotas, ProviderRegistry } from '../ports/network-provider.js';
import type { StateStore } from '../ports/state-store.js';
import { AWS_KINDS, AWS_QUOTAS } from './aws/kinds.js';
import { ALIBABA_KINDS, ALIBABA_QUOTAS } from './alibaba/kinds.js';
import { isRoleAssumption, type AccountCredentials, type CloudCredentials } from './cloud-credentials-schema.js';
import { huaweiNamedProfile, huaweiProfileCredentials, tencentNamedProfile, tencentProfileCredential } from './credential-profiles.js';
import type { HuaweiCredentials } from './huawei/clients.js';
import { HUAWEI_KINDS, HUAWEI_QUOTAS } from './huawei/kinds.js';
import { SandboxProvider, type SandboxProviderOptions } from './sandbox/sandbox-provider.js';
import { TENCENT_QUOTAS, tencentSupports } from './tencent/kinds.js';

type CloudName = Exclude<ProviderName, 'sandbox'>;

export interface ProviderRegistryOptions {
  store: StateStore;
  /** Use this provider for every account (e.g. sandbox). */
  override?: ProviderName;
  /**
   * Register the sandbox although no override names it (local runs only); an object also sets its options (locally:
   * lease takeover of dead processes, progress while waiting).
   */
  sandbox?: boolean | Omit<SandboxProviderOptions, 'store'>;
  /** Endpoint overrides (tests, emulators). Defaults come from the environment (see README "Providers"). */
  endpoints?: Partial<Record<CloudName, string>>;
  env?: NodeJS.ProcessEnv;
  /**
   * Keys per cloud (in AWS: the cloud credentials secret, see cloud-credentials.ts), or where to read them: a
   * function is asked before every call (cache it: cachedCloudCredentials), and an adapter whose keys changed is
   * rebuilt. A cloud given here signs with these and never reads its environment or profile; a cloud left out keeps
   * its adapter's own chain.
   */
  credentials?: CloudCredentials | (() => Promise<CloudCredentials | undefined>);
}


interface Cloud {
  supports(kind: ChangeKind, env: NodeJS.ProcessEnv): boolean;
  quotas: ProviderQuotas;
  load(region: string, credentials: CloudCredentials | undefined, account: string | undefined): Promise<NetworkProvider>;
}

/** How the credentials say to reach an account of a cloud; undefined: with the cloud's base credentials. */
function accountEntry<C extends CloudName>(credentials: CloudCredentials | undefined, cloud: C, account: string | undefined): NonNullable<AccountCredentials[C]>[string] | undefined {
  if (account === undefined) return undefined;
  const entries = credentials?.accounts?.[cloud] as Record<string, NonNullable<AccountCredentials[C]>[string]> | undefined;
  return entries?.[account];
}

/** Huawei's keys as its adapter takes them: the project apart from the signing keys. */
function huaweiOptions({ projectId, ...keys }: NonNullable<CloudCredentials['huawei']>): { credentials: HuaweiCredentials; projectId: string } {
  return { credentials: keys, projectId };
}

function clouds(options: ProviderRegistryOptions): Record<CloudName, Cloud> {
  const env = options.env ?? process.env;
  const endpoint = (name: CloudName, variable: string) => options.endpoints?.[name] ?? env[variable] ?? undefined;
  const leases = options.store;
  // How often asynchronous applies (Alibaba route entries, Huawei whitelists) are re-read; adapters default to 2 s.
  const pollText = env.PODREACH_POLL_INTERVAL_MS;
  const pollIntervalMs = pollText !== undefined && /^\d+$/.test(pollText) ? { pollIntervalMs: Number(pollText) } : {};
  const among = (kinds: readonly ChangeKind[]) => (kind: ChangeKind) => kinds.includes(kind);
  return {
    aws: {
      supports: among(AWS_KINDS),
      quotas: AWS_QUOTAS,
      load: async (region, credentials, account) => {
        const { AwsProvider } = await import('./aws/aws-provider.js');
        const url = endpoint('aws', 'AWS_ENDPOINT_URL');
        const entry = accountEntry(credentials, 'aws', account);
        const assumed = entry ? (await import('./aws/aws-credentials.js')).awsAccountCredentials(entry, { region, ...(url ? { endpoint: url } : {}) }) : undefined;
        return new AwsProvider({ ...(region ? { region } : {}), ...(url ? { endpoint: url } : {}), ...(assumed ? { credentials: assumed } : {}) });
      },
    },
    tencent: {
      supports: (kind, variables) => tencentSupports(kind, variables.PODREACH_TENCENT_WHITELIST_SECURITY_GROUP),
      quotas: TENCENT_QUOTAS,
      load: async (region, credentials, account) => {
        const { TencentProvider, tencentRoleCredential } = await import('./tencent/tencent-provider.js');
        const url = endpoint('tencent', 'PODREACH_TENCENT_ENDPOINT');
        const group = env.PODREACH_TENCENT_WHITELIST_SECURITY_GROUP;
        const base = credentials?.tencent ?? tencentProfileCredential(env);
        const entry = accountEntry(credentials, 'tencent', account);
        const credential = !entry
          ? base
          : isRoleAssumption(entry)
            ? tencentRoleCredential(entry, base, { region, endpoint: url })
            : 'profile' in entry
              ? tencentNamedProfile(entry.profile, `credentials.accounts.tencent.${account ?? ''}.profile`, env)
              : entry;
        return new TencentProvider({ region, leases, ...(credential ? { credential } : {}), ...(url ? { endpoint: url } : {}), ...(group ? { whitelistSecurityGroupId: group } : {}) });
      },
    },
    alibaba: {
      supports: among(ALIBABA_KINDS),
      quotas: ALIBABA_QUOTAS,
      load: async (region, credentials, account) => {
        const { AlibabaProvider } = await import('./alibaba/alibaba-provider.js');
        const url = endpoint('alibaba', 'PODREACH_ALIBABA_ENDPOINT');
        const base = credentials?.alibaba;
        const entry = accountEntry(credentials, 'alibaba', account);
        if (entry && isRoleAssumption(entry)) {
          const { alibabaRamRoleCredential } = await import('./alibaba/alibaba-clients.js');
          return new AlibabaProvider({ region, leases, ...pollIntervalMs, credential: alibabaRamRoleCredential(entry, base), ...(url ? { endpoint: url } : {}) });
        }
        const keys = entry ?? base;
        return new AlibabaProvider({ region, leases, ...pollIntervalMs, ...(keys ? { credentials: keys } : {}), ...(url ? { endpoint: url } : {}) });
      },
    },
    huawei: {
      supports: among(HUAWEI_KINDS),
      quotas: HUAWEI_QUOTAS,
      load: async (region, credentials, account) => {
        const { HuaweiProvider } = await import('./huawei/huawei-provider.js');
        const url = endpoint('huawei', 'PODREACH_HUAWEI_ENDPOINT');
        // Huawei's Node SDK has no agency (role) credential: another account is reached with its own keys or profile
        const entry = accountEntry(credentials, 'huawei', account);
        const explicit = entry && !('profile' in entry) ? entry : credentials?.huawei;
        if (entry && 'profile' in entry) {
          const chosen = huaweiNamedProfile(entry.profile, `credentials.accounts.huawei.${account ?? ''}.profile`, env);
          return new HuaweiProvider({ region, leases, ...pollIntervalMs, ...chosen, ...(url ? { endpoint: url } : {}) });
        }
        const chosen = explicit ? huaweiOptions(explicit) : huaweiProfileCredentials(env);
        return new HuaweiProvider({ region, leases, ...pollIntervalMs, ...(chosen ?? {}), ...(url ? { endpoint: url } : {}) });
      },
    },
  };
}

/** A cloud adapter that loads its module and SDK on its first call, and again when its cloud's keys change. */
class LazyProvider implements NetworkProvider {
  private loaded: { credentials: CloudCredentials | undefined; key: string; adapter: Promise<NetworkProvider> } | undefined;

  constructor(
    readonly name: CloudName,
    private readonly cloud: Cloud,
    private readonly region: string,
    private readonly account: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
    private readonly credentials: () => Promise<CloudCredentials | undefined>,
  ) {}

  supports(kind: ChangeKind): boolean {
    return this.cloud.supports(kind, this.env);
  }

  quotas(): ProviderQuotas {
    return { ...this.cloud.quotas };
  }

  private async adapter(): Promise<NetworkProvider> {
    const credentials = await this.credentials();
    // cachedCloudCredentials returns the same object while the secret is unchanged: only a new object is hashed
    if (this.loaded && this.loaded.credentials === credentials) return this.loaded.adapter;
    // a fingerprint, never the keys themselves, is what is kept to notice a rotation
    const mine = this.name === 'aws' ? undefined : credentials?.[this.name];
    const entry = accountEntry(credentials, this.name, this.account);
    const key = createHash('sha256').update(JSON.stringify([mine ?? null, entry ?? null])).digest('hex');
    if (this.loaded?.key === key) {
      this.loaded.credentials = credentials;
    } else {
      const adapter = this.cloud.load(this.region, credentials, this.account);
      this.loaded = { credentials, key, adapter };
      adapter.catch(() => {
        if (this.loaded?.adapter === adapter) this.loaded = undefined;
      });
    }
    return this.loaded.adapter;
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    return (await this.adapter()).listEntries(kind, target);
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return (await this.adapter()).createEntry(entry, context);
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return (await this.adapter()).updateEntry(entry, context);
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    return (await this.adapter()).deleteEntry(entry, context);
  }

  async findAddress(ip: string): Promise<AddressHolder | undefined> {
    const adapter = await this.adapter();
    if (!adapter.findAddress) throw new UnsupportedChangeError(`the ${this.name} adapter cannot look addresses up`);
    return adapter.findAddress(ip);
  }
}

export async function createProviderRegistry(options: ProviderRegistryOptions): Promise<ProviderRegistry> {
  const env = options.env ?? process.env;
  const catalog = clouds(options);
  const source = options.credentials;
  const credentials = typeof source === 'function' ? source : async () => source;
  const withSandbox = Boolean(options.sandbox) || options.override === 'sandbox';
  const sandboxOptions = typeof options.sandbox === 'object' ? options.sandbox : {};
  const built = new Map<string, NetworkProvider>();
  return {
    get(provider, region, account) {
      const name = options.override ?? provider;
      // the sandbox simulates one account, whatever the profile names
      const key = name === 'sandbox' ? 'sandbox' : `${name}:${region}:${account ?? ''}`;
      let adapter = built.get(key);
      if (!adapter) {
        if (name === 'sandbox') {
          if (!withSandbox) throw new InvalidInputError('provider', 'the sandbox provider exists only in local runs (podreach run --provider sandbox)');
          adapter = new SandboxProvider({ ...sandboxOptions, store: options.store });
        } else {
          const cloud = catalog[name];
          if (!cloud) throw new InvalidInputError('provider', `no adapter for provider "${name}"`);
          adapter = new LazyProvider(name, cloud, region, account, env, credentials);
        }
        built.set(key, adapter);
      }
      return adapter;
    },
  };
}
