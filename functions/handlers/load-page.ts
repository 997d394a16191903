// Lambda: the LoadPage task of every flow state machine (one page of a lane's change ids). Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { loadApplyPage } from '../application/plan-flow.js';
import { loadPageInputSchema } from './inputs.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';

export function createLoadPageHandler({ deps, logger = createLogger('load-page') }: HandlerOptions) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .use(parseInput(loadPageInputSchema))
    .handler(async (event) => loadApplyPage(event, await deps()));
}

export const handler = createLoadPageHandler({ deps: lambdaDepsWithoutProviders });
