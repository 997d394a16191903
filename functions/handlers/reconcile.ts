// Lambda: the scheduled reconcile run — re-plans every known cluster. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { reconcileAll } from '../application/handle-event.js';
import type { FlowStarter } from '../ports/flow-runner.js';
import { lambdaDepsWithoutProviders } from './lambda-base-deps.js';
import { lambdaStarter } from './lambda-starter.js';
import { createLogger, logErrors } from './middleware.js';
import type { HandlerOptions } from './runtime.js';

export function createReconcileHandler({ deps, starter, logger = createLogger('reconcile') }: HandlerOptions & { starter: () => Promise<FlowStarter> }) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .handler(async () => reconcileAll({ ...(await deps()), starter: await starter() }));
}

export const handler = createReconcileHandler({ deps: lambdaDepsWithoutProviders, starter: lambdaStarter });
