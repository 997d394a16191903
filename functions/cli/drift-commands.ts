// `podreach drift` (what podreach keeps in place that someone removed or changed by hand; read-only) and
// `podreach reconcile` (every flow of every known cluster again, as the scheduled reconcile does in AWS: drift is put
// back, or only reported, per the profile's drift policy; one notification per cluster).
import { flowsForCluster } from '../application/ingest-event.js';
import { planClusterFlow } from '../application/plan-flow.js';
import { runFlow } from '../application/run-event.js';
import type { DriftedEntry, Flow } from '../domain/model.js';
import { exitCodeOf, newRunId, reportFromSummaries } from './commands.js';
import { openLocalRuntime } from './local-runtime.js';
import { renderTable, valueOf, type RunReport } from './report.js';
import { existingStateDirectory } from './state-dir.js';

interface DriftFlags {
  cluster?: string;
  state: string;
  json?: boolean;
  provider?: string;
}

interface ClusterDrift extends DriftedEntry {
  clusterId: string;
  flow: Flow;
}

function pad(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** Exit 0: nothing drifted; 1: something did (listed); 2: bad input. */
export async function driftCommand(flags: DriftFlags): Promise<number> {
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state, ...(flags.provider ? { provider: flags.provider } : {}) });
  try {
    const drifted: ClusterDrift[] = [];
    const clusters = (await runtime.deps.store.listClusters()).filter((facts) => !flags.cluster || facts.clusterId === flags.cluster);
    for (const facts of clusters) {
      for (const flow of (await flowsForCluster(facts, runtime.deps.store)).flows) {
        const plan = await planClusterFlow({ clusterId: facts.clusterId, flow }, runtime.deps);
        for (const entry of plan.drift ?? []) drifted.push({ ...entry, clusterId: facts.clusterId, flow });
      }
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ drift: drifted }, null, 2)}\n`);
    else if (drifted.length === 0) process.stdout.write('no drift: everything podreach keeps in place is as it set it\n');
    else {
      const rows = [['CLUSTER', 'FLOW', 'KIND', 'TARGET', 'CIDR', 'PODREACH SET', 'NOW']];
      for (const entry of drifted) {
        rows.push([entry.clusterId, entry.flow, entry.kind, entry.target, entry.cidr ?? '', valueOf(entry), entry.drift === 'removed' ? 'removed' : `changed${entry.found ? ` to ${entry.found}` : ''}`]);
      }
      process.stdout.write(`${pad(rows)}\n\n${drifted.length} entr${drifted.length === 1 ? 'y' : 'ies'} drifted: the next reconcile (podreach reconcile) repairs them, or only reports them where the profile's drift policy is report\n`);
    }
    return drifted.length > 0 ? 1 : 0;
  } finally {
    await runtime.close();
  }
}

/** Every flow of every known cluster, one notification per cluster. Exit 1 when a change or flow failed. */
export async function reconcileCommand(flags: DriftFlags): Promise<number> {
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state, ...(flags.provider ? { provider: flags.provider } : {}) });
  try {
    const reports: RunReport[] = [];
    const clusters = (await runtime.deps.store.listClusters()).filter((facts) => !flags.cluster || facts.clusterId === flags.cluster);
    for (const facts of clusters) {
      const runId = `reconcile-${newRunId(runtime.deps.now())}`;
      const summaries = [];
      for (const flow of (await flowsForCluster(facts, runtime.deps.store)).flows) summaries.push(await runFlow(facts.clusterId, flow, { runner: runtime.runner }, runId));
      reports.push(reportFromSummaries(runtime, facts.clusterId, runId, summaries, await runtime.notifyRun(runId)));
    }
    if (flags.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
    else if (reports.length === 0) process.stdout.write('no clusters recorded\n');
    else process.stdout.write(`${reports.map((report) => renderTable(report)).join('\n\n')}\n`);
    return Math.max(0, ...reports.map(exitCodeOf));
  } finally {
    await runtime.close();
  }
}
