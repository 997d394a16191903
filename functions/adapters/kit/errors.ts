// One error translation for every cloud adapter. A cloud says how to read its SDK's errors (code, HTTP status,
// message) and which class each belongs to; the kit builds the domain's named error with the SDK's error as
// `cause`, so nothing the cloud said is lost. What the rules do not know is returned unchanged (rethrown as it is).
import {
  ConcurrentUpdateError,
  EntryConflictError,
  PodreachError,
  QuotaExceededError,
  ResourceNotFoundError,
  ThrottlingError,
  TransientProviderError,
} from '../../domain/errors.js';

export interface CloudFailure {
  code?: string | undefined;
  status?: number | undefined;
  message: string;
}

export type FailureClass = 'throttling' | 'transient' | 'quota' | 'not-found' | 'conflict' | 'concurrent';

export interface ErrorRules {
  /** The cloud's failure in an SDK error, or undefined when the error is not the SDK's (a bug, a network error). */
  read(error: unknown): CloudFailure | undefined;
  /** Which domain error a failure is; undefined: none (rethrown as it is). */
  classify(failure: CloudFailure): FailureClass | undefined;
}

export interface CloudErrors {
  /** The domain error for `error` (its `cause`), or `error` itself. `action` says what was being done. */
  translate(error: unknown, action: string): unknown;
  code(error: unknown): string | undefined;
  /** The cloud's failure in an SDK error (code, HTTP status, message). */
  read(error: unknown): CloudFailure | undefined;
  has(error: unknown, ...codes: string[]): boolean;
  is(error: unknown, kind: FailureClass): boolean;
  /** The read's result, or undefined when the cloud says the thing read does not exist. */
  unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined>;
}

const ERRORS = {
  throttling: ThrottlingError,
  transient: TransientProviderError,
  quota: QuotaExceededError,
  'not-found': ResourceNotFoundError,
  conflict: EntryConflictError,
} as const;

export function cloudErrors(rules: ErrorRules): CloudErrors {
  const classOf = (error: unknown): FailureClass | undefined => {
    const failure = rules.read(error);
    return failure ? rules.classify(failure) : undefined;
  };
  const errors: CloudErrors = {
    translate(error, action) {
      if (error instanceof PodreachError) return error;
      const failure = rules.read(error);
      const kind = failure && rules.classify(failure);
      if (!failure || !kind) return error;
      const message = `${action}: ${[failure.code ?? failure.status, failure.message].filter((part) => part !== undefined && part !== '').join(': ')}`;
      if (kind === 'concurrent') return new ConcurrentUpdateError(message, { cause: error });
      return new ERRORS[kind](message, failure.code, { cause: error });
    },
    code: (error) => rules.read(error)?.code,
    read: (error) => rules.read(error),
    has: (error, ...codes) => {
      const code = rules.read(error)?.code;
      return code !== undefined && codes.includes(code);
    },
    is: (error, kind) => classOf(error) === kind,
    async unlessNotFound(read) {
      try {
        return await read();
      } catch (error) {
        if (classOf(error) === 'not-found' || error instanceof ResourceNotFoundError) return undefined;
        throw error;
      }
    },
  };
  return errors;
}
