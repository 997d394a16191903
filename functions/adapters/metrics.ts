// Operator metrics in CloudWatch EMF through Powertools Metrics: changes applied, blocked, failed and throttled per
// provider and flow, and Slack notifications that failed. Only the Lambda handlers pass a Metrics instance: a local
// run prints no EMF lines into the CLI's output.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Flow, ProviderName } from '../domain/model.js';
import type { Notifier } from '../ports/notifier.js';
import type { ProviderRegistry } from '../ports/network-provider.js';

export const METRICS_NAMESPACE = 'podreach';

export type ChangeOutcome = 'applied' | 'blocked' | 'failed' | 'throttled';

export function lambdaMetrics(): Metrics {
  return new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE, serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'podreach' });
}

/** One metric, with its own provider and flow dimensions, published at once. */
function count(metrics: Metrics, name: string, dimensions: Record<string, string>): void {
  const single = metrics.singleMetric();
  single.addDimensions(dimensions);
  single.addMetric(name, MetricUnit.Count, 1);
}

/**
 * Runs one apply with a registry that notes which provider it reached, and counts the outcome: applied or blocked
 * (the result's status), throttled (ThrottlingError) or failed (any other error; Step Functions may retry it).
 */
export async function countingChangeOutcome<T extends { status: string }>(
  metrics: Metrics,
  flow: Flow | undefined,
  providers: ProviderRegistry,
  apply: (providers: ProviderRegistry) => Promise<T>,
): Promise<T> {
  let provider: ProviderName | 'unknown' = 'unknown';
  const noting: ProviderRegistry = {
    get(name, region, account) {
      provider = name;
      return providers.get(name, region, account);
    },
  };
  const dimensions = () => ({ provider, flow: flow ?? 'unknown' });
  try {
    const result = await apply(noting);
    if (result.status === 'applied' || result.status === 'blocked') count(metrics, result.status, dimensions());
    return result;
  } catch (error) {
    count(metrics, (error as Error).name === 'ThrottlingError' ? 'throttled' : 'failed', dimensions());
    throw error;
  }
}

/** The notifier, counting every notification that failed (the use case records it and carries on). */
export function countingSlackFailures(metrics: Metrics, notifier: Notifier, flow: Flow): Notifier {
  return {
    async notify(summary) {
      try {
        await notifier.notify(summary);
      } catch (error) {
        count(metrics, 'slackFailures', { flow });
        throw error;
      }
    },
  };
}
