// The CLI commands: parse flags, open the local runtime (or AWS clients), call one use case, print.
import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { planEvent, runEvent, runFlow } from '../application/run-event.js';
import type { ClusterEvent } from '../../events/schemas.js';
import type { Artifact, Change, ClusterFacts, Flow } from '../domain/model.js';
import type { ExecutionSummary } from '../ports/notifier.js';
import type { StateStore } from '../ports/state-store.js';
import { parseProfileText } from '../application/profile-text.js';
import { InvalidInputError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import type { ProviderRegistryOptions } from '../adapters/provider-registry.js';
import { openLocalRuntime, type LocalOptions, type LocalRuntime } from './local-runtime.js';
import { readTextFile } from './read-text-file.js';
import { buildReport, renderHeld, renderTable, type RunReport } from './report.js';
import { heldEntries } from '../application/held-entries.js';
import { checkEventRun, checkTrigger } from './run-checks.js';
import { existingStateDirectory } from './state-dir.js';
import { renderSandboxView, viewSandbox } from '../adapters/sandbox/sandbox-view.js';

export interface CommonFlags {
  profile?: string;
  state: string;
  provider?: string;
  sandbox?: string;
  credentials?: string;
  json?: boolean;
  /** Endpoint overrides for the cloud adapters and their preflight (tests); default from the environment. */
  endpoints?: ProviderRegistryOptions['endpoints'];
}

function localOptions(flags: CommonFlags, check?: LocalOptions['check']): LocalOptions {
  return {
    stateDir: flags.state,
    ...(flags.provider ? { provider: flags.provider } : {}),
    ...(flags.profile ? { profileFile: flags.profile } : {}),
    ...(flags.sandbox ? { sandboxFile: flags.sandbox } : {}),
    ...(flags.endpoints ? { endpoints: flags.endpoints } : {}),
    ...(check ? { check } : {}),
    ...(flags.credentials ? { credentialsFile: flags.credentials } : {}),
  };
}

/** The run's event is checked against the store (and the clouds preflighted) before anything is written. */
const eventCheck =
  (event: ClusterEvent, flags: CommonFlags): LocalOptions['check'] =>
  (store, inputs) =>
    checkEventRun(event, store, {
      ...(inputs.profile ? { profile: inputs.profile } : {}),
      ...(inputs.provider ? { provider: inputs.provider } : {}),
      ...(flags.endpoints ? { endpoints: flags.endpoints } : {}),
      ...(inputs.credentials ? { credentials: inputs.credentials } : {}),
    });

export function newRunId(now: Date): string {
  return `run-${now.toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

function print(report: RunReport, json: boolean | undefined): void {
  process.stdout.write(`${json ? JSON.stringify(report, null, 2) : renderTable(report)}\n`);
}

const progress = (json: boolean | undefined) => (message: string) => {
  if (!json && process.stderr.isTTY) process.stderr.write(`… ${message}\n`);
};

export function reportFromSummaries(runtime: LocalRuntime, clusterId: string, runId: string, summaries: ExecutionSummary[], warnings: string[]): RunReport {
  const changes: Change[] = summaries.flatMap((summary) => summary.changes);
  const artifacts = summaries.flatMap((summary) => {
    // a flow that completed says what its artifacts are now; one that failed may not have planned at all
    const paths = runtime.writeArtifacts(clusterId, summary.flow, summary.artifacts, { prune: summary.outcome === 'succeeded' });
    return summary.artifacts.map((artifact: Artifact, index) => ({ artifact, path: paths[index] ?? '' }));
  });
  const errors = summaries
    .filter((summary) => summary.outcome === 'failed')
    .map((summary) => ({ flow: summary.flow, error: summary.error ?? 'the flow did not complete: some changes were not applied (a re-run resumes them)' }));
  for (const summary of summaries) {
    const awaiting = summary.changes.filter((change) => change.status === 'awaiting-approval').length;
    if (awaiting > 0) warnings.push(`${awaiting} change(s) of the ${summary.flow} flow await approval: podreach approve ${summary.executionId} (or --reject)`);
  }
  return buildReport({ clusterId, executionId: runId, dryRun: false, changes, artifacts, warnings: [...warnings, ...summaries.flatMap((s) => s.warnings)], errors });
}

export function exitCodeOf(report: RunReport): number {
  return report.counts.failed > 0 || (report.errors?.length ?? 0) > 0 ? 1 : 0;
}

export async function runEventReport(runtime: LocalRuntime, event: ClusterEvent, json?: boolean): Promise<RunReport> {
  const runId = newRunId(runtime.deps.now());
  const { ingest, summaries } = await runEvent(event, { ...runtime.deps, runner: runtime.runner }, runId, progress(json));
  const warnings = [...ingest.warnings, ...(ingest.ignored ? [ingest.ignored] : []), ...(await runtime.notifyRun(runId))];
  return reportFromSummaries(runtime, ingest.clusterId, runId, summaries, warnings);
}

export async function runCommand(event: ClusterEvent, flags: CommonFlags): Promise<number> {
  const runtime = await openLocalRuntime(localOptions(flags, eventCheck(event, flags)));
  try {
    const report = await runEventReport(runtime, event, flags.json);
    print(report, flags.json);
    return exitCodeOf(report);
  } finally {
    await runtime.close();
  }
}

export async function planCommand(event: ClusterEvent, flags: CommonFlags): Promise<number> {
  const runtime = await openLocalRuntime(localOptions(flags, eventCheck(event, flags)));
  try {
    const { ingest, plans } = await planEvent(event, runtime.deps);
    const report = buildReport({
      clusterId: ingest.clusterId,
      executionId: newRunId(runtime.deps.now()),
      dryRun: true,
      changes: plans.flatMap((plan) => plan.changes),
      artifacts: plans.flatMap((plan) => {
        const paths = runtime.writeArtifacts(ingest.clusterId, plan.flow, plan.artifacts, { prune: false });
        return plan.artifacts.map((artifact, index) => ({ artifact, path: paths[index] ?? '' }));
      }),
      warnings: [...ingest.warnings, ...(ingest.ignored ? [ingest.ignored] : []), ...plans.flatMap((plan) => plan.warnings)],
      errors: [],
    });
    print(report, flags.json);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** The recorded clusters `--cluster` names (all of them without it); a cluster not recorded is refused, naming those that are. */
export async function selectClusters(store: StateStore, flags: { cluster?: string; state: string }): Promise<ClusterFacts[]> {
  const all = await store.listClusters();
  if (!flags.cluster) return all;
  const selected = all.filter((facts) => facts.clusterId === flags.cluster);
  if (selected.length === 0) {
    const recorded = all.map((facts) => facts.clusterId);
    throw new InvalidInputError('--cluster', `cluster ${flags.cluster} is not recorded in ${flags.state} (${recorded.length > 0 ? `recorded: ${recorded.join(', ')}` : 'no clusters are recorded'})`);
  }
  return selected;
}

export async function stateCommand(flags: { cluster?: string; state: string; json?: boolean; history?: boolean }): Promise<number> {
  // reading never creates a store: a mistyped directory is said to hold none
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state });
  try {
    const store = runtime.deps.store;
    const clusters = await selectClusters(store, flags);
    const out = [];
    for (const facts of clusters.sort((a, b) => a.clusterId.localeCompare(b.clusterId))) {
      const held = await heldEntries(store, facts.clusterId);
      const entries = flags.history
        ? (await store.listChanges(facts.clusterId)).sort((a, b) => a.flow.localeCompare(b.flow) || a.kind.localeCompare(b.kind) || a.target.localeCompare(b.target) || (a.cidr ?? '').localeCompare(b.cidr ?? ''))
        : undefined;
      out.push({ cluster: facts, held, ...(entries ? { entries } : {}) });
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ clusters: out }, null, 2)}\n`);
    else if (out.length === 0) process.stdout.write('no clusters recorded\n');
    else {
      for (const { cluster, held, entries } of out) {
        process.stdout.write(`cluster ${cluster.clusterId} (${cluster.provider} ${cluster.region}, ${cluster.networkModel})${cluster.deleted ? ' deleted' : ''}: pod CIDRs ${cluster.podCidrs.join(', ')}; ${Object.keys(cluster.nodes).length} node(s)\n`);
        process.stdout.write(`${renderHeld(held)}\n`);
        if (entries) {
          process.stdout.write('history (the change ledger):\n');
          const report = buildReport({ clusterId: cluster.clusterId, executionId: '-', dryRun: false, changes: entries, artifacts: [], warnings: [], errors: [] });
          process.stdout.write(`${renderTable(report).split('\n').slice(1).join('\n')}\n`);
        }
        process.stdout.write('\n');
      }
    }
    return 0;
  } finally {
    await runtime.close();
  }
}

