// How the AWS SDK v3 reports a failure (EC2 Query codes in `name` / `Code`, Direct Connect exceptions) and which
// domain error each is; the kit's translation does the rest.
import { cloudErrors, type CloudFailure, type FailureClass } from '../kit/errors.js';

const CLASSES: Record<string, FailureClass> = {};
const put = (kind: FailureClass, codes: string[]) => codes.forEach((code) => (CLASSES[code] = kind));
put('throttling', ['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'TooManyRequestsException', 'RequestThrottled', 'SlowDown']);
put('quota', ['RouteLimitExceeded', 'RulesPerSecurityGroupLimitExceeded', 'TransitGatewayRouteLimitExceeded', 'RouteTableLimitExceeded', 'VpnConnectionLimitExceeded', 'CidrLimitExceeded']);
put('not-found', [
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
  'InvalidRoute.NotFound',
  'InvalidPermission.NotFound',
  'InvalidAssociationID.NotFound',
]);
put('conflict', ['RouteAlreadyExists', 'Resource.AlreadyAssociated']);
put('transient', ['IncorrectState', 'IncorrectInstanceState', 'ServiceUnavailable', 'InternalError', 'InternalFailure', 'DirectConnectServerException', 'Unavailable']);

interface SdkErrorShape {
  name?: unknown;
  Code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function read(error: unknown): CloudFailure | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error || 'Code' in error)) return undefined;
  const shape = error as SdkErrorShape;
  const code = typeof shape.Code === 'string' ? shape.Code : typeof shape.name === 'string' ? shape.name : undefined;
  return { code, status: shape.$metadata?.httpStatusCode, message: typeof shape.message === 'string' ? shape.message : '' };
}

export const awsErrors = cloudErrors({
  read,
  classify: ({ code, status, message }) => {
    if (code === 'DirectConnectClientException' && /not (exist|found)/i.test(message)) return 'not-found';
    return (code && CLASSES[code]) || (status !== undefined && status >= 500 ? 'transient' : undefined);
  },
});
