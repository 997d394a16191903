// Named errors of the domain. Each sets `name` to a literal so Step Functions `ErrorEquals` can match it
// (bundles keep names). Adapters translate SDK errors into these and rethrow what they do not know.

export class PodreachError extends Error {
  override name = 'PodreachError';
}

/** Adapters pass the SDK's own error as `cause`, so nothing the cloud said is lost in translation. */
export interface ProviderErrorOptions {
  cause?: unknown;
}

/**
 * Bad input (event, profile, sandbox file, CLI flag). `field` is the path of the offending value, `reason` what
 * is wrong with it, `source` the file it came from when there is one: "events/x.json: detail.clusterId: ...".
 */
export class InvalidInputError extends PodreachError {
  override name = 'InvalidInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly source?: string,
  ) {
    super([source, field, reason].filter((part) => part !== undefined && part !== '').join(': '));
  }
}

export class NotFoundError extends PodreachError {
  override name = 'NotFoundError';
}

/** Another writer changed the item first (conditional write failed). Retry after re-reading. */
export class ConcurrentUpdateError extends PodreachError {
  override name = 'ConcurrentUpdateError';
}

/** A per-resource lease for a replace-style API is held by someone else. Retryable. */
export class LeaseHeldError extends PodreachError {
  override name = 'LeaseHeldError';
}

export class ProviderError extends PodreachError {
  override name = 'ProviderError';
  constructor(
    message: string,
    readonly code?: string,
    options?: ProviderErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** An entry podreach did not create occupies the same destination with another value. Never overwritten. */
export class EntryConflictError extends ProviderError {
  override name = 'EntryConflictError';
}

export class QuotaExceededError extends ProviderError {
  override name = 'QuotaExceededError';
}

/** The provider kept throttling after the SDK's own retries. Step Functions retries this. */
export class ThrottlingError extends ProviderError {
  override name = 'ThrottlingError';
}

/** A passing fault (5xx, busy resource, configuring state). Step Functions retries this. */
export class TransientProviderError extends ProviderError {
  override name = 'TransientProviderError';
}

/** The provider (or its API) cannot do this kind of change: the change is blocked with this reason. */
export class UnsupportedChangeError extends ProviderError {
  override name = 'UnsupportedChangeError';
}

/** The target resource (route table, VPN connection, ...) does not exist. */
export class ResourceNotFoundError extends ProviderError {
  override name = 'ResourceNotFoundError';
}

/** After acting, re-reading did not show the expected entry. */
export class VerificationError extends ProviderError {
  override name = 'VerificationError';
}

/** Names Step Functions retries on (see infra). */
export const RETRYABLE_ERROR_NAMES = ['ThrottlingError', 'TransientProviderError', 'LeaseHeldError', 'ConcurrentUpdateError'] as const;

/**
 * The approval gate's outcomes, by the names the flow state machines catch (infra): pending is thrown (below), a
 * rejection is the error the task resumer sends with SendTaskFailure (a person, or the request's timeout, said no).
 */
export const APPROVAL_PENDING_ERROR = 'ApprovalPending';
export const APPROVAL_REJECTED_ERROR = 'ApprovalRejected';

/**
 * Changes wait for a person's approval (locally the run stops here; `podreach approve` continues it). Step Functions
 * catches it by this name.
 */
export class ApprovalPendingError extends PodreachError {
  override name = APPROVAL_PENDING_ERROR;
}
