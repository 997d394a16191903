// Lambda: the Notify task at the end of every flow state machine (success and failure). Wiring only.
// In AWS the webhook URL comes from Secrets Manager (read once per container, cached by the middleware).
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { countingSlackFailures, lambdaMetrics } from '../adapters/metrics.js';
import type { SlackWebhookContext } from '../adapters/slack/secret.js';
import { compactForStateOutput, notifyExecution } from '../application/summarize.js';
import { notifyInputSchema } from './inputs.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import { lambdaSlackWiring } from './lambda-slack.js';
import { once, type HandlerOptions, type SlackWiring } from './runtime.js';

export function createNotifyHandler({
  deps,
  logger = createLogger('notify'),
  slack,
  metrics,
}: HandlerOptions & { slack?: SlackWiring; metrics?: Metrics }) {
  const chain = middy().use(injectLambdaContext(logger)).use(logErrors(logger));
  if (slack) chain.use(slack.webhookSecret);
  return chain.use(parseInput(notifyInputSchema)).handler(async (event, context) => {
    const base = await deps();
    const chosen = slack ? slack.createNotifier((context as SlackWebhookContext).slackWebhookUrl) : base.notifier;
    const notifier = metrics ? countingSlackFailures(metrics, chosen, event.flow) : chosen;
    // the full summary went to Slack; the state output stays inside Step Functions' payload limit
    return compactForStateOutput(await notifyExecution(event, { ...base, notifier }));
  });
}

// Built on first invocation, when the Slack client and the Secrets Manager middleware are imported: importing this
// module (the local CLI does) loads neither and reaches no secret.
const lambdaHandler = once(async () =>
  createNotifyHandler({ deps: lambdaDepsWithoutProviders, slack: await lambdaSlackWiring(), metrics: lambdaMetrics() }),
);

export const handler = async (event: unknown, context: Parameters<ReturnType<typeof createNotifyHandler>>[1]) =>
  (await lambdaHandler())(event as never, context);
