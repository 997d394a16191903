import { ConcurrentUpdateError } from '../domain/errors.js';

/** Re-runs a read-modify-write when a conditional write lost the race; gives up after `attempts`. */
export async function withOptimisticRetry<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError) || attempt >= attempts) throw error;
    }
  }
}
