// Retry of throttled and transient calls, for the SDKs that have no retry of their own (Tencent, Huawei): p-retry
// with exponential back-off and full jitter, so writers throttled together do not come back together. AWS and
// Alibaba use their SDKs' own strategies (adaptive retry; openapi-core retryOptions with jitter). What still
// fails after the last attempt is thrown as it is, and the adapter's error translation names it.
import pRetry from 'p-retry';

export interface RetryOptions {
  /** Calls in all, the first included. Default 4. */
  attempts?: number;
  /** Back-off before the first retry; doubles per attempt, randomised. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest single wait. Default 10 s. */
  maxDelayMs?: number;
}

export function retrying<T>(call: () => Promise<T>, retryable: (error: unknown) => boolean, options: RetryOptions = {}): Promise<T> {
  const attempts = Math.max(1, options.attempts ?? 4);
  return pRetry(call, {
    retries: attempts - 1,
    factor: 2,
    minTimeout: options.baseDelayMs ?? 250,
    maxTimeout: options.maxDelayMs ?? 10_000,
    randomize: true,
    shouldRetry: ({ error }) => retryable(error),
  });
}
