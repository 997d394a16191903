// Lambda: the RecordFailure task of every flow state machine. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { recordFailure } from '../application/record-failure.js';
import { recordFailureInputSchema } from './inputs.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';

export function createRecordFailureHandler({ deps, logger = createLogger('record-failure') }: HandlerOptions) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .use(parseInput(recordFailureInputSchema))
    .handler(async (event) => recordFailure(event, await deps()));
}

export const handler = createRecordFailureHandler({ deps: lambdaDepsWithoutProviders });
