// Translates Alibaba Cloud SDK errors (openapi-core ClientError / ServerError / ThrottlingError, all carrying
// `code` and `statusCode`) into the domain's named errors. Per-kind codes (duplicate, not found) are decided
// by the caller; this module knows the codes every kind shares.
import {
  QuotaExceededError,
  ResourceNotFoundError,
  ThrottlingError,
  TransientProviderError,
} from '../../domain/errors.js';

export interface AlibabaSdkError {
  code: string;
  statusCode?: number;
  message: string;
}

/** The SDK's error shape, when `error` has one (an Alibaba error code), else undefined. */
export function sdkError(error: unknown): AlibabaSdkError | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & { code?: unknown; statusCode?: unknown };
  if (typeof candidate.code !== 'string' || candidate.code === '' || candidate.code === 'undefined') return undefined;
  return {
    code: candidate.code,
    statusCode: typeof candidate.statusCode === 'number' ? candidate.statusCode : undefined,
    message: candidate.message,
  };
}

export function errorCode(error: unknown): string | undefined {
  return sdkError(error)?.code;
}

export function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = errorCode(error);
  return code !== undefined && codes.includes(code);
}

/** Codes ending in NotFound / NotExist / .Missing: the thing named by the request is not there. */
export function isNotFound(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  return /NotFound|NotExist|NoExist|\.Missing$/i.test(code);
}

// Busy-resource codes: one change per VPC / VBR route table at a time, a VPN gateway that is still applying
// a previous change, a ClientToken whose first request is still running. All pass on their own.
const TRANSIENT_CODES = [
  'OperationConflict',
  'IncorrectStatus',
  'IncorrectRouteEntryStatus',
  'IncorrectVpcStatus',
  'IncorrectVbrStatus',
  'IncorrectInstanceStatus',
  'IncorrectDBInstanceState',
  'OperationDenied.DBInstanceStatus',
  'Task.Conflict',
  'TaskConflict',
  'VpnGateway.Configuring',
  'VpnTask.CONFLICT',
  'VpnGateway.FinancialLocked',
  'LastTokenProcessing',
  'OperationFailed.LastTokenProcessing',
  'ServiceUnavailable',
  'InternalError',
  'UnknownError',
];

function isTransientCode(code: string): boolean {
  return TRANSIENT_CODES.some((known) => code === known || code.startsWith(`${known}.`)) || /^IncorrectStatus\./.test(code);
}

/**
 * The domain error for an SDK error every kind treats alike, or the error itself when it means something
 * the caller must decide (or nothing this adapter knows: rethrown as it is).
 */
export function translateAlibabaError(error: unknown, what: string): unknown {
  const sdk = sdkError(error);
  if (!sdk) return error;
  const detail = `${what}: ${sdk.code}: ${sdk.message}`;
  if (sdk.code.startsWith('Throttling') || (error as Error).name === 'ThrottlingError') {
    return new ThrottlingError(detail, sdk.code);
  }
  if (isTransientCode(sdk.code) || (sdk.statusCode !== undefined && sdk.statusCode >= 500)) {
    return new TransientProviderError(detail, sdk.code);
  }
  if (/QuotaExceed|LimitExceed|Exceeded\.|\.Overflow|ExceedQuota/i.test(sdk.code)) {
    return new QuotaExceededError(detail, sdk.code);
  }
  if (isNotFound(error)) {
    return new ResourceNotFoundError(detail, sdk.code);
  }
  return error;
}
