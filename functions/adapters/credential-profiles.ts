// Named credential profiles for the clouds whose Node SDKs cannot select one: Tencent's SDK reads only the
// [default] section of ~/.tencentcloud/credentials, Huawei's Node SDK reads only the environment. The files use
// each cloud's own format (the one their other SDKs and CLIs read). AWS (AWS_PROFILE) and Alibaba
// (ALIBABA_CLOUD_PROFILE) select profiles in their SDKs already. Secrets are never logged or echoed.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'ini';
import { InvalidInputError } from '../domain/errors.js';

function section(file: string, name: string, field: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(field, `profile "${name}": cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const found = parse(text)[name] as unknown;
  if (typeof found !== 'object' || found === null) throw new InvalidInputError(field, `profile "${name}" is not in ${file}`);
  return found as Record<string, unknown>;
}

function value(entries: Record<string, unknown>, key: string, field: string, name: string): string {
  const found = entries[key];
  if (typeof found !== 'string' || found.trim() === '') throw new InvalidInputError(field, `profile "${name}" has no ${key}`);
  return found.trim();
}

function optional(entries: Record<string, unknown>, key: string): string | undefined {
  const found = entries[key];
  return typeof found === 'string' && found.trim() !== '' ? found.trim() : undefined;
}

/** TENCENTCLOUD_PROFILE selects a section of ~/.tencentcloud/credentials (or TENCENTCLOUD_CREDENTIALS_FILE): secret_id, secret_key, token. */
export function tencentProfileCredential(env: NodeJS.ProcessEnv = process.env): { secretId: string; secretKey: string; token?: string } | undefined {
  const name = env.TENCENTCLOUD_PROFILE;
  return name ? tencentNamedProfile(name, 'TENCENTCLOUD_PROFILE', env) : undefined;
}

/** One section of the Tencent credentials file, by name (an account's `profile` in the credentials, or TENCENTCLOUD_PROFILE). */
export function tencentNamedProfile(name: string, field: string, env: NodeJS.ProcessEnv = process.env): { secretId: string; secretKey: string; token?: string } {
  const file = env.TENCENTCLOUD_CREDENTIALS_FILE ?? join(homedir(), '.tencentcloud', 'credentials');
  const entries = section(file, name, field);
  const token = optional(entries, 'token');
  return { secretId: value(entries, 'secret_id', field, name), secretKey: value(entries, 'secret_key', field, name), ...(token ? { token } : {}) };
}

/** HUAWEICLOUD_PROFILE selects a section of ~/.huaweicloud/credentials (or HUAWEICLOUD_SDK_CREDENTIALS_FILE): ak, sk, project_id, security_token. */
export function huaweiProfileCredentials(
  env: NodeJS.ProcessEnv = process.env,
): { credentials: { ak: string; sk: string; securityToken?: string }; projectId?: string } | undefined {
  const name = env.HUAWEICLOUD_PROFILE;
  return name ? huaweiNamedProfile(name, 'HUAWEICLOUD_PROFILE', env) : undefined;
}

/** One section of the Huawei credentials file, by name (an account's `profile` in the credentials, or HUAWEICLOUD_PROFILE). */
export function huaweiNamedProfile(name: string, field: string, env: NodeJS.ProcessEnv = process.env): { credentials: { ak: string; sk: string; securityToken?: string }; projectId?: string } {
  const file = env.HUAWEICLOUD_SDK_CREDENTIALS_FILE ?? join(homedir(), '.huaweicloud', 'credentials');
  const entries = section(file, name, field);
  const securityToken = optional(entries, 'security_token');
  const projectId = optional(entries, 'project_id');
  return {
    credentials: { ak: value(entries, 'ak', field, name), sk: value(entries, 'sk', field, name), ...(securityToken ? { securityToken } : {}) },
    ...(projectId ? { projectId } : {}),
  };
}
