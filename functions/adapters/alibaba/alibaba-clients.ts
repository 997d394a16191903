// Builds the Alibaba Cloud SDK clients once per adapter: VPC, Redis (r-kvstore) and RDS through their
// product SDKs, CEN (cbn 2017-09-12) and ECS (2014-05-26) through openapi-core's generic RPC call, because
// @alicloud/cbn20170912 is not reachable on the registry here and @alicloud/ecs20140526 is not installed.
// All of them share one Config shape (openapi-core), one retry policy for throttling, one credential.
import Credential, { DefaultCredentialsProvider, RAMRoleARNCredentialsProvider, StaticAKCredentialsProvider, StaticSTSCredentialsProvider } from '@alicloud/credentials';
import OpenApiCore, { $OpenApiUtil, OpenApiUtil } from '@alicloud/openapi-core';
import RKvstore from '@alicloud/r-kvstore20150101';
import Rds from '@alicloud/rds20140815';
import Vpc from '@alicloud/vpc20160428';
import * as $dara from '@darabonba/typescript';

export interface AlibabaCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AlibabaClientOptions {
  region: string;
  /** Explicit keys; without them the SDK's default chain (env ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET, profile, RAM role). */
  credentials?: AlibabaCredentials;
  /** A credential client to sign with instead (another account's RAM role: alibabaRamRoleCredential). */
  credential?: AlibabaCredentialClient;
  /** One endpoint for every product ("127.0.0.1:PORT" or "http://127.0.0.1:PORT"), for contract tests. */
  endpoint?: string;
  /** Scheme for `endpoint` when it has none (tests: 'http'). */
  protocol?: 'http' | 'https';
  /** Attempts per call while Alibaba answers Throttling.* (the SDK's own retry). */
  throttleAttempts?: number;
  /** First wait between throttled attempts, grown exponentially with jitter (the server's x-acs-retry-after wins when sent). */
  throttleBackoffMs?: number;
}

export type VpcClient = InstanceType<typeof Vpc.default>;
export type AlibabaCredentialClient = InstanceType<typeof Credential.default>;

/**
 * Another account's RAM role, assumed through STS AssumeRole by @alicloud/credentials (refreshed before it expires),
 * with `base` keys or, without them, the default chain (environment, profile, instance RAM role).
 */
export function alibabaRamRoleCredential(role: { roleArn: string; externalId?: string | undefined; sessionName?: string | undefined }, base?: AlibabaCredentials): AlibabaCredentialClient {
  const source = !base
    ? DefaultCredentialsProvider.builder().build()
    : base.securityToken
      ? StaticSTSCredentialsProvider.builder().withAccessKeyId(base.accessKeyId).withAccessKeySecret(base.accessKeySecret).withSecurityToken(base.securityToken).build()
      : StaticAKCredentialsProvider.builder().withAccessKeyId(base.accessKeyId).withAccessKeySecret(base.accessKeySecret).build();
  let builder = RAMRoleARNCredentialsProvider.builder().withCredentialsProvider(source).withRoleArn(role.roleArn).withRoleSessionName(role.sessionName ?? 'podreach');
  if (role.externalId) builder = builder.withExternalId(role.externalId);
  return new Credential.default(null, builder.build());
}
export type RedisClient = InstanceType<typeof RKvstore.default>;
export type RdsClient = InstanceType<typeof Rds.default>;

/** A product without an installed SDK, called through openapi-core's generic RPC (callApi). */
export class GenericRpcClient {
  private readonly client: InstanceType<typeof OpenApiCore.default>;
  private readonly runtime = new $dara.RuntimeOptions({});

  constructor(
    config: $OpenApiUtil.Config,
    private readonly version: string,
  ) {
    this.client = new OpenApiCore.default(config);
  }

  /** Calls `action` with RPC query parameters; returns the JSON body as sent (PascalCase keys). */
  async call(action: string, query: Record<string, string | number | boolean | undefined>): Promise<unknown> {
    const params = new $OpenApiUtil.Params({
      action,
      version: this.version,
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const defined: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(query)) if (value !== undefined) defined[key] = value;
    const request = new $OpenApiUtil.OpenApiRequest({ query: OpenApiUtil.query(defined) });
    const response = (await this.client.callApi(params, request, this.runtime)) as { body?: unknown };
    return response.body;
  }
}

export interface AlibabaClients {
  vpc: VpcClient;
  redis: RedisClient;
  rds: RdsClient;
  cbn: GenericRpcClient;
  ecs: GenericRpcClient;
}

function splitEndpoint(endpoint: string): { host: string; protocol?: string } {
  const match = /^(https?):\/\/(.+)$/.exec(endpoint);
  return match ? { protocol: match[1], host: match[2]!.replace(/\/$/, '') } : { host: endpoint };
}

export function buildAlibabaClients(options: AlibabaClientOptions): AlibabaClients {
  const retryOptions = new $dara.RetryOptions({
    retryable: true,
    retryCondition: [
      {
        // Both lists must be set: the retry check calls .includes on each (an unset errorCode throws a TypeError).
        exception: ['ThrottlingError'],
        errorCode: [],
        maxAttempts: options.throttleAttempts ?? 3,
        // darabonba's jitter policies wait about 2^(attempt * period) ms, capped: period is an exponent
        backoff: { policy: 'ExponentialWithEqualJitter', period: Math.max(0, Math.round(Math.log2(Math.max(1, options.throttleBackoffMs ?? 500)))), cap: 20_000 },
        maxDelay: 20_000,
      },
    ],
  });
  const credential = options.credential ?? (options.credentials ? undefined : new Credential.default());
  const override = options.endpoint ? splitEndpoint(options.endpoint) : undefined;
  const config = (productEndpoint?: string): $OpenApiUtil.Config =>
    new $OpenApiUtil.Config({
      regionId: options.region,
      accessKeyId: options.credentials?.accessKeyId,
      accessKeySecret: options.credentials?.accessKeySecret,
      securityToken: options.credentials?.securityToken,
      credential,
      endpoint: override?.host ?? productEndpoint,
      protocol: override?.protocol ?? options.protocol,
      retryOptions,
      readTimeout: 30_000,
      connectTimeout: 10_000,
    });
  return {
    // Without an override the product SDKs resolve their own regional endpoints.
    vpc: new Vpc.default(config()),
    redis: new RKvstore.default(config()),
    rds: new Rds.default(config()),
    // CEN is a global service with one endpoint; ECS is regional.
    cbn: new GenericRpcClient(config('cbn.aliyuncs.com'), '2017-09-12'),
    ecs: new GenericRpcClient(config(`ecs.${options.region}.aliyuncs.com`), '2014-05-26'),
  };
}
