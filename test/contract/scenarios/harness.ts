// Runs one scenario (a profile, a sandbox seed and a list of events) twice: on the sandbox, and on a cloud's
// contract server seeded with the same account through that cloud's real adapter, then compares the outcomes
// change by change. See docs/providers/scenarios.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseClusterEventJson } from '../../../events/parse.js';
import type { ClusterEvent } from '../../../events/schemas.js';
import { parseSandboxFile, type SandboxSpec } from '../../../functions/adapters/sandbox/sandbox-file.js';
import { parseProfileText } from '../../../functions/application/profile-text.js';
import { runEventReport } from '../../../functions/cli/commands.js';
import { openLocalRuntime } from '../../../functions/cli/local-runtime.js';
import type { RunReport } from '../../../functions/cli/report.js';
import type { Change } from '../../../functions/domain/model.js';
import type { ConnectivityProfile } from '../../../functions/domain/profile.js';

export type CloudName = 'tencent' | 'alibaba' | 'huawei';

export interface ScenarioEvent {
  file: string;
  event: ClusterEvent;
}

export interface Scenario {
  name: string;
  description: string;
  guide: string;
  provider: CloudName;
  profileFile: string;
  sandboxFile: string;
  profile: ConnectivityProfile;
  sandbox: SandboxSpec;
  events: ScenarioEvent[];
}

const scenarioFileSchema = z
  .object({
    description: z.string().default(''),
    guide: z.string().default(''),
    provider: z.enum(['tencent', 'alibaba', 'huawei']),
    events: z.array(z.string().min(1)).min(1),
  })
  .passthrough();

function readEvent(path: string): ScenarioEvent {
  return { file: path, event: parseClusterEventJson(readFileSync(path, 'utf8'), path) };
}

/** A scenario from loose files (the demo profile, seed and sample events). */
export function scenarioFromFiles(input: { name: string; provider: CloudName; profileFile: string; sandboxFile: string; eventFiles: string[]; description?: string; guide?: string }): Scenario {
  return {
    name: input.name,
    description: input.description ?? '',
    guide: input.guide ?? '',
    provider: input.provider,
    profileFile: input.profileFile,
    sandboxFile: input.sandboxFile,
    profile: parseProfileText(readFileSync(input.profileFile, 'utf8'), input.profileFile),
    sandbox: parseSandboxFile(readFileSync(input.sandboxFile, 'utf8'), input.sandboxFile).spec,
    events: input.eventFiles.map(readEvent),
  };
}

/** examples/scenarios/<name>/: scenario.yaml {description, guide, provider, events}, profile.yaml, sandbox.yaml, events/. */
export function loadScenario(dir: string): Scenario {
  const file = join(dir, 'scenario.yaml');
  const parsed = scenarioFileSchema.parse(parseYaml(readFileSync(file, 'utf8')));
  const eventPath = (name: string) => (name.includes('/') ? join(dir, name) : join(dir, 'events', name));
  return scenarioFromFiles({
    name: basename(dir),
    provider: parsed.provider,
    description: parsed.description,
    guide: parsed.guide,
    profileFile: join(dir, 'profile.yaml'),
    sandboxFile: join(dir, 'sandbox.yaml'),
    eventFiles: parsed.events.map(eventPath),
  });
}

/** A cloud's contract server, seeded with a scenario's account, and what the adapter needs to reach it. */
export interface CloudAccount {
  /** The value for the provider registry's `endpoints[cloud]` (and PODREACH_<CLOUD>_ENDPOINT). */
  endpoint: string;
  /** Credentials and settings the adapter reads from the environment (dummy values). */
  env: Record<string, string>;
  /** What the adapter's SDK sent to the account, named as the cloud's policy language names it. */
  sentActions(): string[];
  stop(): Promise<void>;
}

export interface Run {
  reports: RunReport[];
}

async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

