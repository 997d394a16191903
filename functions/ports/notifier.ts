import type { Artifact, Change, ChangeCounts, DriftedEntry, Flow } from '../domain/model.js';

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
  /** Entries podreach keeps in place that someone removed or changed (repaired or reported, per the profile). */
  drift?: DriftedEntry[];
  error?: string;
  /** Set on a state machine's output when the summary was too large for it: changes and artifact contents left out. */
  truncated?: boolean;
}

export interface Notifier {
  notify(summary: ExecutionSummary): Promise<void>;
}

/** A request for a person's approval of changes an approval policy held (one per flow execution). */
export interface ApprovalNotice {
  clusterId: string;
  flow: Flow;
  executionId: string;
  changes: Change[];
  /** How a person answers: buttons on an interactive endpoint (AWS), or the command to run (locally). */
  answer: { kind: 'buttons' } | { kind: 'command'; approve: string; reject: string };
}

/** Notifiers that can ask for approval (Slack with Approve / Reject buttons). */
export interface ApprovalNotifier {
  requestApproval(notice: ApprovalNotice): Promise<void>;
}
