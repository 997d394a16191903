// How the Huawei SDK reports a failure (ServiceResponseException: HTTP status, error_code) and which domain error
// each is; the kit's translation does the rest.
import { ServiceResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServiceResponseException.js';
import { cloudErrors } from '../kit/errors.js';

export const huaweiErrors = cloudErrors({
  read: (error) => {
    if (!(error instanceof ServiceResponseException)) return undefined;
    const status = typeof error.httpStatusCode === 'number' ? error.httpStatusCode : Number(error.httpStatusCode) || undefined;
    return { status, code: error.errorCode, message: error.errorMsg ?? error.message };
  },
  classify: ({ status, code }) => {
    if (status === 429 || code === 'APIGW.0308') return 'throttling';
    if (status !== undefined && status >= 500) return 'transient';
    if (status === 404) return 'not-found';
    return undefined;
  },
});
