// Dependencies of the Lambda handlers, from the environment (read once, zod-checked, fail fast).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoStateStore } from '../adapters/dynamodb/state-store.js';
import type { CloudCredentials } from '../adapters/cloud-credentials-schema.js';
import { createProviderRegistry } from '../adapters/provider-registry.js';
import { NullNotifier } from '../adapters/slack/null-notifier.js';
import type { AppDeps } from '../application/deps.js';
import { InvalidInputError } from '../domain/errors.js';
import { once } from './runtime.js';

const configSchema = z.object({
  TABLE_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
  /** Set on plan-flow and apply-change only (infra: readCloudCredentials): Tencent / Alibaba / Huawei keys. */
  CLOUD_CREDENTIALS_SECRET_ARN: z.string().min(1).optional(),
});

export type LambdaConfig = z.infer<typeof configSchema>;

export function readConfig(env: NodeJS.ProcessEnv = process.env): LambdaConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new InvalidInputError(`environment ${String(issue?.path[0] ?? '')}`, issue?.message ?? 'invalid');
  }
  return result.data;
}

// Imported only when the secret is configured, so functions without providers never load the Secrets Manager client.
async function cloudCredentials(config: LambdaConfig): Promise<(() => Promise<CloudCredentials>) | undefined> {
  const secretId = config.CLOUD_CREDENTIALS_SECRET_ARN;
  if (!secretId) return undefined;
  const { cachedCloudCredentials } = await import('../adapters/cloud-credentials.js');
  return cachedCloudCredentials({
    secretId,
    clientConfig: { region: config.AWS_REGION, ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}) },
  });
}

async function build(withProviders: boolean): Promise<AppDeps> {
  const config = readConfig();
  const client = new DynamoDBClient({ region: config.AWS_REGION, ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}) });
  const store = new DynamoStateStore({ client, tableName: config.TABLE_NAME });
  const credentials = withProviders ? await cloudCredentials(config) : undefined;
  return {
    store,
    providers: withProviders ? await createProviderRegistry({ store, ...(credentials ? { credentials } : {}) }) : noProviders,
    notifier: new NullNotifier(),
    now: () => new Date(),
  };
}

/**
 * The functions that talk to clouds (plan-flow, apply-change): every provider adapter, and the cloud credentials
 * secret (CLOUD_CREDENTIALS_SECRET_ARN) read once per container, since the whole build is memoised.
 */
export const lambdaDeps = once(() => build(true));

/** The others (ingest, record-failure, notify, reconcile) never call a provider: no cloud SDK on their cold start. */
export const lambdaDepsWithoutProviders = once(() => build(false));

const noProviders = {
  get(): never {
    throw new InvalidInputError('provider', 'this function does not talk to cloud providers');
  },
};
