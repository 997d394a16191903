// Diagnose on each cloud's adapter (its official SDK against its contract server), compared with the sandbox: the
// seed scenarios' clusters are known (their events ran under the profile's skeleton), their whole profiles stored,
// and diagnose runs before and after the configured flows. Every hop has the same verdict as on the sandbox except the differences a cloud has for a real reason, and
// no diagnosis makes a single mutating call on the server.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEventJson } from '../../../events/parse.js';
import { diagnose } from '../../../functions/application/diagnose.js';
import { parseProfileText } from '../../../functions/application/profile-text.js';
import { runFlow } from '../../../functions/application/run-event.js';
import { runEventReport } from '../../../functions/cli/commands.js';
import { openLocalRuntime } from '../../../functions/cli/local-runtime.js';
import type { Diagnosis } from '../../../functions/domain/diagnose/index.js';
import { configuredFlows } from '../../../functions/domain/planner/index.js';
import { profileSpecSchema } from '../../../functions/domain/profile.js';
import { ungranted } from '../../support/policy-coverage.js';
import { startAlibabaAccount } from './alibaba-account.js';
import { loadScenario, type CloudAccount, type CloudName, type Scenario } from './harness.js';
import { startHuaweiAccount } from './huawei-account.js';
import { startTencentAccount } from './tencent-account.js';

interface Case {
  scenario: string;
  events: string[];
  to: string;
  from?: string;
  /** Hops ("check where") whose verdict differs on the cloud, by stage, with the cloud's verdict and why. */
  differences?: { before?: Record<string, string>; after?: Record<string, string> };
  /** The path has no hop the cloud answers (LAN to LAN through the nodes' BGP sessions): diagnose reads nothing. */
  readsNothing?: true;
}

const created = 'events/01-cluster-created.json';
const edgeNodes = ['node-1', 'node-2', 'node-3', 'node-5', 'node-6', 'node-7'].map((name, index) => `events/0${index + 2}-node-added-${name}.json`);

// Tencent opens the container network on a Direct Connect gateway by a ticket: its dx-prefix is only read, never
// written, so it stays missing until the ticket is done. Tencent registers a CIDR to a CCN by attaching the
// instance: podreach cannot register one, only enable or disable what the CCN holds.
const CASES: Case[] = [
  { scenario: 'tke-idc', events: [created], to: '10.0.0.10:443', differences: { after: { 'dx-prefix dcg-3lmq8mko': 'missing' } } },
  { scenario: 'tke-idc', events: [created], to: '10.20.0.10', from: '172.16.3.4' },
  { scenario: 'tke-ccn-conflict', events: [created], to: '10.0.0.10', from: '172.20.1.1', differences: { after: { 'cloud-connect-route ccn-7c8k2m1p': 'missing' } } },
  { scenario: 'terway-edge-one-lan', events: [created, ...edgeNodes.slice(0, 3), 'events/05-node-added-node-4.json'], to: '192.168.1.10:22', from: '10.10.0.5' },
  { scenario: 'terway-edge-two-lans', events: [created, ...edgeNodes], to: '10.10.5.9', from: '10.10.1.5', readsNothing: true },
  { scenario: 'cce-vpc-security-group', events: [created], to: '192.168.10.52:80/tcp' },
  { scenario: 'cce-cross-vpc-peering', events: [created], to: '10.1.0.52:443' },
  { scenario: 'cce-redis-whitelist', events: [created, 'events/02-node-added.json'], to: '192.168.0.100:6379' },
];

const START: Record<CloudName, (scenario: Scenario) => Promise<CloudAccount & { server: unknown }>> = {
  tencent: startTencentAccount,
  alibaba: startAlibabaAccount,
  huawei: startHuaweiAccount,
};

/** Calls that change something, as each contract server records them. */
function mutatingCalls(cloud: CloudName, server: unknown): number {
  if (cloud === 'huawei') return (server as { requests: { method: string }[] }).requests.filter((request) => request.method !== 'GET').length;
  const calls = (server as { calls: { action: string }[] }).calls;
  return calls.filter((call) => !(cloud === 'tencent' ? /^Describe/ : /^(Describe|List)/).test(call.action)).length;
}

/** "check where" of each hop, "#2", "#3"... on the second and later hops of the same check and place. */
function keys(diagnosis: Diagnosis): string[] {
  const seen = new Map<string, number>();
  return diagnosis.hops.map((hop) => {
    const key = `${hop.check} ${hop.where}`;
    const count = (seen.get(key) ?? 0) + 1;
    seen.set(key, count);
    return count === 1 ? key : `${key}#${count}`;
  });
}

