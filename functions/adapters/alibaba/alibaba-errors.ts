// How the Alibaba Cloud SDKs report a failure (openapi-core ClientError / ServerError / ThrottlingError, all
// carrying `code` and `statusCode`) and which domain error each code is; the kit's translation does the rest.
import { cloudErrors, type CloudFailure } from '../kit/errors.js';

function read(error: unknown): CloudFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const candidate = error as Error & { code?: unknown; statusCode?: unknown };
  if (typeof candidate.code !== 'string' || candidate.code === '' || candidate.code === 'undefined') return undefined;
  return { code: candidate.code, status: typeof candidate.statusCode === 'number' ? candidate.statusCode : undefined, message: candidate.message };
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

export const alibabaErrors = cloudErrors({
  read,
  classify: ({ code = '', status }) => {
    if (code.startsWith('Throttling')) return 'throttling';
    if (isTransientCode(code) || (status !== undefined && status >= 500)) return 'transient';
    if (/QuotaExceed|LimitExceed|Exceeded\.|\.Overflow|ExceedQuota/i.test(code)) return 'quota';
    // codes naming a thing that is not there: NotFound, NotExist, .Missing
    if (/NotFound|NotExist|NoExist|\.Missing$/i.test(code)) return 'not-found';
    return undefined;
  },
});
