// StartExecution without waiting (the ingest Lambda). The execution name is the FlowInput's executionId, so a
// second start of the same input finds ExecutionAlreadyExists and starts nothing.
import { ExecutionAlreadyExists, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInputError } from '../../domain/errors.js';
import type { Flow } from '../../domain/model.js';
import { executionInputJson } from './sfn-runner.js';
import type { FlowInput, FlowStarter } from '../../ports/flow-runner.js';

export class SfnFlowStarter implements FlowStarter {
  constructor(private readonly options: { client: SFNClient; stateMachineArns: Partial<Record<Flow, string>> }) {}

  async start(input: FlowInput): Promise<{ executionId: string; started: boolean }> {
    const stateMachineArn = this.options.stateMachineArns[input.flow];
    if (!stateMachineArn) throw new InvalidInputError('flow', `no state machine is deployed for the ${input.flow} flow`);
    try {
      await this.options.client.send(
        new StartExecutionCommand({ stateMachineArn, name: input.executionId, input: executionInputJson(input) }),
      );
      return { executionId: input.executionId, started: true };
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) return { executionId: input.executionId, started: false };
      throw error;
    }
  }
}
