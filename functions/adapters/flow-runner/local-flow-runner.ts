// Runs a flow's synthesized state machine in-process on aws-local-stepfunctions, each Task resolved to the same
// handler code Lambda runs. Retry pauses are zero locally: the backoff exists for AWS's throttling, not a laptop's.
import './polyfills.js';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import type { Flow } from '../../domain/model.js';
import type { FlowInput, FlowRunner } from '../../ports/flow-runner.js';
import type { ExecutionSummary } from '../../ports/notifier.js';
import type { HandlerId } from '../../../infra/handler-ids.js';
import { FlowDefinitionError, forEachState, type LocalFlowDefinition } from './flow-definitions.js';
import { loadFlowDefinitions } from './generated-flow-definitions.js';

/** A Lambda handler as the local runner calls it: the Task's input in, the Task's result out. */
export type LocalHandler = (event: unknown) => Promise<unknown>;

export interface LocalFlowRunnerOptions {
  /** Handlers by id; a flow needs plan-flow, apply-change, record-failure and notify. */
  handlers: Partial<Record<HandlerId, LocalHandler>>;
  definitions: Record<Flow, LocalFlowDefinition>;
  /** The summary to return when an execution fails before Notify produced one. */
  summarize(input: FlowInput, error?: string): Promise<ExecutionSummary>;
}

type JsonValue = Parameters<StateMachine['run']>[0];
type TaskOverrides = Record<string, (input: JsonValue) => Promise<JsonValue>>;

function isExecutionSummary(value: unknown): value is ExecutionSummary {
  return (
    typeof value === 'object' &&
    value !== null &&
    'outcome' in value &&
    (value.outcome === 'succeeded' || value.outcome === 'failed') &&
    'clusterId' in value &&
    'flow' in value
  );
}

