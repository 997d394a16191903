// X-Ray tracing of the calls podreach makes to clouds, through Powertools Tracer: AWS SDK clients are captured
// whole (one subsegment per call); the other clouds' SDK calls get one subsegment per adapter operation (the
// kit's translated()). Tracer (and the X-Ray SDK behind it, ~150 ms to load) is imported only inside Lambda with
// tracing on, so local runs and tests never load it.
import type { Tracer } from '@aws-lambda-powertools/tracer';

const enabled = Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME) && process.env.POWERTOOLS_TRACE_ENABLED !== 'false';

const tracer: Tracer | undefined = enabled
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'podreach' })
  : undefined;

/** The client, with every call traced when tracing is on. */
export function traceAwsClient<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/** Runs `work` in a subsegment named after the cloud call when tracing is on. */
export async function traced<T>(name: string, work: () => Promise<T>): Promise<T> {
  const parent = tracer?.getSegment();
  if (!tracer || !parent) return work();
  const subsegment = parent.addNewSubsegment(`## ${name}`.slice(0, 200));
  tracer.setSegment(subsegment);
  try {
    return await work();
  } catch (error) {
    subsegment.addError(error as Error);
    throw error;
  } finally {
    subsegment.close();
    tracer.setSegment(parent);
  }
}
