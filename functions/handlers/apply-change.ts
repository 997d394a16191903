// Lambda: the ApplyChange task of every flow state machine. Wiring only.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { countingChangeOutcome, lambdaMetrics } from '../adapters/metrics.js';
import { applyChange } from '../application/apply-change.js';
import { applyChangeInputSchema } from './inputs.js';
import { createLogger, logErrors, parseInput } from './middleware.js';
import type { HandlerOptions } from './runtime.js';
import { lambdaDeps } from './lambda-deps.js';

/** `metrics`: in Lambda, every outcome is counted per provider and flow (EMF). */
export function createApplyChangeHandler({ deps, logger = createLogger('apply-change'), metrics }: HandlerOptions & { metrics?: Metrics }) {
  return middy()
    .use(injectLambdaContext(logger))
    .use(logErrors(logger))
    .use(parseInput(applyChangeInputSchema))
    .handler(async (event) => {
      const base = await deps();
      if (!metrics) return applyChange(event, base);
      return countingChangeOutcome(metrics, event.flow, base.providers, (providers) => applyChange(event, { ...base, providers }));
    });
}

export const handler = createApplyChangeHandler({ deps: lambdaDeps, metrics: lambdaMetrics() });
