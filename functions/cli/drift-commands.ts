// `podreach drift` (what podreach keeps in place that someone removed or changed by hand; read-only) and
// `podreach reconcile` (every flow of every known cluster again, as the scheduled reconcile does in AWS: drift is put
// back, or only reported, per the profile's drift policy; one notification per cluster).
import { flowsForCluster } from '../application/ingest-event.js';
import { planClusterFlow } from '../application/plan-flow.js';
import { runFlow } from '../application/run-event.js';
import type { ClusterFacts, DriftedEntry, Flow } from '../domain/model.js';
import { exitCodeOf, newRunId, reportFromSummaries, selectClusters } from './commands.js';
import { openLocalRuntime, type LocalRuntime } from './local-runtime.js';
import { pad, renderTable, valueOf, type RunReport } from './report.js';
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

/** Opens the existing state and calls `each` with every cluster --cluster selects and the flows it has, in turn. */
async function eachClusterFlows<T>(flags: DriftFlags, each: (runtime: LocalRuntime, facts: ClusterFacts, flows: Flow[]) => Promise<T>, finish: (results: T[]) => number): Promise<number> {
  existingStateDirectory(flags.state);
  const runtime = await openLocalRuntime({ stateDir: flags.state, ...(flags.provider ? { provider: flags.provider } : {}) });
  try {
    const results: T[] = [];
    for (const facts of await selectClusters(runtime.deps.store, flags)) {
      results.push(await each(runtime, facts, (await flowsForCluster(facts, runtime.deps.store)).flows));
    }
    return finish(results);
  } finally {
    await runtime.close();
  }
}

/** Exit 0: nothing drifted; 1: something did (listed); 2: bad input. */
export function driftCommand(flags: DriftFlags): Promise<number> {
  return eachClusterFlows(
    flags,
    async (runtime, facts, flows) => {
      const drifted: ClusterDrift[] = [];
      for (const flow of flows) {
        const plan = await planClusterFlow({ clusterId: facts.clusterId, flow }, runtime.deps);
        for (const entry of plan.drift ?? []) drifted.push({ ...entry, clusterId: facts.clusterId, flow });
      }
      return drifted;
    },
    (perCluster) => {
      const drifted = perCluster.flat();
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
    },
  );
}

/** Every flow of every known cluster, one notification per cluster. Exit 1 when a change or flow failed. */
export function reconcileCommand(flags: DriftFlags): Promise<number> {
  return eachClusterFlows(
    flags,
    async (runtime, facts, flows) => {
      const runId = `reconcile-${newRunId(runtime.deps.now())}`;
      const summaries = [];
      for (const flow of flows) summaries.push(await runFlow(facts.clusterId, flow, { runner: runtime.runner }, runId));
      return reportFromSummaries(runtime, facts.clusterId, runId, summaries, await runtime.notifyRun(runId));
    },
    (reports: RunReport[]) => {
      if (flags.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
      else if (reports.length === 0) process.stdout.write('no clusters recorded\n');
      else process.stdout.write(`${reports.map((report) => renderTable(report)).join('\n\n')}\n`);
      return Math.max(0, ...reports.map(exitCodeOf));
    },
  );
}
