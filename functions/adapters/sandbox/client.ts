// The sandbox adapter's client of the simulated API, as a cloud SDK client is to its API: a refused or lost call
// (Throttling, InternalError, RequestTimeout) is retried a few times with jittered backoff, and what is still
// failing after that reaches the adapter as the domain's retryable errors (ThrottlingError,
// TransientProviderError), which Step Functions' Retry (and locally the same state machines) retry again.
import { ThrottlingError, TransientProviderError } from '../../domain/errors.js';
import type { SandboxCloud } from './cloud.js';
import { SandboxApiError } from './errors.js';

/** What a cloud SDK retries on its own. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['Throttling', 'InternalError', 'RequestTimeout']);

export interface ClientRetryOptions {
  /** Attempts per call, the first included (the AWS SDK's standard mode makes 3). */
  attempts?: number;
  /** Backoff base; each retry waits a random time up to base * 2^retry (full jitter). */
  baseDelayMs?: number;
}

function asDomainError(error: SandboxApiError): Error {
  const cause = { cause: error };
  if (error.sandboxCode === 'Throttling') return Object.assign(new ThrottlingError(`${error.message} (after retries)`, 'Throttling'), cause);
  return Object.assign(new TransientProviderError(`${error.message} (after retries)`, error.sandboxCode), cause);
}

async function withRetries<T>(call: () => Promise<T>, options: Required<ClientRetryOptions>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof SandboxApiError) || !RETRYABLE_CODES.has(error.sandboxCode)) throw error;
      if (attempt >= options.attempts) throw asDomainError(error);
      const ceiling = options.baseDelayMs * 2 ** (attempt - 1);
      if (ceiling > 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
}

/** The cloud with every API method retried as above; other members pass through. */
export function retryingClient(cloud: SandboxCloud, options: ClientRetryOptions = {}): SandboxCloud {
  const policy: Required<ClientRetryOptions> = { attempts: options.attempts ?? 4, baseDelayMs: options.baseDelayMs ?? 5 };
  return new Proxy(cloud, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || !API_METHODS.has(property)) return value;
      return (...args: unknown[]) => withRetries(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args), policy);
    },
  });
}

/** SandboxCloud's API methods (the calls faults.ts injects into). */
const API_METHODS: ReadonlySet<string> = new Set([
  'describe',
  'createRoute',
  'replaceRoute',
  'deleteRoute',
  'replaceSelectors',
  'replaceDxPrefixes',
  'replaceWhitelist',
  'createCcnRoute',
  'setCcnRouteEnabled',
  'deleteCcnRoute',
  'authorizeIngress',
  'revokeIngress',
  'associateRouteTable',
  'disassociateRouteTable',
]);
