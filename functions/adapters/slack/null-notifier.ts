import type { ExecutionSummary, Notifier } from '../../ports/notifier.js';

/** Used when no webhook is configured: notifications are dropped on purpose. */
export class NullNotifier implements Notifier {
  async notify(_summary: ExecutionSummary): Promise<void> {
    return undefined;
  }
}
