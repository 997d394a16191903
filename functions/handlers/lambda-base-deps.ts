// Dependencies of the Lambda handlers that never call a cloud provider (every one but plan-flow and apply-change),
// from the environment (read once, zod-checked, fail fast). This module must not import the provider registry, not
// even lazily: each function is bundled with everything its imports reach, so one import here would put every cloud
// SDK in those functions' bundles. plan-flow and apply-change use lambda-deps.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { DynamoStateStore } from '../adapters/dynamodb/state-store.js';
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

/** The SDK client settings every function shares: its region, and the endpoint override (tests, emulators). */
export function awsClientConfig(config: LambdaConfig): { region: string; endpoint?: string } {
  return { region: config.AWS_REGION, ...(config.AWS_ENDPOINT_URL ? { endpoint: config.AWS_ENDPOINT_URL } : {}) };
}

const noProviders = {
  get(): never {
    throw new InvalidInputError('provider', 'this function does not talk to cloud providers');
  },
};

/** The state store, a NullNotifier and the clock; `providers` refuses every call. */
export function baseDeps(config: LambdaConfig): AppDeps {
  const client = new DynamoDBClient(awsClientConfig(config));
  return {
    store: new DynamoStateStore({ client, tableName: config.TABLE_NAME }),
    providers: noProviders,
    notifier: new NullNotifier(),
    now: () => new Date(),
  };
}

/** The functions that never call a provider: no cloud SDK in their bundle or on their cold start. */
export const lambdaDepsWithoutProviders = once(async () => baseDeps(readConfig()));
