// Resumes an execution waiting on a task token (the approval gate): SendTaskSuccess with the decision, or
// SendTaskFailure with ApprovalRejected (the state machine catches it by that name).
import { SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut, InvalidToken, type SFNClient } from '@aws-sdk/client-sfn';
import { APPROVAL_REJECTED_ERROR, InvalidInputError } from '../../domain/errors.js';

export interface TaskResumer {
  resume(taskToken: string, decision: { approved: boolean; by: string }): Promise<void>;
}

export class SfnTaskResumer implements TaskResumer {
  constructor(private readonly client: SFNClient) {}

  async resume(taskToken: string, decision: { approved: boolean; by: string }): Promise<void> {
    try {
      if (decision.approved) {
        await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(decision) }));
      } else {
        await this.client.send(new SendTaskFailureCommand({ taskToken, error: APPROVAL_REJECTED_ERROR, cause: `rejected by ${decision.by}` }));
      }
    } catch (error) {
      // the execution stopped waiting (timed out, or was stopped): the decision stands on the ledger, nothing resumes
      if (error instanceof TaskTimedOut || error instanceof InvalidToken) {
        throw new InvalidInputError('taskToken', `the execution no longer waits for this decision (${error.name}); it was recorded`);
      }
      throw error;
    }
  }
}
