// Lambda: the Notify task at the end of every flow state machine (success and failure). Wiring only.
// In AWS the webhook URL comes from Secrets Manager (read once per container, cached by the middleware).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { countingSlackFailures, lambdaMetrics } from '../adapters/metrics.js';
import { createNotifier } from '../adapters/slack/slack-notifier.js';
import { slackWebhookSecret, type SlackWebhookContext } from '../adapters/slack/secret.js';
import { compactForStateOutput, notifyExecution } from '../application/summarize.js';
import { notifyInputSchema } from './inputs.js';
import { lambdaDepsWithoutProviders } from './lambda-deps.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';

export function createNotifyHandler({
  deps,
  logger = createLogger('notify'),
  webhookSecret,
  metrics,
}: HandlerOptions & { webhookSecret?: middy.MiddlewareObj; metrics?: Metrics }) {
  const chain = middy().use(injectLambdaContext(logger)).use(logErrors(logger));
  if (webhookSecret) chain.use(webhookSecret);
  return chain.use(parseInput(notifyInputSchema)).handler(async (event, context) => {
    const base = await deps();
    const chosen = webhookSecret ? createNotifier((context as SlackWebhookContext).slackWebhookUrl) : base.notifier;
    const notifier = metrics ? countingSlackFailures(metrics, chosen, event.flow) : chosen;
    // the full summary went to Slack; the state output stays inside Step Functions' payload limit
    return compactForStateOutput(await notifyExecution(event, { ...base, notifier }));
  });
}

// Built on first invocation: importing this module (the local CLI does) must not reach Secrets Manager.
let lambdaHandler: ReturnType<typeof createNotifyHandler> | undefined;
export const handler = (event: unknown, context: Parameters<ReturnType<typeof createNotifyHandler>>[1]) => {
  lambdaHandler ??= createNotifyHandler({
    deps: lambdaDepsWithoutProviders,
    webhookSecret: slackWebhookSecret({ disablePrefetch: true }),
    metrics: lambdaMetrics(),
  });
  return lambdaHandler(event as never, context);
};