/** "FlowFailed: At least one change failed..." from the engine's wrapper around the state's error. */
function describeFailure(error: unknown): string {
  const cause = error instanceof ExecutionError && error.cause instanceof Error ? error.cause : error;
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export class LocalFlowRunner implements FlowRunner {
  private readonly stateMachines = new Map<Flow, StateMachine>();

  constructor(private readonly options: LocalFlowRunnerOptions) {}

  /** A runner on the definitions infra/ synthesizes (generated at build time; see generated-flow-definitions.ts). */
  static async fromInfra(options: Omit<LocalFlowRunnerOptions, 'definitions'>): Promise<LocalFlowRunner> {
    const definitions = await loadFlowDefinitions();
    return new LocalFlowRunner({ handlers: options.handlers, summarize: options.summarize, definitions });
  }

  async run(input: FlowInput, onProgress?: (message: string) => void): Promise<ExecutionSummary> {
    const flowDefinition = this.options.definitions[input.flow];
    const stateMachine = this.stateMachineFor(input.flow, flowDefinition);

    let notifySummary: unknown;
    const taskResourceLocalHandlers: TaskOverrides = {};
    for (const [stateName, handlerId] of Object.entries(flowDefinition.taskHandlers)) {
      const handler = this.options.handlers[handlerId];
      if (!handler) {
        throw new FlowDefinitionError(`Task ${stateName} of the ${input.flow} flow needs the ${handlerId} handler, which was not given.`);
      }
      const payloadTask = flowDefinition.payloadTasks?.includes(stateName) ?? false;
      taskResourceLocalHandlers[stateName] = async (taskInput) => {
        const output = await handler(payloadTask ? (taskInput as { Payload?: JsonValue }).Payload : taskInput);
        // A failed flow ends in a Fail state, whose error replaces the output: keep Notify's summary to return it.
        if (handlerId === 'notify') notifySummary = output;
        return output as JsonValue;
      };
    }
    const retryIntervalOverrides: Record<string, number> = {};
    forEachState(flowDefinition.definition, (name, state) => {
      if (state.Retry) retryIntervalOverrides[name] = 0;
    });

    const execution = stateMachine.run(input as unknown as JsonValue, {
      overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
      // a task token for the approval gate's task: locally the run stops there and `podreach approve` continues it
      context: { Task: { Token: `local:${input.executionId}` } } as never,
    });
    const watched = this.watch(execution, onProgress);

    try {
      const output = await execution.result;
      await watched.done;
      if (watched.overLimit) return this.options.summarize(input, watched.overLimit);
      if (isExecutionSummary(output)) return output.truncated ? this.options.summarize(input, output.error) : output;
      return this.options.summarize(input, `The ${input.flow} flow ended without an execution summary.`);
    } catch (error) {
      await watched.done;
      if (watched.overLimit) return this.options.summarize(input, watched.overLimit);
      if (isExecutionSummary(notifySummary) && notifySummary.outcome === 'failed') {
        return notifySummary.truncated ? this.options.summarize(input, notifySummary.error ?? describeFailure(error)) : notifySummary;
      }
      return this.options.summarize(input, describeFailure(error));
    }
  }

  private stateMachineFor(flow: Flow, flowDefinition: LocalFlowDefinition): StateMachine {
    let stateMachine = this.stateMachines.get(flow);
    if (!stateMachine) {
      // Validating costs about a second per definition; these come from CDK synthesis, and
      // test/integration/local-state-machine.test.ts validates every one of them with this engine.
      // The engine writes defaults (QueryLanguage) into the definition it is given: hand it a copy.
      // A JSON copy, not structuredClone: the engine recognises template objects by their prototype, and under Jest's
      // VM modules structuredClone returns objects of another realm, whose nested payload templates it then skips.
      const definition = JSON.parse(JSON.stringify(flowDefinition.definition)) as LocalFlowDefinition['definition'];
      // The engine evaluates TimeoutSecondsPath against the task's Parameters output, not the state input as Step
      // Functions does (the path then finds nothing and the task fails before its handler's outcome is seen). Locally
      // the only such task is the approval gate's, which stops the run at once: its timeout does not matter here.
      forEachState(definition, (name, state) => {
        if (state.Type === 'Task' && flowDefinition.payloadTasks?.includes(name) && state['TimeoutSecondsPath'] !== undefined) {
          delete state['TimeoutSecondsPath'];
          state['TimeoutSeconds'] = 60;
        }
      });
      stateMachine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0], {
        validationOptions: { noValidate: true },
      });
      this.stateMachines.set(flow, stateMachine);
    }
    return stateMachine;
  }

  /**
   * Follows the execution's events: progress for the caller, and Step Functions' payload limit, which the local
   * engine does not enforce — a state whose input or output passes 256 KiB aborts the execution as
   * States.DataLimitExceeded would in AWS, so tests see what AWS would refuse.
   */
  private watch(execution: ReturnType<StateMachine['run']>, onProgress?: (message: string) => void): { done: Promise<void>; overLimit?: string } {
    const watched: { done: Promise<void>; overLimit?: string } = { done: Promise.resolve() };
    const check = (what: string, value: unknown) => {
      if (watched.overLimit || value === undefined) return;
      const bytes = Buffer.byteLength(JSON.stringify(value));
      if (bytes <= PAYLOAD_LIMIT_BYTES) return;
      watched.overLimit = `States.DataLimitExceeded: ${what} is ${bytes} bytes, over Step Functions' limit of ${PAYLOAD_LIMIT_BYTES}`;
      execution.abort();
    };
    watched.done = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'ExecutionStarted') check('the execution input', event.input);
        if (event.type === 'StateEntered' || event.type === 'StateExited') {
          check(`the ${event.type === 'StateEntered' ? 'input' : 'output'} of state ${event.state.name}`, event.type === 'StateEntered' ? event.state.input : event.state.output);
        }
        if (event.type === 'StateEntered' && onProgress) {
          onProgress(event.index === undefined ? event.state.name : `${event.state.name} #${event.index + 1}`);
        }
      }
    })();
    return watched;
  }
}

/** Step Functions' limit on a state's input or output, and on an execution's input (256 KiB). */
export const PAYLOAD_LIMIT_BYTES = 256 * 1024;
