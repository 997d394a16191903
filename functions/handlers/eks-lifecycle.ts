// Lambda: target of the EKS lifecycle rule (CloudTrail via EventBridge, default bus). Reads the cluster's network
// and puts the podreach event on the podreach bus. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { z } from 'zod';
import { AwsEksClusterReader } from '../adapters/aws/eks-cluster-reader.js';
import { EventEmitter } from '../adapters/eventbridge/emitter.js';
import { forwardEksEvent, type ForwardEksEventDeps } from '../application/forward-eks-event.js';
import { InvalidInputError } from '../domain/errors.js';
import { createLogger, logErrors } from './middleware.js';
import { once } from './runtime.js';

const configSchema = z.object({
  EVENT_BUS_NAME: z.string().min(1),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  AWS_ENDPOINT_URL: z.url().optional(),
});

export function eksLifecycleDeps(env: NodeJS.ProcessEnv = process.env): ForwardEksEventDeps {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InvalidInputError(`environment ${String(issue?.path[0] ?? '')}`, issue?.message ?? 'invalid');
  }
  const config = { region: parsed.data.AWS_REGION, ...(parsed.data.AWS_ENDPOINT_URL ? { endpoint: parsed.data.AWS_ENDPOINT_URL } : {}) };
  const emitter = new EventEmitter({ client: new EventBridgeClient(config) });
  return {
    reader: new AwsEksClusterReader({ eks: new EKSClient(config), ec2: new EC2Client(config) }),
    publish: (event) => emitter.put(event, parsed.data.EVENT_BUS_NAME),
  };
}

export function createEksLifecycleHandler({ deps, logger = createLogger('eks-lifecycle') }: { deps: () => Promise<ForwardEksEventDeps>; logger?: ReturnType<typeof createLogger> }) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .handler(async (event: unknown) => forwardEksEvent(event, await deps()));
}

export const handler = createEksLifecycleHandler({ deps: once(async () => eksLifecycleDeps()) });