export async function sandboxShowCommand(flags: { state: string; json?: boolean }): Promise<number> {
  // reading never creates a store: a mistyped directory is said to hold none
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state });
  try {
    const view = await viewSandbox(runtime.deps.store);
    process.stdout.write(`${flags.json ? JSON.stringify(view, null, 2) : renderSandboxView(view)}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

export async function triggerCommand(flow: Flow, flags: CommonFlags & { cluster: string; aws?: boolean; stateMachineArn?: string; requestId?: string }): Promise<number> {
  if (flags.aws) {
    const { triggerOnAws } = await import('./aws-commands.js');
    return triggerOnAws(flow, flags);
  }
  existingStateDirectory(flags.state);
  const check: LocalOptions['check'] = (store, inputs) =>
    checkTrigger(flags.cluster, flow, store, {
      stateDir: flags.state,
      ...(inputs.profile ? { profile: inputs.profile } : {}),
      ...(inputs.provider ? { provider: inputs.provider } : {}),
      ...(flags.endpoints ? { endpoints: flags.endpoints } : {}),
      ...(inputs.credentials ? { credentials: inputs.credentials } : {}),
    });
  const runtime = await openLocalRuntime(localOptions(flags, check));
  try {
    const runId = `manual-${newRunId(runtime.deps.now())}`;
    const summary = await runFlow(flags.cluster, flow, { runner: runtime.runner }, runId, progress(flags.json));
    const report = reportFromSummaries(runtime, flags.cluster, runId, [summary], await runtime.notifyRun(runId));
    print(report, flags.json);
    return exitCodeOf(report);
  } finally {
    await runtime.close();
  }
}

export async function emitCommand(event: ClusterEvent, flags: { bus: string; json?: boolean; region?: string; awsProfile?: string }): Promise<number> {
  const { emitToBus } = await import('./aws-commands.js');
  return emitToBus(event, flags);
}

export async function profilePutCommand(file: string, flags: { state: string; table?: string; region?: string; awsProfile?: string }): Promise<number> {
  const profile = parseProfileText(readTextFile(file, 'file', LIMITS.profileBytes), file);
  if (flags.table) {
    const { putProfileOnAws } = await import('./aws-commands.js');
    return putProfileOnAws(profile, flags.table, flags);
  }
  const runtime = await openLocalRuntime({ stateDir: flags.state });
  try {
    await runtime.deps.store.putProfile(profile);
    process.stdout.write(`stored profile ${profile.metadata.name} in ${runtime.stateDir}\n`);
    return 0;
  } finally {
    await runtime.close();
  }
}

/** `podreach approve EXECUTION [--reject]`: decides what an approval policy held; approved changes are applied now. */
export async function approveCommand(executionId: string, flags: { state: string; reject?: boolean; json?: boolean; provider?: string }): Promise<number> {
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state, ...(flags.provider ? { provider: flags.provider } : {}) });
  try {
    const { getApprovalRequest, decideApproval } = await import('../application/approval.js');
    const request = await getApprovalRequest(runtime.deps.store, executionId);
    if (!request) throw new InvalidInputError('execution', `no approval was requested by execution ${executionId} in ${runtime.stateDir} (the run that held changes names it)`);
    const by = `${userInfo().username} (podreach approve)`;
    const decided = await decideApproval({ executionId, approve: !flags.reject, by }, runtime.deps);
    const runId = `${flags.reject ? 'rejected' : 'approved'}-${newRunId(runtime.deps.now())}`;
    // approved: the flow runs again, and its plan lets the approved changes through; rejected: they stay blocked
    const summaries = flags.reject ? [] : [await runFlow(decided.clusterId, decided.flow, { runner: runtime.runner }, runId, progress(flags.json))];
    const warnings = [`${flags.reject ? 'rejected' : 'approved'} ${decided.decided} change(s) of ${executionId} (${decided.flow}, ${decided.clusterId})`];
    const report = flags.reject
      ? buildReport({ clusterId: decided.clusterId, executionId: runId, dryRun: false, changes: (await runtime.deps.store.listChanges(decided.clusterId)).filter((row) => decided.changeIds.includes(row.id)), artifacts: [], warnings, errors: [] })
      : reportFromSummaries(runtime, decided.clusterId, runId, summaries, [...warnings, ...(await runtime.notifyRun(runId))]);
    print(report, flags.json);
    return exitCodeOf(report);
  } finally {
    await runtime.close();
  }
}
