// Dependencies of the Lambda handlers that talk to clouds (plan-flow, apply-change): those of lambda-base-deps.ts
// plus the provider registry, which loads each cloud's adapter and SDK on first use.
import type { CloudCredentials } from '../adapters/cloud-credentials-schema.js';
import { createProviderRegistry } from '../adapters/provider-registry.js';
import type { AppDeps } from '../application/deps.js';
import { awsClientConfig, baseDeps, readConfig, type LambdaConfig } from './lambda-base-deps.js';
import { once } from './runtime.js';

// Imported only when the secret is configured, so a container loads the Secrets Manager client on its first
// invocation, not during init.
async function cloudCredentials(config: LambdaConfig): Promise<(() => Promise<CloudCredentials>) | undefined> {
  const secretId = config.CLOUD_CREDENTIALS_SECRET_ARN;
  if (!secretId) return undefined;
  const { cachedCloudCredentials } = await import('../adapters/cloud-credentials.js');
  return cachedCloudCredentials({ secretId, clientConfig: awsClientConfig(config) });
}

async function build(): Promise<AppDeps> {
  const config = readConfig();
  const base = baseDeps(config);
  const credentials = await cloudCredentials(config);
  return { ...base, providers: await createProviderRegistry({ store: base.store, ...(credentials ? { credentials } : {}) }) };
}

/**
 * The functions that talk to clouds (plan-flow, apply-change): every provider adapter, and the cloud credentials
 * secret (CLOUD_CREDENTIALS_SECRET_ARN), since the whole build is memoised per container.
 */
export const lambdaDeps = once(build);
