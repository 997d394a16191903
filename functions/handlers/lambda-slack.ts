// The Slack wiring of the deployed notify and approval functions, imported on their first invocation. Its own module:
// a dynamic import in a module every handler shares would put the Slack and Secrets Manager clients in every bundle.
import type { SlackWiring } from './runtime.js';

/** Imports the Slack client and the Secrets Manager middleware, and wires them as the deployed functions use them. */
export async function lambdaSlackWiring(): Promise<SlackWiring> {
  const [{ slackWebhookSecret }, { createNotifier }] = await Promise.all([
    import('../adapters/slack/secret.js'),
    import('../adapters/slack/slack-notifier.js'),
  ]);
  return { webhookSecret: slackWebhookSecret({ disablePrefetch: true }), createNotifier: (url) => createNotifier(url) };
}
