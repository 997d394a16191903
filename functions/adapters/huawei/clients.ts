// Builds the Huawei Cloud SDK clients the adapter uses, once per adapter instance.
// The core SDK signs every request (AK/SK, project id in the path and X-Project-Id); services without an
// installed SDK package (DCS, VPN, Direct Connect) go through the same HcClient.sendRequest so signing and
// endpoint handling stay the SDK's.
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { HcClient, type HttpRequestOptions } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import type { HttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/HttpClient.js';
import type { IHttpRequest } from '@huaweicloud/huaweicloud-sdk-core/http/IHttpRequest.js';
import type { DefaultHttpResponse } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpResponse.js';
import type { SdkResponse } from '@huaweicloud/huaweicloud-sdk-core/SdkResponse.js';
import { LogLevel, type Logger } from '@huaweicloud/huaweicloud-sdk-core/logger/index.js';
import type { ICredential } from '@huaweicloud/huaweicloud-sdk-core/auth/ICredential.js';
import { VpcClient as VpcV2Client } from '@huaweicloud/huaweicloud-sdk-vpc/v2/public-api.js';
import { VpcClient as VpcV3Client } from '@huaweicloud/huaweicloud-sdk-vpc/v3/public-api.js';
import { InvalidInputError } from '../../domain/errors.js';

/** The Huawei services podreach calls; each has its own regional endpoint. */
export type HuaweiService = 'vpc' | 'dcs' | 'vpn' | 'dcaas';

export interface HuaweiCredentials {
  ak: string;
  sk: string;
  /** Temporary credentials (STS) carry a security token. */
  securityToken?: string;
}

export interface HuaweiClientOptions {
  region: string;
  projectId: string;
  credentials: HuaweiCredentials;
  /** One endpoint for every service ("http://127.0.0.1:PORT" in tests). */
  endpoint?: string;
  /** Per-service endpoints, ahead of `endpoint`. */
  endpoints?: Partial<Record<HuaweiService, string>>;
}

export interface HuaweiClients {
  vpcV2: VpcV2Client;
  vpcV3: VpcV3Client;
  /** Generic signed clients for services whose SDK package is not installed. */
  generic: Record<Exclude<HuaweiService, 'vpc'>, HcClient>;
}

/** The SDK's convention (ClientBuilder reads HUAWEICLOUD_SDK_* the same way). */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): HuaweiCredentials {
  const ak = env.HUAWEICLOUD_SDK_AK;
  const sk = env.HUAWEICLOUD_SDK_SK;
  if (!ak || !sk) {
    throw new InvalidInputError('credentials', 'HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK must be set (or pass credentials)');
  }
  const securityToken = env.HUAWEICLOUD_SDK_SECURITY_TOKEN;
  return securityToken ? { ak, sk, securityToken } : { ak, sk };
}

export function defaultEndpoint(service: HuaweiService, region: string): string {
  return `https://${service}.${region}.myhuaweicloud.com`;
}

// The SDK's DefaultHttpClient logs every failed request at ERROR with the axios config (headers including the
// Authorization line with the AK). podreach translates and reports errors itself, so the SDK logs nothing.
class SilentLogger implements Logger {
  private level: LogLevel = LogLevel.ERROR;
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  setLevel(level: LogLevel): void {
    this.level = level;
  }
  getLevel(): LogLevel {
    return this.level;
  }
  setName(): void {}
}

interface ExceptionShape {
  data?: unknown;
}

/**
 * VPC v1 APIs answer errors as top-level {code, message}; the SDK's ExceptionUtil only reads {error_code,
 * error_msg} or {error: {code, message}}, so the code (e.g. VPC.2809) would be lost. Renaming the fields
 * before HcClient builds its exception keeps the SDK's own exception types.
 */
class ErrorCodePreservingHttpClient implements HttpClient {
  constructor(private readonly inner: DefaultHttpClient) {}

  get credentials(): ICredential | undefined {
    return this.inner.credentials;
  }
  set credentials(value: ICredential | undefined) {
    this.inner.credentials = value;
  }
  get httpRequest(): IHttpRequest | undefined {
    return this.inner.httpRequest;
  }
  set httpRequest(value: IHttpRequest | undefined) {
    this.inner.httpRequest = value;
  }

  async sendRequest<T extends SdkResponse>(httpRequest: IHttpRequest): Promise<DefaultHttpResponse<T>> {
    try {
      return await this.inner.sendRequest<T>(httpRequest);
    } catch (error) {
      const shape = error as ExceptionShape;
      const data = shape?.data;
      if (data && typeof data === 'object' && !('error_code' in data) && !('error' in data)) {
        const { code, message } = data as { code?: unknown; message?: unknown };
        if (typeof code === 'string') {
          shape.data = { ...data, error_code: code, error_msg: typeof message === 'string' ? message : undefined };
        }
      }
      throw error;
    }
  }
}

function buildHcClient(endpoint: string, credential: BasicCredentials): HcClient {
  const http = new DefaultHttpClient({ logger: new SilentLogger(), headers: { 'User-Agent': 'huaweicloud-usdk-nodejs/3.0; podreach' } }, [endpoint]);
  return new HcClient(new ErrorCodePreservingHttpClient(http)).withCredential(credential).withEndpoints([endpoint]);
}

export function buildHuaweiClients(options: HuaweiClientOptions): HuaweiClients {
  if (!options.projectId) {
    // Without it the SDK would call IAM to look the project up; podreach is always told.
    throw new InvalidInputError('projectId', 'a Huawei project id is required');
  }
  const credential = new BasicCredentials().withAk(options.credentials.ak).withSk(options.credentials.sk).withProjectId(options.projectId);
  if (options.credentials.securityToken) {
    credential.withSecurityToken(options.credentials.securityToken);
  }
  const endpointOf = (service: HuaweiService) => options.endpoints?.[service] ?? options.endpoint ?? defaultEndpoint(service, options.region);
  const vpc = buildHcClient(endpointOf('vpc'), credential);
  return {
    vpcV2: new VpcV2Client(vpc),
    vpcV3: new VpcV3Client(vpc),
    generic: {
      dcs: buildHcClient(endpointOf('dcs'), credential),
      vpn: buildHcClient(endpointOf('vpn'), credential),
      dcaas: buildHcClient(endpointOf('dcaas'), credential),
    },
  };
}

/** A signed JSON call through the core SDK; returns the parsed body (empty object for 204). */
export async function sendJson(
  client: HcClient,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  url: string,
  pathParams: Record<string, string>,
  data?: Record<string, unknown>,
  queryParams: Record<string, string> = {},
): Promise<unknown> {
  const options: HttpRequestOptions = {
    method,
    url,
    contentType: 'application/json',
    queryParams,
    pathParams,
    headers: {},
    ...(data ? { data } : {}),
  };
  return client.sendRequest<SdkResponse>(options);
}
