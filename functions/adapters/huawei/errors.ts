// Reads the Huawei SDK's exceptions and turns throttling and server faults into podreach's domain errors.
import { ServiceResponseException } from '@huaweicloud/huaweicloud-sdk-core/exception/ServiceResponseException.js';
import { ThrottlingError, TransientProviderError } from '../../domain/errors.js';

export interface HuaweiFailure {
  status?: number;
  code?: string;
  message: string;
}

/** The status and code of an SDK exception, or undefined for anything that is not one. */
export function huaweiFailure(error: unknown): HuaweiFailure | undefined {
  if (!(error instanceof ServiceResponseException)) {
    return undefined;
  }
  const status = typeof error.httpStatusCode === 'number' ? error.httpStatusCode : Number(error.httpStatusCode) || undefined;
  return { status, code: error.errorCode, message: error.errorMsg ?? error.message };
}

export function isNotFound(error: unknown): boolean {
  return huaweiFailure(error)?.status === 404;
}

export function hasCode(error: unknown, code: string): boolean {
  return huaweiFailure(error)?.code === code;
}

export function isThrottled(error: unknown): boolean {
  const failure = huaweiFailure(error);
  return failure?.status === 429 || failure?.code === 'APIGW.0308';
}

/** Throttling and 5xx become retryable domain errors; everything else is rethrown as it is. */
export function translateHuaweiError(error: unknown, action: string): never {
  const failure = huaweiFailure(error);
  if (failure) {
    if (isThrottled(error)) {
      throw new ThrottlingError(`${action}: throttled by Huawei Cloud (${failure.code ?? failure.status}): ${failure.message}`, failure.code ?? 'APIGW.0308');
    }
    if (failure.status !== undefined && failure.status >= 500) {
      throw new TransientProviderError(`${action}: Huawei Cloud ${failure.status} ${failure.code ?? ''}: ${failure.message}`.trim(), failure.code);
    }
  }
  throw error;
}
