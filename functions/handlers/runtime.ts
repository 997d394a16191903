// How a handler gets its dependencies. In Lambda: built once per container from the environment (zod-checked,
// fails fast). Locally (CLI): the same handler factories receive the local dependencies.
import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';
import type { AppDeps } from '../application/deps.js';
import type { Notifier } from '../ports/notifier.js';

export type DepsSource = () => Promise<AppDeps>;

/**
 * How a deployed function reaches Slack: the secret's middleware and the notifier for the URL it read
 * (lambda-slack.ts). Lambda entry points import both on their first invocation, so the local CLI, which imports the
 * same handler factories, loads neither.
 */
export interface SlackWiring {
  webhookSecret: middy.MiddlewareObj;
  createNotifier: (webhookUrl: string | undefined) => Notifier;
}

export interface HandlerOptions {
  deps: DepsSource;
  logger?: Logger;
}

/** Memoises an async factory (one per Lambda container). A failed build is retried on the next call. */
export function once<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
