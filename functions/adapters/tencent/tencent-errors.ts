// Translates tencentcloud-sdk-nodejs errors (TencentCloudSDKHttpException: `code` from Response.Error.Code,
// which Tencent returns inside an HTTP 200 body) into the domain's named errors.
// Codes that are success in context (duplicate, not found on delete) are decided by the caller, after re-reading.
import {
  ConcurrentUpdateError,
  EntryConflictError,
  PodreachError,
  QuotaExceededError,
  ResourceNotFoundError,
  ThrottlingError,
  TransientProviderError,
} from '../../domain/errors.js';

interface TencentErrorShape {
  code?: unknown;
  message?: unknown;
  requestId?: unknown;
  httpCode?: unknown;
}

/** Response.Error.Code of a Tencent API error, e.g. "InvalidParameterValue.Duplicate". */
export function tencentErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as TencentErrorShape).code;
  return typeof code === 'string' && code.length > 0 ? code : undefined;
}

export function hasTencentCode(error: unknown, ...codes: string[]): boolean {
  const code = tencentErrorCode(error);
  return code !== undefined && codes.includes(code);
}

export function isThrottling(error: unknown): boolean {
  return tencentErrorCode(error)?.startsWith('RequestLimitExceeded') ?? false;
}

/** Any ResourceNotFound code ("ResourceNotFound", "ResourceNotFound.VpnConnNotExist", ...); CDB says InvalidParameter.InstanceNotFound. */
export function isNotFound(error: unknown): boolean {
  const code = tencentErrorCode(error);
  return code !== undefined && (code.startsWith('ResourceNotFound') || code === 'InvalidParameter.InstanceNotFound');
}

/** The read's result, or undefined when Tencent says the resource does not exist. */
export async function unlessNotFound<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** An entry that another one already occupies: never overwritten. */
const CONFLICT = new Set([
  'UnsupportedOperation.ConflictWithDockerRoute',
  'UnsupportedOperation.CcnRouteCidrOverlap',
  'UnsupportedOperation.VpnConnSPDOverlap',
  'InvalidParameterValue.VpnConnCidrConflict',
  'InvalidParameterValue.VpcCidrConflict',
  'UnsupportedOperation.EcmpWithUserRoute',
  'UnsupportedOperation.EcmpWithCcnRoute',
]);
/** The resource is mid-change (tunnel negotiating, gateway updating): retrying later works. */
const TRANSIENT = new Set(['UnsupportedOperation.InvalidVpnConnState', 'UnsupportedOperation.VpnConnInvalidState', 'ResourceUnavailable']);

/** A domain error for what is known; the original error, unchanged, otherwise. */
export function translateTencentError(error: unknown, action: string): unknown {
  if (error instanceof PodreachError) return error;
  const code = tencentErrorCode(error);
  if (code === undefined) return error;
  const message = (error as TencentErrorShape).message;
  const detail = `${action}: ${code}: ${typeof message === 'string' ? message : ''}`.trim();
  if (isThrottling(error)) return new ThrottlingError(`${detail} (after bounded retries)`, code);
  if (code.startsWith('InternalError')) return new TransientProviderError(detail, code);
  if (TRANSIENT.has(code)) return new TransientProviderError(detail, code);
  if (CONFLICT.has(code)) return new EntryConflictError(detail, code);
  if (code === 'UnsupportedOperation.VersionMismatch') return new ConcurrentUpdateError(detail);
  if (code.startsWith('LimitExceeded')) return new QuotaExceededError(detail, code);
  if (isNotFound(error)) return new ResourceNotFoundError(detail, code);
  return error;
}
