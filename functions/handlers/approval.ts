// Lambda: the AwaitApproval task of every flow state machine (invoked with a task token: the execution waits until
// the approval endpoint resumes it, or the request times out) and the ExpireApproval task after a timeout. Locally
// (`stopLocally`) the run stops instead of waiting: `podreach approve` continues it. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { createNotifier } from '../adapters/slack/slack-notifier.js';
import { slackWebhookSecret, type SlackWebhookContext } from '../adapters/slack/secret.js';
import { decideApproval, requestApproval } from '../application/approval.js';
import { ApprovalPendingError, InvalidInputError } from '../domain/errors.js';
import { approvalTaskInputSchema } from './inputs.js';
import { lambdaDepsWithoutProviders } from './lambda-deps.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';

export function createApprovalHandler({
  deps,
  logger = createLogger('approval'),
  webhookSecret,
  stopLocally = false,
}: HandlerOptions & { webhookSecret?: middy.MiddlewareObj; stopLocally?: boolean }) {
  const chain = middy().use(injectLambdaContext(logger)).use(logErrors(logger));
  if (webhookSecret) chain.use(webhookSecret);
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
    const notifier = webhookSecret ? createNotifier((context as SlackWebhookContext).slackWebhookUrl) : base.notifier;
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

let lambdaHandler: ReturnType<typeof createApprovalHandler> | undefined;
export const handler = (event: unknown, context: Parameters<ReturnType<typeof createApprovalHandler>>[1]) => {
  lambdaHandler ??= createApprovalHandler({ deps: lambdaDepsWithoutProviders, webhookSecret: slackWebhookSecret({ disablePrefetch: true }) });
  return lambdaHandler(event as never, context);
};
