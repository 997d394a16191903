// The Lambda entry points of podreach: functions/handlers/<id>.ts, each exporting `handler`.
// Pure constants (no aws-cdk-lib) so the local flow runner can import them without loading CDK.
import { RETRYABLE_ERROR_NAMES } from '../functions/domain/errors.js';

export const HANDLER_IDS = ['ingest-event', 'plan-flow', 'load-page', 'apply-change', 'record-failure', 'notify', 'reconcile', 'approval', 'approval-callback', 'eks-lifecycle'] as const;
export type HandlerId = (typeof HANDLER_IDS)[number];

/** Errors a flow step retries with backoff; the names are the `name` of domain errors and of Lambda service faults. */
export const RETRYABLE_ERRORS = [
  ...RETRYABLE_ERROR_NAMES,
  'Lambda.TooManyRequestsException',
  'Lambda.ServiceException',
  'Lambda.SdkClientException',
] as const;

/** The error a flow execution ends with when its notification says the flow failed. */
export const FLOW_FAILED_ERROR = 'FlowFailed';

/** Tag on each flow state machine naming its flow, so a synthesized template can be read back per flow. */
export const FLOW_TAG = 'podreach:flow';

/** Environment variable naming the handler a function runs (also how a template maps a function to its handler). */
export const HANDLER_ENV = 'PODREACH_HANDLER';

/** State names of every flow state machine; the local runner overrides Tasks by these names. */
export const FLOW_STATES = {
  plan: 'Plan',
  /** Distributed Map over the plan's lanes (one per target); each lane a child execution. */
  applyLanes: 'ApplyLanes',
  loadPage: 'LoadPage',
  /** Inline Map over one page's change ids, in order. */
  applyPage: 'ApplyPage',
  applyChange: 'ApplyChange',
  recordFailure: 'RecordFailure',
  morePages: 'MorePages',
  nextPage: 'NextPage',
  laneDone: 'LaneDone',
  /** Choice: does the plan hold changes for approval? */
  needsApproval: 'NeedsApproval',
  /** Waits on a task token until a person approves or rejects (or the request times out). */
  awaitApproval: 'AwaitApproval',
  expireApproval: 'ExpireApproval',
  notify: 'Notify',
  outcome: 'FlowOutcome',
  failed: 'FlowFailed',
  /** Fail state Notify's Catch leads to; it carries Notify's error and cause (ErrorPath/CausePath). */
  notifyFailed: 'NotifyFailed',
  succeeded: 'FlowSucceeded',
} as const;
