// Which planned changes wait for a person (a profile's `approval` policy), and what a decision does to them. Pure:
// the plan step asks, the ledger keeps the decisions (docs/approval.md).
import { parseCidr } from './cidr.js';
import type { ApprovalDecision, Change, LedgerEntry } from './model.js';
import { targetKey, targetRef } from './planner/identity.js';
import type { TargetRef } from './planner/types.js';
import type { ProfileSpec } from './profile.js';

export type ApprovalPolicy = NonNullable<ProfileSpec['approval']>;

const SOURCE_KINDS = new Set(['sg-rule', 'whitelist-entry']);

/**
 * Why each planned change needs a person's approval (change id -> the reasons, joined), under `policy`.
 * `tableSize` is how many entries a target holds now (for maxTablePercent).
 */
export function approvalReasons(changes: readonly Change[], policy: ApprovalPolicy | undefined, tableSize: (ref: TargetRef) => number): Map<string, string> {
  const reasons = new Map<string, string[]>();
  if (!policy) return new Map();
  const planned = changes.filter((change) => change.status === 'planned');
  const add = (change: Change, reason: string) => {
    const list = reasons.get(change.id);
    if (list) list.push(reason);
    else reasons.set(change.id, [reason]);
  };
  for (const change of planned) {
    if (policy.deletes && change.action === 'delete') add(change, 'a delete');
    if (policy.enableConflicting && change.overlaps !== undefined && change.enabled === true) add(change, `enables a route overlapping ${change.overlaps}`);
    if (policy.sourcesWiderThan !== undefined && SOURCE_KINDS.has(change.kind) && change.action !== 'delete' && change.cidr !== undefined) {
      const prefix = parseCidr(change.cidr)?.prefix;
      if (prefix !== undefined && prefix < policy.sourcesWiderThan) add(change, `a source wider than /${policy.sourcesWiderThan} (${change.cidr})`);
    }
  }
  if (policy.maxChanges !== undefined && planned.length > policy.maxChanges) {
    for (const change of planned) add(change, `the plan has ${planned.length} changes, more than ${policy.maxChanges}`);
  }
  if (policy.maxTablePercent !== undefined) {
    const byTarget = new Map<string, Change[]>();
    for (const change of planned) {
      const key = targetKey(change);
      const list = byTarget.get(key);
      if (list) list.push(change);
      else byTarget.set(key, [change]);
    }
    for (const list of byTarget.values()) {
      const first = list[0]!;
      const size = tableSize(targetRef(first));
      const percent = (list.length / Math.max(1, size)) * 100;
      if (percent > policy.maxTablePercent) {
        for (const change of list) add(change, `${list.length} changes to ${first.target}, ${Math.round(percent)}% of its ${size} entries (more than ${policy.maxTablePercent}%)`);
      }
    }
  }
  return new Map([...reasons].map(([id, list]) => [id, [...new Set(list)].join('; ')]));
}

/** The fields a decision is about: it stays valid while the change is planned the same way. */
function decisionKey(change: Pick<Change, 'action' | 'nextHop' | 'enabled'>): string {
  return JSON.stringify([change.action, change.nextHop ?? null, change.enabled ?? null]);
}

/** A previous row's decision, if it still applies to the change as planned now. */
export function standingDecision(previous: LedgerEntry | undefined, change: Change): ApprovalDecision | undefined {
  if (!previous?.decision) return undefined;
  return decisionKey(previous) === decisionKey(change) ? previous.decision : undefined;
}

const AWAITING = 'awaiting approval: ';

/** The reason a decision writes on a held change: who decided, when, and (rejected) why it was held. */
export function decidedReason(decision: Pick<ApprovalDecision, 'approved' | 'by' | 'at'>, why: string): string {
  return decision.approved ? `approved by ${decision.by} at ${decision.at}` : `rejected by ${decision.by} at ${decision.at} (${why})`;
}

/** Why a change awaiting approval was held, from its reason. */
export function heldWhy(reason: string | undefined): string {
  const text = reason ?? '';
  return text.startsWith(AWAITING) ? text.slice(AWAITING.length) : text;
}

/** What a held change becomes: planned when approved, blocked when rejected, else awaiting approval. */
export function heldChange(change: Change, why: string, decision: ApprovalDecision | undefined): Change {
  if (decision?.approved) return change;
  if (decision) return { ...change, status: 'blocked', reason: decidedReason(decision, why) };
  return { ...change, status: 'awaiting-approval', reason: `${AWAITING}${why}` };
}