const verdicts = (diagnosis: Diagnosis) => keys(diagnosis).map((key, index) => `${key}: ${diagnosis.hops[index]?.status ?? ''}`);

interface Stages {
  before: Diagnosis;
  after: Diagnosis;
  mutatingDuringDiagnose: number;
  /** What the diagnoses sent, as the cloud's policy language names it. */
  sentByDiagnose: string[];
}

async function stages(scenario: Scenario, side: Case, cloud?: { name: CloudName; account: CloudAccount & { server: unknown } }): Promise<Stages> {
  const dir = mkdtempSync(join(tmpdir(), `podreach-diagnose-${cloud?.name ?? 'sandbox'}-`));
  const saved = { ...process.env };
  if (cloud) Object.assign(process.env, cloud.account.env);
  const runtime = await openLocalRuntime({
    stateDir: dir,
    ...(cloud ? { provider: cloud.name, endpoints: { [cloud.name]: cloud.account.endpoint } } : { sandboxFile: scenario.sandboxFile }),
  });
  try {
    const profile = parseProfileText(readFileSync(scenario.profileFile, 'utf8'), scenario.profileFile);
    // the events run under the profile's skeleton (name, match, VPC): the cluster is known, nothing is laid yet
    await runtime.deps.store.putProfile({ ...profile, spec: profileSpecSchema.parse({ match: profile.spec.match, ...(profile.spec.vpc ? { vpc: profile.spec.vpc } : {}) }) });
    let clusterId = '';
    for (const file of side.events) {
      const report = await runEventReport(runtime, parseClusterEventJson(readFileSync(join('examples/scenarios', side.scenario, file), 'utf8'), file), true);
      clusterId = report.clusterId;
    }
    await runtime.deps.store.putProfile(profile);
    const request = { clusterId, to: side.to, ...(side.from ? { from: side.from } : {}) };
    const deps = { store: runtime.deps.store, providers: runtime.deps.providers };
    const count = () => (cloud ? mutatingCalls(cloud.name, cloud.account.server) : 0);
    let mutatingDuringDiagnose = 0;
    const sentByDiagnose: string[] = [];
    const sent = () => cloud?.account.sentActions() ?? [];
    const measured = async () => {
      const start = count();
      const from = sent().length;
      const diagnosis = await diagnose(request, deps);
      mutatingDuringDiagnose += count() - start;
      sentByDiagnose.push(...sent().slice(from));
      return diagnosis;
    };
    const before = await measured();
    for (const flow of configuredFlows(scenario.profile.spec)) await runFlow(clusterId, flow, { runner: runtime.runner }, `diagnose-${flow}`);
    const after = await measured();
    return { before, after, mutatingDuringDiagnose, sentByDiagnose };
  } finally {
    await runtime.close();
    process.env = saved;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sandbox's verdicts with the cloud's declared differences put in. */
function expectedOnCloud(sandbox: Diagnosis, differences: Record<string, string> = {}): string[] {
  return keys(sandbox).map((key, index) => `${key}: ${differences[key] ?? sandbox.hops[index]?.status ?? ''}`);
}

describe.each(CASES.map((side) => [`${side.scenario}: ${side.from ?? 'pods'} -> ${side.to}`, side] as const))('Diagnose on the cloud: %s', (_name, side) => {
  const scenario = loadScenario(join('examples/scenarios', side.scenario));
  let sandbox: Stages;
  let cloud: Stages;
  let account: (CloudAccount & { server: unknown }) | undefined;

  beforeAll(async () => {
    sandbox = await stages(scenario, side);
    account = await START[scenario.provider](scenario);
    cloud = await stages(scenario, side, { name: scenario.provider, account });
  }, 300_000);
  afterAll(async () => {
    await account?.stop();
  });

  it(`${scenario.provider}: the same verdicts as on the sandbox before and after the flows, no mutating call, nothing \`podreach permissions --mode diagnose\` does not grant`, () => {
    expect(cloud.mutatingDuringDiagnose).toBe(0);
    if (side.readsNothing) expect(cloud.sentByDiagnose).toEqual([]);
    else expect(cloud.sentByDiagnose.length).toBeGreaterThan(0);
    expect(ungranted(scenario.provider, configuredFlows(scenario.profile.spec), cloud.sentByDiagnose, 'diagnose')).toEqual([]);
    expect(verdicts(cloud.before)).toEqual(expectedOnCloud(sandbox.before, side.differences?.before));
    expect(verdicts(cloud.after)).toEqual(expectedOnCloud(sandbox.after, side.differences?.after));
    // the stages differ: what was missing before the flows ran is there after (where the cloud can lay it)
    expect(sandbox.before.reachable).toBe(false);
    expect(sandbox.after.reachable).toBe(true);
  });
});
