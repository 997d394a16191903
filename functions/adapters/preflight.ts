// Preflight for the real clouds, before anything is recorded: each account's region is one of that cloud's
// region ids, credentials are found (where podreach looked and what to set, when not), and each endpoint answers
// a TCP connection once. A failure is a PreflightError (exit 2) with that hint, instead of SDK retries against a
// region that does not exist, stack traces from a credential chain, or a failure after the facts were recorded.
// Secrets are never read into a message: only the names of the variables and files are.
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse as parseIni } from 'ini';
import { InvalidInputError } from '../domain/errors.js';
import { regionProblem } from '../domain/identifiers.js';
import type { ProviderName } from '../domain/model.js';
import type { CloudCredentials } from './cloud-credentials-schema.js';
import { huaweiProfileCredentials, tencentProfileCredential } from './credential-profiles.js';

export type CloudName = Exclude<ProviderName, 'sandbox'>;

/** A cloud podreach cannot use as configured. Exit 2: nothing was recorded or applied. */
export class PreflightError extends InvalidInputError {
  override name = 'PreflightError';
}

/** One account a run will call: a cloud and a region, and the input field that named the region. */
export interface PreflightAccount {
  provider: ProviderName;
  region: string;
  /** Where the region came from, named in errors: "detail.region", "spec.vpn[0].opposite.region". */
  field: string;
}

export interface PreflightOptions {
  env?: NodeJS.ProcessEnv;
  /** Endpoint overrides (as createProviderRegistry takes them); otherwise the environment's, else the public ones. */
  endpoints?: Partial<Record<CloudName, string>>;
  /** How long one TCP connection attempt may take. Default 5 s. */
  connectTimeoutMs?: number;
  /** How long a cloud's credential chain may take. Default 10 s. */
  credentialTimeoutMs?: number;
  /** Said after a region error: why this cloud was used (e.g. "--provider aws uses each event's region"). */
  providerNote?: string;
  /** Keys given explicitly (the credentials file): a cloud with base keys there is not looked up in its chain. */
  credentials?: CloudCredentials;
}

const ENDPOINT_VARIABLES: Record<CloudName, string> = {
  aws: 'AWS_ENDPOINT_URL',
  tencent: 'PODREACH_TENCENT_ENDPOINT',
  alibaba: 'PODREACH_ALIBABA_ENDPOINT',
  huawei: 'PODREACH_HUAWEI_ENDPOINT',
};

/** The endpoint an account's adapter calls first (its VPC API), as a URL. */
export function endpointFor(cloud: CloudName, region: string, options: PreflightOptions = {}): string {
  const env = options.env ?? process.env;
  const override = options.endpoints?.[cloud] ?? env[ENDPOINT_VARIABLES[cloud]];
  if (override) return /^[a-z]+:\/\//i.test(override) ? override : `http://${override}`;
  switch (cloud) {
    case 'aws':
      return `https://ec2.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
    // the regional names: a region the cloud does not have does not resolve
    case 'tencent':
      return `https://vpc.${region}.tencentcloudapi.com`;
    case 'alibaba':
      return `https://vpc.${region}.aliyuncs.com`;
    case 'huawei':
      return `https://vpc.${region}.myhuaweicloud.com`;
  }
}

async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** true when a TCP connection to the URL's host and port opens within the timeout; else why not. */
export function probeEndpoint(url: string, timeoutMs: number): Promise<true | string> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname.replace(/^\[|\]$/g, '');
    port = parsed.port ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
  } catch {
    return Promise.resolve('not a URL');
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: true | string) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
  });
}

const set = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? '').trim() !== '';

