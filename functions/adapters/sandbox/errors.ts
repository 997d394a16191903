// Errors of the simulated cloud API, like an SDK's service exceptions: the provider translates them.
import { ProviderError } from '../../domain/errors.js';

export const SANDBOX_ERROR_CODES = [
  'RouteAlreadyExists',
  'InvalidRoute.NotFound',
  'RouteLimitExceeded',
  'SelectorLimitExceeded',
  'PrefixLimitExceeded',
  'RulesPerSecurityGroupLimitExceeded',
  'WhitelistLimitExceeded',
  'InvalidPermission.Duplicate',
  'InvalidPermission.NotFound',
  'InvalidParameterValue.Duplicate',
  'InvalidParameterValue.Cidr',
  'CcnRouteAlreadyExists',
  'CcnRouteNotFound',
  'CcnRouteCidrOverlap',
  'Resource.AlreadyAssociated',
  'InvalidAssociation.NotFound',
  'ConcurrentModification',
  // injected faults (faults.ts): refused before taking effect, or the response lost
  'Throttling',
  'InternalError',
  'RequestTimeout',
] as const;
export type SandboxErrorCode = (typeof SANDBOX_ERROR_CODES)[number];

export class SandboxApiError extends ProviderError {
  override name = 'SandboxApiError';
  constructor(
    readonly sandboxCode: SandboxErrorCode,
    message: string,
  ) {
    super(`${sandboxCode}: ${message}`, sandboxCode);
  }
}
