import { PodreachError } from '../../domain/errors.js';

/** Slack did not take a notification. The message never contains the webhook URL (it is a credential). */
export class NotificationError extends PodreachError {
  override name = 'NotificationError';
  constructor(
    message: string,
    /** HTTP status Slack answered with; undefined when no answer came (network, timeout). */
    readonly statusCode?: number,
  ) {
    super(message);
  }
}
