// The CLI's JSON report of `run` / `plan` / `trigger` (CONTRACT.md) and its readable table.
import type { Artifact, Change, ChangeCounts, NetworkEntry } from '../domain/model.js';
import type { HeldEntry } from '../application/held-entries.js';
import { countChanges } from '../domain/planner/index.js';

export interface RunReport {
  clusterId: string;
  executionId: string;
  dryRun: boolean;
  changes: Change[];
  /** The outcomes (ChangeCounts), and `planned`: changes not applied yet (all of a `plan`'s, or a run's that stopped). */
  counts: ReportCounts;
  artifacts: { kind: string; name: string; flow: string; path: string }[];
  warnings: string[];
  /** Flows whose execution failed as a whole (e.g. planning failed), with the error. */
  errors?: { flow: string; error: string }[];
}

export type ReportCounts = ChangeCounts & { planned: number };

/** countChanges counts outcomes; a report also says how many changes are only planned (a `plan`'s, all of them). */
export function reportCounts(changes: readonly Change[]): ReportCounts {
  return { ...countChanges(changes), planned: changes.filter((change) => change.status === 'planned').length };
}

export function buildReport(input: {
  clusterId: string;
  executionId: string;
  dryRun: boolean;
  changes: Change[];
  artifacts: { artifact: Artifact; path: string }[];
  warnings: string[];
  errors: { flow: string; error: string }[];
}): RunReport {
  return {
    clusterId: input.clusterId,
    executionId: input.executionId,
    dryRun: input.dryRun,
    changes: input.changes,
    counts: reportCounts(input.changes),
    artifacts: input.artifacts.map(({ artifact, path }) => ({ kind: artifact.kind, name: artifact.name, flow: artifact.flow, path })),
    warnings: [...new Set(input.warnings)],
    ...(input.errors.length ? { errors: input.errors } : {}),
  };
}

/** The layout of every CLI table (run report, held entries, drift, diagnosis): aligned columns, the last one not padded. */
export function pad(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function valueOf(change: NetworkEntry): string {
  if (change.kind === 'vpn-selector') return `<-> ${change.peerCidr ?? ''}`;
  if (change.kind === 'sg-rule') return change.port ?? '';
  if (change.kind === 'cloud-connect-route') return `${change.nextHop ?? ''}${change.enabled === false ? ' (disabled)' : ''}`;
  return change.nextHop ? `-> ${change.nextHop}` : '';
}

export function renderTable(report: RunReport): string {
  const lines: string[] = [];
  lines.push(`cluster ${report.clusterId}  execution ${report.executionId}${report.dryRun ? '  (plan only: nothing applied)' : ''}`);
  if (report.changes.length === 0) lines.push('no changes');
  else {
    const rows = [['STATUS', 'ACTION', 'FLOW', 'KIND', 'TARGET', 'CIDR', 'VALUE', 'REASON']];
    for (const change of report.changes) {
      rows.push([change.status, change.action, change.flow, change.kind, change.target, change.cidr ?? '', valueOf(change), change.reason ?? '']);
    }
    lines.push(pad(rows));
  }
  const c = report.counts;
  lines.push('', `${c.planned > 0 ? `planned ${c.planned}, ` : ''}applied ${c.applied}, unchanged ${c.unchanged}, blocked ${c.blocked}, failed ${c.failed}${c.awaitingApproval ? `, awaiting approval ${c.awaitingApproval}` : ''}`);
  for (const artifact of report.artifacts) lines.push(`artifact ${artifact.kind} (${artifact.flow}): ${artifact.path}`);
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  for (const error of report.errors ?? []) lines.push(`error in ${error.flow}: ${error.error}`);
  return lines.join('\n');
}

/** What podreach holds in place for a cluster (`podreach state`): one row per entry, with who claims it. */
export function renderHeld(held: readonly HeldEntry[]): string {
  if (held.length === 0) return 'podreach holds nothing for this cluster';
  const rows = [['FLOW', 'KIND', 'TARGET', 'CIDR', 'VALUE', 'CLAIMED BY', 'SINCE']];
  for (const entry of held) {
    const value = valueOf(entry);
    rows.push([entry.flows.join(','), entry.kind, entry.target, entry.cidr ?? '', `${value}${entry.pending ? ` (${entry.pending}: settled by the next run)` : ''}`, entry.claims.join(', '), entry.since]);
  }
  return `${pad(rows)}\n\nholds ${held.length} entr${held.length === 1 ? 'y' : 'ies'} in place`;
}
