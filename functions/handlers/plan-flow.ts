// Lambda: the PlanFlow task of every flow state machine. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { planStep } from '../application/plan-flow.js';
import { flowInputSchema } from './inputs.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { lambdaDeps } from './lambda-deps.js';

export function createPlanFlowHandler({ deps, logger = createLogger('plan-flow') }: HandlerOptions) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .use(parseInput(flowInputSchema))
    .handler(async (event) => planStep(event, await deps()));
}

export const handler = createPlanFlowHandler({ deps: lambdaDeps });
