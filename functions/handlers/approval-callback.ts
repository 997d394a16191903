// Lambda (function URL): Slack's interactivity endpoint for the approval gate. Verifies Slack's signature and
// timestamp, records the decision on the held changes, and resumes (or rejects) the waiting execution. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { slackWebhookSecret, type SlackWebhookContext } from '../adapters/slack/secret.js';
import { SlackSignatureError, verifySlackRequest } from '../adapters/slack/signature.js';
import { SfnTaskResumer, type TaskResumer } from '../adapters/stepfunctions/task-resumer.js';
import { decideApproval } from '../application/approval.js';
import { InvalidInputError } from '../domain/errors.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';
import { createLogger } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { once } from './runtime.js';

/** What a Lambda function URL delivers (the fields used). */
export interface FunctionUrlEvent {
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** The parts of Slack's block_actions payload the gate reads. */
const interactionSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string(), username: z.string().optional(), name: z.string().optional() }).loose(),
  actions: z.array(z.object({ action_id: z.enum(['podreach-approve', 'podreach-reject']), value: z.string().min(1) }).loose()).min(1),
}).loose();

const reply = (statusCode: number, text: string): FunctionUrlResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ response_type: 'in_channel', replace_original: false, text }),
});

export function createApprovalCallbackHandler({
  deps,
  resumer,
  logger = createLogger('approval-callback'),
  webhookSecret,
  signingSecret,
  now = () => Date.now(),
}: HandlerOptions & { resumer: () => Promise<TaskResumer>; webhookSecret?: middy.MiddlewareObj; signingSecret?: string; now?: () => number }) {
  const chain = middy<FunctionUrlEvent, FunctionUrlResult>().use(injectLambdaContext(logger));
  if (webhookSecret) chain.use(webhookSecret as middy.MiddlewareObj<FunctionUrlEvent, FunctionUrlResult>);
  return chain.handler(async (event, context) => {
    const secret = signingSecret ?? (context as unknown as SlackWebhookContext).slackSigningSecret;
    if (!secret) return reply(503, 'podreach has no Slack signing secret: put "signingSecret" in the Slack secret');
    const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
    const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]));
    try {
      verifySlackRequest({ signingSecret: secret, timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'], body, nowMs: now() });
    } catch (error) {
      if (error instanceof SlackSignatureError) {
        logger.warn('refused an approval request', { reason: error.message });
        return reply(401, `refused: ${error.message}`);
      }
      throw error;
    }
    let interaction: z.infer<typeof interactionSchema>;
    try {
      interaction = interactionSchema.parse(JSON.parse(new URLSearchParams(body).get('payload') ?? ''));
    } catch {
      return reply(400, 'not a podreach approval action');
    }
    const action = interaction.actions[0]!;
    const approve = action.action_id === 'podreach-approve';
    const by = interaction.user.username ?? interaction.user.name ?? interaction.user.id;
    try {
      const decided = await decideApproval({ executionId: action.value, approve, by }, await deps());
      if (decided.taskToken) await (await resumer()).resume(decided.taskToken, { approved: approve, by });
      return reply(200, `${approve ? 'Approved' : 'Rejected'} by ${by}: ${decided.decided} change(s) of ${decided.executionId} (${decided.flow}, ${decided.clusterId})`);
    } catch (error) {
      if (error instanceof InvalidInputError) return reply(409, error.message);
      throw error;
    }
  });
}

const lambdaResumer = once(async (): Promise<TaskResumer> => {
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return new SfnTaskResumer(new SFNClient(endpoint ? { endpoint } : {}));
});

let lambdaHandler: ReturnType<typeof createApprovalCallbackHandler> | undefined;
export const handler = (event: FunctionUrlEvent, context: Parameters<ReturnType<typeof createApprovalCallbackHandler>>[1]) => {
  lambdaHandler ??= createApprovalCallbackHandler({ deps: lambdaDepsWithoutProviders, resumer: lambdaResumer, webhookSecret: slackWebhookSecret({ disablePrefetch: true }) });
  return lambdaHandler(event, context);
};
