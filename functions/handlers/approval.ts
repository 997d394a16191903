// Lambda: the AwaitApproval task of every flow state machine (invoked with a task token: the execution waits until
// the approval endpoint resumes it, or the request times out) and the ExpireApproval task after a timeout. Locally
// (`stopLocally`) the run stops instead of waiting: `podreach approve` continues it. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { SlackWebhookContext } from '../adapters/slack/secret.js';
import { decideApproval, requestApproval } from '../application/approval.js';
import { ApprovalPendingError, InvalidInputError } from '../domain/errors.js';
import { approvalTaskInputSchema } from './inputs.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import { lambdaSlackWiring } from './lambda-slack.js';
import { once, type HandlerOptions, type SlackWiring } from './runtime.js';

export function createApprovalHandler({
  deps,
  logger = createLogger('approval'),
  slack,
  stopLocally = false,
}: HandlerOptions & { slack?: SlackWiring; stopLocally?: boolean }) {
  const chain = middy().use(injectLambdaContext(logger)).use(logErrors(logger));
  if (slack) chain.use(slack.webhookSecret);
  return chain.use(parseInput(approvalTaskInputSchema)).handler(async (event, context) => {
    const base = await deps();
    if (event.action === 'expire') {
      try {
        return await decideApproval({ executionId: event.executionId, approve: false, by: 'timeout' }, base);
      } catch (error) {
        // decided just before the timeout: that decision stands
        if (error instanceof InvalidInputError) return { executionId: event.executionId, state: 'decided' };
        throw error;
      }
    }
    const notifier = slack ? slack.createNotifier((context as SlackWebhookContext).slackWebhookUrl) : base.notifier;
    const command = `podreach approve ${event.executionId}`;
    const request = await requestApproval(
      { clusterId: event.clusterId, flow: event.flow, executionId: event.executionId, ...(event.taskToken ? { taskToken: event.taskToken } : {}) },
      { ...base, notifier },
      stopLocally ? { kind: 'command', approve: command, reject: `${command} --reject` } : { kind: 'buttons' },
    );
    if (stopLocally) throw new ApprovalPendingError(`${request.changeIds.length} change(s) await approval: ${command} (or --reject)`);
    return request;
  });
}

// Built on first invocation, when the Slack client and the Secrets Manager middleware are imported: importing this
// module (the local CLI does) loads neither.
const lambdaHandler = once(async () => createApprovalHandler({ deps: lambdaDepsWithoutProviders, slack: await lambdaSlackWiring() }));

export const handler = async (event: unknown, context: Parameters<ReturnType<typeof createApprovalHandler>>[1]) =>
  (await lambdaHandler())(event as never, context);
