// Lambda: the ApplyChange task of every flow state machine. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { applyChange } from '../application/apply-change.js';
import { applyChangeInputSchema } from './inputs.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { lambdaDeps } from './lambda-deps.js';

export function createApplyChangeHandler({ deps, logger = createLogger('apply-change') }: HandlerOptions) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .use(parseInput(applyChangeInputSchema))
    .handler(async (event) => applyChange(event, await deps()));
}

export const handler = createApplyChangeHandler({ deps: lambdaDeps });