/** Tencent: the sources of the SDK's chain that can be checked without the CVM metadata service. */
function tencentCredentials(env: NodeJS.ProcessEnv): string | undefined {
  if (set(env, 'TENCENTCLOUD_SECRET_ID') && set(env, 'TENCENTCLOUD_SECRET_KEY')) return undefined;
  if (set(env, 'TENCENTCLOUD_PROFILE')) {
    tencentProfileCredential(env); // throws naming the missing file, section or key
    return undefined;
  }
  const home = join(homedir(), '.tencentcloud', 'credentials');
  const file = existsSync(home) ? home : '/etc/tencentcloud/credentials';
  try {
    const section = (parseIni(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown> | undefined>)['default'];
    if (section?.['secret_id'] && section['secret_key']) return undefined;
  } catch {
    // not there: the next source
  }
  if (['TKE_REGION', 'TKE_PROVIDER_ID', 'TKE_WEB_IDENTITY_TOKEN_FILE', 'TKE_ROLE_ARN'].every((name) => set(env, name))) return undefined;
  // The CVM role is read from the metadata service, which answers only on a CVM and which the SDK probes with a
  // stack trace on the console when it does not: asked for explicitly instead of probed.
  if (env.PODREACH_TENCENT_CVM_ROLE === 'true') return undefined;
  return (
    'no Tencent Cloud credentials found. podreach looked at TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY, ' +
    'TENCENTCLOUD_PROFILE (a section of ~/.tencentcloud/credentials or TENCENTCLOUD_CREDENTIALS_FILE), the [default] section of ' +
    `${home} and /etc/tencentcloud/credentials, and TKE_ROLE_ARN / TKE_PROVIDER_ID / TKE_WEB_IDENTITY_TOKEN_FILE / TKE_REGION. ` +
    'Set the two keys, or TENCENTCLOUD_PROFILE; on a CVM with a bound role, set PODREACH_TENCENT_CVM_ROLE=true'
  );
}

function huaweiCredentials(env: NodeJS.ProcessEnv): string | undefined {
  const fromProfile = huaweiProfileCredentials(env); // throws naming the missing file, section or key
  const hasKeys = fromProfile !== undefined || (set(env, 'HUAWEICLOUD_SDK_AK') && set(env, 'HUAWEICLOUD_SDK_SK'));
  const hasProject = fromProfile?.projectId !== undefined || set(env, 'HUAWEICLOUD_SDK_PROJECT_ID');
  if (hasKeys && hasProject) return undefined;
  const missing = hasKeys ? 'no Huawei Cloud project id found' : 'no Huawei Cloud credentials found';
  return (
    `${missing}. podreach looked at HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK / HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_PROFILE ` +
    '(a section of ~/.huaweicloud/credentials or HUAWEICLOUD_SDK_CREDENTIALS_FILE with ak, sk, project_id). Set the three variables, or HUAWEICLOUD_PROFILE'
  );
}

/** Alibaba: the SDK's own chain (what the adapter signs with); its ECS role probe is skipped when ALIBABA_CLOUD_ECS_METADATA_DISABLED=true. */
async function alibabaCredentials(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  if (set(env, 'ALIBABA_CLOUD_ACCESS_KEY_ID') && set(env, 'ALIBABA_CLOUD_ACCESS_KEY_SECRET')) return undefined;
  try {
    const { default: Credential } = await import('@alicloud/credentials');
    await withTimeout(new Credential.default().getCredential(), timeoutMs, 'the Alibaba Cloud credential chain');
    return undefined;
  } catch {
    return (
      'no Alibaba Cloud credentials found. podreach looked (through the SDK\'s chain) at ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, ' +
      'ALIBABA_CLOUD_ROLE_ARN / ALIBABA_CLOUD_OIDC_PROVIDER_ARN / ALIBABA_CLOUD_OIDC_TOKEN_FILE, ALIBABA_CLOUD_PROFILE in ~/.aliyun/config.json, ' +
      '~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE) and the ECS RAM role (ALIBABA_CLOUD_ECS_METADATA). Set the two keys, or ALIBABA_CLOUD_PROFILE'
    );
  }
}

/** AWS: the SDK's default chain (what the adapter signs with); its instance-role probe is skipped when AWS_EC2_METADATA_DISABLED=true. */
export async function awsCredentialsProblem(clientConfig: { region: string; profile?: string }, timeoutMs: number): Promise<string | undefined> {
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  const client = new EC2Client(clientConfig);
  try {
    await withTimeout(client.config.credentials(), timeoutMs, 'the AWS credential chain');
    return undefined;
  } catch (error) {
    const profile = clientConfig.profile ? `the profile "${clientConfig.profile}" (${(error as Error).message.split('\n')[0]}), ` : '';
    return (
      `no AWS credentials found. podreach looked (through the SDK's default chain) at ${profile}AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, ` +
      'AWS_PROFILE in ~/.aws/credentials and ~/.aws/config (SSO and credential_process included), AWS_WEB_IDENTITY_TOKEN_FILE / AWS_ROLE_ARN, ' +
      'the container and instance roles. Set the two keys, or AWS_PROFILE (--aws-profile), or run `aws sso login`'
    );
  } finally {
    client.destroy();
  }
}

async function credentialsProblem(cloud: CloudName, region: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string | undefined> {
  switch (cloud) {
    case 'aws':
      return awsCredentialsProblem({ region, ...(env.AWS_PROFILE ? { profile: env.AWS_PROFILE } : {}) }, timeoutMs);
    case 'tencent':
      return tencentCredentials(env);
    case 'alibaba':
      return alibabaCredentials(env, timeoutMs);
    case 'huawei':
      return huaweiCredentials(env);
  }
}

/** Fails with a PreflightError naming the first problem: a region, then credentials, then an endpoint. */
export async function preflight(accounts: readonly PreflightAccount[], options: PreflightOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const clouds = accounts.filter((account): account is PreflightAccount & { provider: CloudName } => account.provider !== 'sandbox');
  for (const account of clouds) {
    const problem = regionProblem(account.provider, account.region);
    if (problem) throw new PreflightError(account.field, `${problem}${options.providerNote ? `; ${options.providerNote}` : ''}`);
  }
  const checked = new Set<CloudName>();
  for (const account of clouds) {
    if (checked.has(account.provider)) continue;
    checked.add(account.provider);
    const given = account.provider !== 'aws' && options.credentials?.[account.provider] !== undefined;
    const problem = given ? undefined : await credentialsProblem(account.provider, account.region, env, options.credentialTimeoutMs ?? 10_000);
    if (problem) throw new PreflightError(`--provider ${account.provider}`, problem);
  }
  const probed = new Set<string>();
  for (const account of clouds) {
    const url = endpointFor(account.provider, account.region, options);
    if (probed.has(url)) continue;
    probed.add(url);
    const reached = await probeEndpoint(url, options.connectTimeoutMs ?? 5000);
    if (reached !== true) {
      throw new PreflightError(
        `--provider ${account.provider}`,
        `the ${account.provider} endpoint ${url} for region ${account.region} is not reachable (${reached}); check the region and the network, or set ${ENDPOINT_VARIABLES[account.provider]} for an emulator`,
      );
    }
  }
}
