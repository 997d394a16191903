// How tencentcloud-sdk-nodejs reports a failure (TencentCloudSDKHttpException: `code` from Response.Error.Code,
// returned inside an HTTP 200 body) and which domain error each code is; the kit's translation does the rest.
import { cloudErrors, type FailureClass } from '../kit/errors.js';

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

function classify(code: string): FailureClass | undefined {
  if (code.startsWith('RequestLimitExceeded')) return 'throttling';
  if (code.startsWith('InternalError') || TRANSIENT.has(code)) return 'transient';
  if (CONFLICT.has(code)) return 'conflict';
  if (code === 'UnsupportedOperation.VersionMismatch') return 'concurrent';
  if (code.startsWith('LimitExceeded')) return 'quota';
  // CDB names a missing instance InvalidParameter.InstanceNotFound
  if (code.startsWith('ResourceNotFound') || code === 'InvalidParameter.InstanceNotFound') return 'not-found';
  return undefined;
}

export const tencentErrors = cloudErrors({
  read: (error) => {
    const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
    return typeof code === 'string' && code !== '' ? { code, message: (error as Error).message ?? '' } : undefined;
  },
  classify: ({ code }) => (code ? classify(code) : undefined),
});
