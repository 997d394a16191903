// Translates AWS SDK v3 errors (EC2 Query codes, Direct Connect exceptions) into the domain's named errors.
// Codes that are success in context (duplicate, not found) are decided by the caller, which re-reads first.
import {
  EntryConflictError,
  ProviderError,
  QuotaExceededError,
  ResourceNotFoundError,
  ThrottlingError,
  TransientProviderError,
} from '../../domain/errors.js';

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The service's error code (EC2 puts it in `name`, e.g. "InvalidRoute.NotFound"). */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const shape = error as SdkErrorShape;
  if (typeof shape.Code === 'string') return shape.Code;
  return typeof shape.name === 'string' ? shape.name : undefined;
}

export function hasAwsCode(error: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && codes.includes(code);
}

const THROTTLING = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled', 'SlowDown']);
const QUOTA = new Set([
  'RouteLimitExceeded',
  'RulesPerSecurityGroupLimitExceeded',
  'TransitGatewayRouteLimitExceeded',
  'RouteTableLimitExceeded',
  'VpnConnectionLimitExceeded',
  'CidrLimitExceeded',
]);
const TARGET_NOT_FOUND = new Set([
  'InvalidRouteTableID.NotFound',
  'InvalidRouteTableId.NotFound',
  'InvalidGroup.NotFound',
  'InvalidVpnConnectionID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidTransitGatewayRouteTableID.NotFound',
  'InvalidGatewayID.NotFound',
  'InvalidTransitGatewayID.NotFound',
  'InvalidVpcPeeringConnectionID.NotFound',
  'InvalidTransitGatewayAttachmentID.NotFound',
]);
/** Resources that are mid-change: retrying later works. */
const TRANSIENT = new Set(['IncorrectState', 'IncorrectInstanceState', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'DirectConnectServerException', 'Unavailable']);
const CONFLICT = new Set(['RouteAlreadyExists', 'Resource.AlreadyAssociated']);

/** A domain error for what is known; the original error, unchanged, otherwise. */
export function translateAwsError(error: unknown, action: string): unknown {
  if (error instanceof ProviderError) return error;
  const code = awsErrorCode(error);
  if (code === undefined) return error;
  const shape = error as SdkErrorShape;
  const detail = `${action}: ${code}: ${typeof shape.message === 'string' ? shape.message : ''}`.trim();
  if (THROTTLING.has(code)) return new ThrottlingError(`${detail} (after the SDK's own retries)`, code);
  if (QUOTA.has(code)) return new QuotaExceededError(detail, code);
  if (TARGET_NOT_FOUND.has(code)) return new ResourceNotFoundError(detail, code);
  if (CONFLICT.has(code)) return new EntryConflictError(detail, code);
  const status = shape.$metadata?.httpStatusCode;
  if (TRANSIENT.has(code) || (typeof status === 'number' && status >= 500)) return new TransientProviderError(detail, code);
  return error;
}
