// The FlowRunner on AWS Step Functions (`podreach trigger --aws`): StartExecution under a name derived from the
// input (a double start is one execution), progress from the execution history until the execution ends, and
// the ExecutionSummary from its output — or, for a failed execution, from the Notify state's output.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  paginateGetExecutionHistory,
  type DescribeExecutionCommandOutput,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { InvalidInputError, NotFoundError, PodreachError } from '../../domain/errors.js';
import type { Flow } from '../../domain/model.js';
import type { FlowInput, FlowRunner } from '../../ports/flow-runner.js';
import type { ExecutionSummary } from '../../ports/notifier.js';
import { findSummary } from './summary-schema.js';

/** A Step Functions execution ended in a way podreach cannot read a summary from. */
export class StepFunctionsError extends PodreachError {
  override name = 'StepFunctionsError';
}

export interface SfnFlowRunnerOptions {
  client: SFNClient;
  stateMachineArns: Partial<Record<Flow, string>>;
  /** Delay between two polls of DescribeExecution / GetExecutionHistory. Default 2000 ms. */
  pollMs?: number;
}

const NAME_MAX = 80;
const HASH_CHARS = 16;
/** The state whose output is the summary when the execution itself failed (the flow's last task). */
const NOTIFY_STATE = /notify/i;

/** The execution input as JSON with a fixed key order: the same FlowInput always gives the same bytes. */
export function executionInputJson(input: FlowInput): string {
  return JSON.stringify({
    clusterId: input.clusterId,
    flow: input.flow,
    executionId: input.executionId,
    ...(input.dryRun === undefined ? {} : { dryRun: input.dryRun }),
  });
}

/**
 * `<cluster>-<flow>-<hash of the input>`: at most 80 characters of [A-Za-z0-9-_] (Step Functions' rule), the
 * same for the same input, so that a second StartExecution of that input finds the first execution.
 */
export function executionName(input: FlowInput): string {
  const digest = createHash('sha256').update(executionInputJson(input)).digest('hex').slice(0, HASH_CHARS);
  const suffix = `-${input.flow}-${digest}`;
  const cluster = input.clusterId.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, NAME_MAX - suffix.length);
  return `${cluster}${suffix}`;
}

/** arn:...:stateMachine:NAME + execution name -> arn:...:execution:NAME:EXECUTION (the documented ARN shape). */
export function executionArnFor(stateMachineArn: string, name: string): string {
  const marker = ':stateMachine:';
  const at = stateMachineArn.indexOf(marker);
  if (at < 0) throw new InvalidInputError('stateMachineArn', `not a state machine ARN: ${stateMachineArn}`);
  return `${stateMachineArn.slice(0, at)}:execution:${stateMachineArn.slice(at + marker.length)}:${name}`;
}

export class SfnFlowRunner implements FlowRunner {
  readonly #client: SFNClient;
  readonly #arns: Partial<Record<Flow, string>>;
  readonly #pollMs: number;

  constructor(options: SfnFlowRunnerOptions) {
    this.#client = options.client;
    this.#arns = options.stateMachineArns;
    this.#pollMs = options.pollMs ?? 2000;
  }

  async run(input: FlowInput, onProgress: (message: string) => void = () => undefined): Promise<ExecutionSummary> {
    const stateMachineArn = this.#arns[input.flow];
    if (!stateMachineArn) throw new InvalidInputError('flow', `no state machine is configured for the ${input.flow} flow`);
    const name = executionName(input);
    const executionArn = await this.#start(stateMachineArn, name, input, onProgress);

    let lastEventId = 0;
    for (;;) {
      // Describe before reading the history: when it says the execution ended, the history read after it is complete.
      const description = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
      const events = await this.#history(executionArn);
      for (const event of events) {
        if (event.id === undefined || event.id <= lastEventId) continue;
        lastEventId = event.id;
        const state = event.stateEnteredEventDetails?.name;
        if (state && event.type?.endsWith('StateEntered')) onProgress(`entered ${state}`);
      }
      if (description.status !== 'RUNNING' && description.status !== 'PENDING_REDRIVE') {
        onProgress(`execution ${name} ${String(description.status).toLowerCase()}`);
        return this.#summary(input, description, events);
      }
      await sleep(this.#pollMs);
    }
  }

  async #start(stateMachineArn: string, name: string, input: FlowInput, onProgress: (message: string) => void): Promise<string> {
    try {
      const started = await this.#client.send(new StartExecutionCommand({ stateMachineArn, name, input: executionInputJson(input) }));
      if (!started.executionArn) throw new StepFunctionsError(`StartExecution of ${name} returned no execution ARN`);
      onProgress(`started execution ${name}`);
      return started.executionArn;
    } catch (error) {
      if (error instanceof ExecutionAlreadyExists) {
        // Same name = same input (the name hashes it): this start is the one already made; follow it.
        const executionArn = executionArnFor(stateMachineArn, name);
        onProgress(`execution ${name} already exists; following it`);
        return executionArn;
      }
      if (error instanceof StateMachineDoesNotExist) {
        throw new NotFoundError(`the state machine of the ${input.flow} flow does not exist: ${stateMachineArn}`);
      }
      throw error;
    }
  }

  async #history(executionArn: string): Promise<HistoryEvent[]> {
    const events: HistoryEvent[] = [];
    for await (const page of paginateGetExecutionHistory({ client: this.#client }, { executionArn, includeExecutionData: true })) {
      events.push(...(page.events ?? []));
    }
    return events;
  }

  #summary(input: FlowInput, description: DescribeExecutionCommandOutput, events: HistoryEvent[]): ExecutionSummary {
    const notifyOutput = [...events]
      .reverse()
      .find((event) => event.type?.endsWith('StateExited') && NOTIFY_STATE.test(event.stateExitedEventDetails?.name ?? ''))
      ?.stateExitedEventDetails?.output;

    if (description.status === 'SUCCEEDED') {
      const summary = findSummary(description.output) ?? findSummary(notifyOutput);
      if (!summary) throw new StepFunctionsError(`execution ${description.name ?? ''} succeeded but its output holds no execution summary`);
      return summary;
    }

    const error = [description.error ?? description.status, description.cause].filter(Boolean).join(': ');
    const fromNotify = findSummary(notifyOutput);
    if (fromNotify) return { ...fromNotify, outcome: 'failed', error: fromNotify.error ?? error };
    return {
      clusterId: input.clusterId,
      flow: input.flow,
      executionId: input.executionId,
      outcome: 'failed',
      changes: [],
      counts: { applied: 0, unchanged: 0, blocked: 0, failed: 0 },
      artifacts: [],
      warnings: [],
      error,
    };
  }
}
