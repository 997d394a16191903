// Polling of asynchronous applies (Alibaba route entries, Huawei DCS whitelists...): read until the result shows,
// at a fixed interval, bounded in time; still not there -> TransientProviderError, which the state machines retry.
// Built on p-retry (a "not yet" is a failed attempt), like every other wait of the adapters.
import pRetry from 'p-retry';
import { TransientProviderError } from '../../domain/errors.js';

export interface PollOptions {
  /** Between reads. Default 2 s. */
  intervalMs?: number;
  /** Give up after this long. Default 60 s. */
  timeoutMs?: number;
}

class NotYet extends Error {
  override name = 'NotYet';
}

/** The first read `done` accepts; TransientProviderError naming `what` when the time runs out. */
export async function pollUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, options: PollOptions = {}): Promise<T> {
  const intervalMs = options.intervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 60_000;
  try {
    return await pRetry(
      async () => {
        const value = await read();
        if (!done(value)) throw new NotYet(what);
        return value;
      },
      {
        retries: Number.POSITIVE_INFINITY,
        factor: 1,
        minTimeout: intervalMs,
        maxTimeout: intervalMs,
        maxRetryTime: timeoutMs,
        shouldRetry: ({ error }) => error instanceof NotYet,
      },
    );
  } catch (error) {
    if (error instanceof NotYet) throw new TransientProviderError(`${what}: still not done after ${timeoutMs} ms`, undefined, { cause: error });
    throw error;
  }
}
