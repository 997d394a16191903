// Lambda: the EventBridge target. Parses the event (envelope or bare detail), folds it into the cluster's
// facts and starts the flow state machines. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parseClusterEvent } from '../../events/parse.js';
import { handleEvent } from '../application/handle-event.js';
import type { FlowStarter } from '../ports/flow-runner.js';
import { lambdaDepsWithoutProviders } from './lambda-deps.js';
import { lambdaStarter } from './lambda-starter.js';
import { createLogger, logErrors } from './middleware.js';
import type { HandlerOptions } from './runtime.js';

export function createIngestEventHandler({ deps, starter, logger = createLogger('ingest-event') }: HandlerOptions & { starter: () => Promise<FlowStarter> }) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .handler(async (event: unknown) => handleEvent(parseClusterEvent(event), { ...(await deps()), starter: await starter() }));
}

export const handler = createIngestEventHandler({ deps: lambdaDepsWithoutProviders, starter: lambdaStarter });
