// The middlewares every handler shares: parse the input at the edge (zod), log with Powertools, and let
// errors through as errors (Step Functions Retry/Catch and EventBridge retries/DLQs depend on it).
import type middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import { PARSE_OPTIONS, toInvalidInput } from '../../events/parse.js';

export function createLogger(serviceName: string, silent = false): Logger {
  return new Logger({ serviceName: `podreach-${serviceName}`, ...(silent ? { logLevel: 'SILENT' } : {}) });
}

/** Replaces the event with its parsed form; a bad event is an InvalidInputError naming the field. */
export function parseInput<S extends z.ZodType>(schema: S): middy.MiddlewareObj<z.infer<S>> {
  return {
    before: (request) => {
      const result = schema.safeParse(request.event, PARSE_OPTIONS);
      if (!result.success) throw toInvalidInput(result.error);
      request.event = result.data;
    },
  };
}

/** Logs the error with its name (what Step Functions ErrorEquals matches) and rethrows it. */
export function logErrors(logger: Logger): middy.MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error as Error | null;
      if (error) logger.error('handler failed', { errorName: error.name, message: error.message });
    },
  };
}
