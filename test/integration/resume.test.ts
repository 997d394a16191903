// Resuming after an interruption: a change left 'applying' by a dead execution is taken over; an entry a failed
// task did create stays podreach's; a concurrent execution's summary reports what the other one applied.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEventJson } from '../../events/parse.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { applyChange } from '../../functions/application/apply-change.js';
import { planAndRecord } from '../../functions/application/plan-flow.js';
import { summarizeExecution } from '../../functions/application/summarize.js';
import { runFlow } from '../../functions/application/run-event.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';

const sample = (name: string) => parseClusterEventJson(readFileSync(join('events/samples', name), 'utf8'), name);
const context = { clusterId: 'cls-demo', changeId: 'chg-test' };

describe('Integration: resume and concurrency (dynalite + local state machines + sandbox)', () => {
  let dir: string;
  let runtime: LocalRuntime;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-resume-'));
    runtime = await openLocalRuntime({ stateDir: dir, profileFile: 'examples/profiles/demo.yaml', sandboxFile: 'examples/sandbox/demo.yaml' });
    await runEventReport(runtime, sample('cluster-created.json'), true);
  });
  afterEach(async () => {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function vpnRoute() {
    const rows = await runtime.deps.store.listChanges('cls-demo');
    const row = rows.find((r) => r.flow === 'vpn' && r.kind === 'route' && r.cidr === '10.20.0.0/16');
    if (!row) throw new Error('no vpn route row');
    return row;
  }

  it('takes over a change a dead execution left applying, and applies it', async () => {
    // Prepare: the route is gone from the account and its row says another (dead) execution is applying it
    const row = await vpnRoute();
    await new SandboxProvider({ store: runtime.deps.store }).deleteEntry(row, context);
    await runtime.deps.store.putChange({ ...row, status: 'applying', executionId: 'run-killed-vpn', attempts: 1 });

    // Act
    const summary = await runFlow('cls-demo', 'vpn', { runner: runtime.runner }, 'manual-resume');

    // Assess
    expect(summary.outcome).toBe('succeeded');
    expect(summary.changes.find((c) => c.id === row.id)).toMatchObject({ action: 'create', status: 'applied' });
    const entries = await runtime.deps.providers.get('sandbox', '').listEntries('route', 'rtb-main');
    expect(entries.filter((e) => e.cidr === '10.20.0.0/16')).toHaveLength(1);
  });

  it('keeps as podreach’s an entry whose create task failed after the provider had created it', async () => {
    // Prepare: the route exists (created), but the task then failed: the row says failed, not owned
    const row = await vpnRoute();
    await runtime.deps.store.putChange({ ...row, action: 'create', status: 'failed', owned: false, attempts: 1, error: 'Lambda timed out' });

    // Act: a re-run plans it unchanged; then the CIDR change and cluster deletion must still remove it
    const rerun = await runFlow('cls-demo', 'vpn', { runner: runtime.runner }, 'manual-rerun');
    const owned = (await vpnRoute()).owned;
    const deleted = await runEventReport(runtime, sample('cluster-deleted.json'), true);

    // Assess
    expect(rerun.changes.find((c) => c.id === row.id)?.status).toBe('unchanged');
    expect(owned).toBe(true);
    expect(deleted.changes.find((c) => c.id === row.id)).toMatchObject({ action: 'delete', status: 'applied' });
  });

  it('reports, in a concurrent execution of the same flow, what the other execution applied', async () => {
    // Prepare: both executions plan the CIDR change; A applies everything
    await runEventReport(runtime, sample('node-added.json'), true);
    await runtime.deps.store.putCluster(
      { ...(await runtime.deps.store.getCluster('cls-demo'))!.facts, podCidrs: ['172.16.0.0/16', '172.18.0.0/16'] },
      (await runtime.deps.store.getCluster('cls-demo'))!.version,
    );
    const a = await planAndRecord({ clusterId: 'cls-demo', flow: 'vpn', executionId: 'ex-a' }, runtime.deps);
    const b = await planAndRecord({ clusterId: 'cls-demo', flow: 'vpn', executionId: 'ex-b' }, runtime.deps);
    for (const changeId of a.changeIds) await applyChange({ clusterId: 'cls-demo', executionId: 'ex-a', changeId }, runtime.deps);

    // Act: B's apply steps find everything done; then B's summary
    for (const changeId of b.changeIds) await applyChange({ clusterId: 'cls-demo', executionId: 'ex-b', changeId }, runtime.deps);
    const summary = await summarizeExecution({ clusterId: 'cls-demo', flow: 'vpn', executionId: 'ex-b' }, runtime.deps);

    // Assess
    expect(b.changeIds.length).toBeGreaterThan(0);
    expect(summary.outcome).toBe('succeeded');
    expect(summary.changes.filter((c) => c.status === 'planned')).toEqual([]);
  });

  it('removes the artifacts a flow no longer produces: none are left after the cluster is deleted', async () => {
    // Prepare: cluster-created (beforeEach) wrote the static-routes artifact of the static DX gateway, and the TKE
    // tickets that open the container network on each gateway
    const folder = join(dir, 'artifacts', 'cls-demo', 'direct-connect');
    expect(readdirSync(folder)).toEqual(['idc-static-routes-dcg-static.yaml', 'tke-dx-ticket-dcg-bgp.yaml', 'tke-dx-ticket-dcg-static.yaml']);
    expect((await runtime.deps.store.listArtifacts('cls-demo')).map((a) => a.name)).toContain('idc-static-routes-dcg-static.yaml');

    // Act
    const report = await runEventReport(runtime, sample('cluster-deleted.json'), true);

    // Assess
    expect(report.artifacts).toEqual([]);
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    expect(await runtime.deps.store.listArtifacts('cls-demo')).toEqual([]);
  });
});
