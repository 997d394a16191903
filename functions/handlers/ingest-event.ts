// Lambda: the EventBridge target. Parses the event (envelope or bare detail), folds it into the cluster's
// facts and starts the flow state machines. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parseClusterEvent } from '../../events/parse.js';
import { handleEvent } from '../application/handle-event.js';
import { InvalidInputError } from '../domain/errors.js';
import { DEPLOYED_PROVIDER_NAMES, type ProviderName } from '../domain/model.js';
import type { FlowStarter } from '../ports/flow-runner.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';
import { lambdaStarter } from './lambda-starter.js';
import { createLogger, logErrors } from './middleware.js';
import type { HandlerOptions } from './runtime.js';

/** `providers`: the providers events may name (in AWS the deployed clouds: never the sandbox); default all. */
export function createIngestEventHandler({
  deps,
  starter,
  logger = createLogger('ingest-event'),
  providers,
}: HandlerOptions & { starter: () => Promise<FlowStarter>; providers?: readonly ProviderName[] }) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .handler(async (event: unknown) => {
      const parsed = parseClusterEvent(event);
      if (parsed.detailType === 'Cluster Created' && providers && !providers.includes(parsed.detail.provider)) {
        throw new InvalidInputError('detail.provider', `"${parsed.detail.provider}" is not served here (expected one of: ${providers.join(', ')})`);
      }
      return handleEvent(parsed, { ...(await deps()), starter: await starter() });
    });
}

export const handler = createIngestEventHandler({ deps: lambdaDepsWithoutProviders, starter: lambdaStarter, providers: DEPLOYED_PROVIDER_NAMES });