async function runAll(scenario: Scenario, options: { provider?: CloudName; endpoint?: string }): Promise<Run> {
  const stateDir = mkdtempSync(join(tmpdir(), `podreach-scenario-${scenario.name}-`));
  const runtime = await openLocalRuntime({
    stateDir,
    profileFile: scenario.profileFile,
    // The cloud account is seeded on its server; the sandbox seed file is for the sandbox run only.
    ...(options.provider ? { provider: options.provider } : { sandboxFile: scenario.sandboxFile }),
    ...(options.provider && options.endpoint ? { endpoints: { [options.provider]: options.endpoint } } : {}),
  });
  try {
    const reports: RunReport[] = [];
    for (const { event } of scenario.events) reports.push(await runEventReport(runtime, event, true));
    return { reports };
  } finally {
    await runtime.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

export function runOnSandbox(scenario: Scenario): Promise<Run> {
  return runAll(scenario, {});
}

export function runOnCloud(scenario: Scenario, account: CloudAccount): Promise<Run> {
  return withEnv(account.env, () => runAll(scenario, { provider: scenario.provider, endpoint: account.endpoint }));
}

/** The fields that make two outcomes the same: flow, kind, action, target, cidr, the value, status. */
export interface OutcomeRow {
  flow: string;
  kind: string;
  action: string;
  target: string;
  cidr: string;
  value: string;
  status: string;
  reason?: string;
}

export function outcomeKey(row: Pick<OutcomeRow, 'flow' | 'kind' | 'action' | 'target' | 'cidr' | 'value'>): string {
  return `${row.flow} ${row.kind} ${row.action} ${row.target} ${row.cidr} ${row.value}`.trim();
}

export function outcomeRows(changes: Change[]): OutcomeRow[] {
  return changes
    .map((change) => ({
      flow: change.flow,
      kind: change.kind,
      action: change.action,
      target: change.target,
      cidr: change.cidr ?? '',
      value: change.nextHop ?? change.peerCidr ?? change.port ?? '',
      status: change.status,
      ...(change.reason ? { reason: change.reason } : {}),
    }))
    .sort((a, b) => `${outcomeKey(a)} ${a.status}`.localeCompare(`${outcomeKey(b)} ${b.status}`));
}

/** "key -> status" lines, the form the comparisons are asserted in. */
export function outcomeLines(changes: Change[]): string[] {
  return outcomeRows(changes).map((row) => `${outcomeKey(row)} -> ${row.status}`);
}

/**
 * A difference a cloud has for a real reason: on the cloud this change is `status` with a reason matching
 * `reason`, or (`absent`) the cloud plans no such change at all (e.g. nothing to delete: it was never applied).
 */
export interface ExpectedDifference {
  /** Matches outcomeKey (flow kind action target cidr value). */
  key: RegExp;
  status: Change['status'] | 'absent';
  reason: RegExp;
}

export interface Comparison {
  sandbox: string[];
  cloud: string[];
  /** Cloud rows that matched an expected difference, with the cloud's reason. */
  differences: { key: string; sandbox: string; cloud: string; reason: string }[];
  /** The cloud rows with every expected difference put back to the sandbox's status: must equal `sandbox`. */
  cloudAsSandbox: string[];
  /** Expected differences no row matched (a difference that did not happen is a finding too). */
  unmatched: string[];
}

/** Compares one event's outcomes; rows named by `expected` must differ exactly as described. */
export function compareOutcomes(sandboxChanges: Change[], cloudChanges: Change[], expected: ExpectedDifference[] = []): Comparison {
  const sandbox = outcomeRows(sandboxChanges);
  const cloud = outcomeRows(cloudChanges);
  const sandboxStatus = new Map(sandbox.map((row) => [outcomeKey(row), row.status]));
  const differences: Comparison['differences'] = [];
  const used = new Set<ExpectedDifference>();
  const cloudAsSandbox = cloud.map((row) => {
    const key = outcomeKey(row);
    const rule = expected.find((candidate) => candidate.status !== 'absent' && candidate.key.test(key));
    if (!rule) return `${key} -> ${row.status}`;
    used.add(rule);
    if (row.status !== rule.status || !rule.reason.test(row.reason ?? '')) {
      // Not the difference described: leave the row as it is so the comparison fails and shows it.
      return `${key} -> ${row.status}${row.reason ? ` (${row.reason})` : ''}`;
    }
    differences.push({ key, sandbox: sandboxStatus.get(key) ?? '(absent)', cloud: row.status, reason: row.reason ?? '' });
    return `${key} -> ${sandboxStatus.get(key) ?? row.status}`;
  });
  const cloudKeys = new Set(cloud.map(outcomeKey));
  for (const rule of expected.filter((candidate) => candidate.status === 'absent')) {
    for (const row of sandbox) {
      const key = outcomeKey(row);
      if (!rule.key.test(key) || cloudKeys.has(key)) continue;
      used.add(rule);
      differences.push({ key, sandbox: row.status, cloud: 'absent', reason: '' });
      cloudAsSandbox.push(`${key} -> ${row.status}`);
    }
  }
  cloudAsSandbox.sort();
  return {
    sandbox: sandbox.map((row) => `${outcomeKey(row)} -> ${row.status}`).sort(),
    cloud: cloud.map((row) => `${outcomeKey(row)} -> ${row.status}`).sort(),
    differences,
    cloudAsSandbox,
    unmatched: expected.filter((rule) => !used.has(rule)).map((rule) => String(rule.key)),
  };
}

/** Every resource id a profile names, by what it is (what a real account holds before podreach runs). */
export function namedResources(profile: ConnectivityProfile, events: ScenarioEvent[]) {
  const spec = profile.spec;
  const created = events.map((e) => e.event.detail).flatMap((detail) => ('vpcId' in detail ? [detail] : []));
  return {
    vpcId: spec.vpc?.id ?? created[0]?.vpcId ?? 'vpc-scenario',
    vpcCidr: spec.vpc?.cidr,
    clusterRouteTables: [...new Set([...spec.directConnect.flatMap((dc) => dc.routeTableIds), ...spec.vpn.flatMap((vpn) => vpn.routeTableIds), ...(spec.bgp?.transit ? [spec.bgp.transit.vpcRouteTableId] : [])])],
    oppositeRouteTables: spec.vpn.flatMap((vpn) => (vpn.opposite ? vpn.opposite.routeTableIds.map((id) => ({ id, vpcId: `vpc-opposite-${vpn.opposite?.connectionId ?? ''}` })) : [])),
    peerRouteTables: spec.peering.flatMap((peering) => peering.peerRouteTableIds.map((id) => ({ id, vpcId: peering.peerVpc.id }))),
    subnets: [
      ...new Map(
        [
          ...spec.vpn.flatMap((vpn) => vpn.subnetIds.map((id) => ({ id, cidr: undefined as string | undefined }))),
          ...created.flatMap((detail) => (detail.nodeSubnets ?? []).map((subnet) => ({ id: subnet.subnetId, cidr: subnet.cidr as string | undefined }))),
        ].map((subnet) => [subnet.id, subnet]),
      ).values(),
    ],
    vpnConnections: spec.vpn.flatMap((vpn) => [
      { id: vpn.connectionId, gatewayId: vpn.gatewayId },
      ...(vpn.opposite ? [{ id: vpn.opposite.connectionId, gatewayId: vpn.opposite.gatewayId }] : []),
    ]),
    dxGateways: spec.directConnect.map((dc) => dc.gatewayId),
    cloudConnects: spec.cloudConnect.map((ccn) => ccn.id),
    securityGroups: spec.securityGroups.map((group) => group.id),
    whitelists: spec.whitelists,
    transit: spec.bgp?.transit,
    peerings: spec.peering.map((peering) => peering.connectionId),
  };
}
