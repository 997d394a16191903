import type { Artifact, Change, ChangeCounts, Flow } from '../domain/model.js';

/** What one flow execution did: the unit of one notification (never one per change). */
export interface ExecutionSummary {
  clusterId: string;
  flow: Flow;
  /** Set when one execution covered several flows (a local `podreach run`): every flow, in order. */
  flows?: Flow[];
  executionId: string;
  outcome: 'succeeded' | 'failed';
  changes: Change[];
  counts: ChangeCounts;
  artifacts: Artifact[];
  warnings: string[];
  error?: string;
  /** Set on a state machine's output when the summary was too large for it: changes and artifact contents left out. */
  truncated?: boolean;
}

export interface Notifier {
  notify(summary: ExecutionSummary): Promise<void>;
}
