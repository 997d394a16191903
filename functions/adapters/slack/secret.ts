// The Slack webhook URL in AWS: a middy middleware that reads it from Secrets Manager once per container
// (@middy/secrets-manager caches it, and prefetches it at cold start) and puts it on the context as
// `slackWebhookUrl`, ready for createNotifier(). The value never reaches a log or an error message.
//
// Why @middy/secrets-manager rather than Powertools parameters: handlers are middy chains ("middleware first,
// handler last"), and this package is exactly a middy middleware with a cache and cold-start prefetch; the
// Powertools getSecret would need the same middleware written around it by hand.
import type { SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import type middy from '@middy/core';
import secretsManager from '@middy/secrets-manager';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors.js';
import { parseWebhookUrl } from './slack-notifier.js';

export interface SlackWebhookSecretOptions {
  /** Secret name or ARN. Default: env SLACK_WEBHOOK_SECRET_ARN. */
  secretId?: string;
  /** SDK client config (region, endpoint for an emulator, credentials). */
  awsClientOptions?: SecretsManagerClientConfig;
  /** Read at cold start (default) or on the first invocation. */
  disablePrefetch?: boolean;
}

/** What the middleware adds to the Lambda context: undefined = no webhook configured (use a NullNotifier). */
export interface SlackWebhookContext {
  slackWebhookUrl?: string;
  /** The Slack app's signing secret (JSON field "signingSecret"), which approval callbacks are verified with. */
  slackSigningSecret?: string;
}

const RAW_KEY = 'podreachSlackWebhookSecret';

// The secret holds the URL as plain text, or JSON {"url": "...", "signingSecret": "..."} ({"webhookUrl": ...} is
// accepted too). "{}" or an empty url means not configured: the stack can create the secret before anyone has a webhook.
const secretValueSchema = z.union([
  z.string().transform((url) => ({ url, signingSecret: undefined })),
  z
    .object({ url: z.string().optional(), webhookUrl: z.string().optional(), signingSecret: z.string().min(1).optional() })
    .transform((value) => ({ url: value.url ?? value.webhookUrl, signingSecret: value.signingSecret })),
]);

function parsedSecret(value: unknown) {
  const parsed = secretValueSchema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError('SLACK_WEBHOOK_SECRET_ARN', 'the secret must hold the webhook URL, or JSON {"url": "...", "signingSecret": "..."}');
  return parsed.data;
}

/** The webhook URL held by a secret value (as @middy/secrets-manager parsed it). */
export function webhookUrlFromSecretValue(value: unknown): string | undefined {
  return parseWebhookUrl(parsedSecret(value).url, 'SLACK_WEBHOOK_SECRET_ARN');
}

/** `middy(handler).use(slackWebhookSecret())`: then `createNotifier(context.slackWebhookUrl)`. */
export function slackWebhookSecret(
  options: SlackWebhookSecretOptions = {},
): middy.MiddlewareObj<unknown, unknown, Error, middy.Request['context'] & SlackWebhookContext> {
  const secretId = options.secretId ?? process.env.SLACK_WEBHOOK_SECRET_ARN;
  if (!secretId) throw new InvalidInputError('SLACK_WEBHOOK_SECRET_ARN', 'required (the id or ARN of the Slack webhook secret)');
  const fetchSecret = secretsManager({
    fetchData: { [RAW_KEY]: secretId },
    cacheKey: `podreach-slack-webhook:${secretId}`,
    cacheExpiry: -1,
    setToContext: true,
    disablePrefetch: options.disablePrefetch ?? false,
    awsClientOptions: options.awsClientOptions ?? {},
  });
  return {
    before: async (request) => {
      await fetchSecret.before?.(request as Parameters<NonNullable<typeof fetchSecret.before>>[0]);
      const context = request.context as unknown as Record<string, unknown> & SlackWebhookContext;
      const raw = context[RAW_KEY];
      delete context[RAW_KEY];
      context.slackWebhookUrl = webhookUrlFromSecretValue(raw);
      const signingSecret = parsedSecret(raw).signingSecret;
      if (signingSecret) context.slackSigningSecret = signingSecret;
    },
  };
}
