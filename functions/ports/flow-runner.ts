import type { Flow } from '../domain/model.js';
import type { ExecutionSummary } from './notifier.js';

/** Input of every flow state machine (from an event, or a manual trigger). */
export interface FlowInput {
  clusterId: string;
  flow: Flow;
  executionId: string;
  dryRun?: boolean;
}

/** Runs a flow's state machine to its end (locally in-process, or on AWS Step Functions). */
export interface FlowRunner {
  run(input: FlowInput, onProgress?: (message: string) => void): Promise<ExecutionSummary>;
}

/** Starts a flow and returns at once (the EventBridge entry point in AWS: StartExecution). */
export interface FlowStarter {
  start(input: FlowInput): Promise<{ executionId: string; started: boolean }>;
}
