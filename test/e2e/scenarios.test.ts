// The seed scenarios of examples/scenarios/ (one per cloud guide): each scenario's events run in order against
// its profile and sandbox seed, and every change is checked against what the guide asks for. The first event of
// each scenario also runs through the `podreach` command as a child process.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { exportSandbox, type SandboxAccountSpec } from '../../functions/adapters/sandbox/sandbox-file.js';
import { SandboxCloud } from '../../functions/adapters/sandbox/cloud.js';
import { planEvent } from '../../functions/application/run-event.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import type { RunReport } from '../../functions/cli/report.js';
import type { Change } from '../../functions/domain/model.js';
import { parseJson, runCli } from '../support/cli.js';

interface ScenarioFile {
  description: string;
  guide: string;
  provider: 'tencent' | 'alibaba' | 'huawei';
  events: string[];
  variants?: { name: string; profile: string; events: string[] }[];
}

const root = 'examples/scenarios';
const scenarioFile = (name: string): ScenarioFile => parseYaml(readFileSync(join(root, name, 'scenario.yaml'), 'utf8')) as ScenarioFile;
const eventOf = (name: string, file: string) => parseClusterEventJson(readFileSync(join(root, name, file), 'utf8'), file);

/** "status action flow kind target cidr value": value is the next hop, the SPD's far side, the port or enabled. */
function line(c: Change): string {
  const value = c.kind === 'vpn-selector' ? `<-> ${c.peerCidr ?? ''}` : c.kind === 'sg-rule' ? (c.port ?? '') : c.kind === 'cloud-connect-route' ? `-> ${c.nextHop ?? ''} ${c.enabled ? 'enabled' : 'disabled'}` : c.nextHop ? `-> ${c.nextHop}` : '';
  return [c.status, c.action, c.flow, c.kind, c.target, c.cidr ?? '-', value].join(' ').trimEnd();
}
/** Every change that is not `unchanged`, sorted; the unchanged ones are counted. */
const moved = (report: RunReport) => report.changes.filter((c) => c.status !== 'unchanged').map(line).sort();
const unchanged = (report: RunReport) => report.changes.filter((c) => c.status === 'unchanged').map(line).sort();
/** "destination -> nextHop (node)" for each pod route a BGP switch checklist (an artifact's text) tells the switch to expect. */
const expectedRoutes = (checklist: string | undefined) =>
  (parseYaml(checklist ?? '') as { expectedRoutes: { destination: string; nextHop: string; node: string }[] }).expectedRoutes.map((r) => `${r.destination} -> ${r.nextHop} (${r.node})`);

interface Run {
  runtime: LocalRuntime;
  dir: string;
  seed: SandboxAccountSpec;
  reports: RunReport[];
  /** Each run's artifacts by name, read right after the run (a later run rewrites the files). */
  artifacts: Record<string, string>[];
}

async function open(name: string, profile = 'profile.yaml'): Promise<Omit<Run, 'reports' | 'artifacts'>> {
  const dir = mkdtempSync(join(tmpdir(), `podreach-scenario-${name}-`));
  const runtime = await openLocalRuntime({ stateDir: dir, profileFile: join(root, name, profile), sandboxFile: join(root, name, 'sandbox.yaml') });
  return { runtime, dir, seed: await exportSandbox(runtime.deps.store) };
}

async function runAll(name: string, events: string[], profile = 'profile.yaml'): Promise<Run> {
  const opened = await open(name, profile);
  const reports: RunReport[] = [];
  const artifacts: Record<string, string>[] = [];
  for (const file of events) {
    const report = await runEventReport(opened.runtime, eventOf(name, file), true);
    reports.push(report);
    artifacts.push(Object.fromEntries(report.artifacts.map((a) => [a.name, readFileSync(a.path, 'utf8')])));
  }
  return { ...opened, reports, artifacts };
}

async function close(run: Pick<Run, 'runtime' | 'dir'> | undefined): Promise<void> {
  if (!run) return;
  await run.runtime.close();
  rmSync(run.dir, { recursive: true, force: true });
}

function expectNoFailure(report: RunReport): void {
  expect(report.counts.failed).toBe(0);
  expect(report.errors).toBeUndefined();
}

describe('E2E: seed scenarios (examples/scenarios)', () => {
  describe('Scenario: tke-idc (guide 000, Direct Connect + IPsec VPN)', () => {
    const name = 'tke-idc';
    let run: Run;
    beforeAll(async () => {
      run = await runAll(name, scenarioFile(name).events);
    });
    afterAll(() => close(run));

    it('cluster-created: advertises the container CIDR, routes the IDC to both gateways, adds the SPD entry, never re-binds a subnet', () => {
      const [created] = run.reports;
      expectNoFailure(created!);
      expect(moved(created!)).toEqual(
        [
          'applied create direct-connect dx-prefix dcg-3lmq8mko 172.16.0.0/16',
          'applied create direct-connect route rtb-idc01 10.0.0.0/16 -> dcg-3lmq8mko',
          'applied create vpn route rtb-idc01 10.20.0.0/16 -> vpngw-1a2b3c4d',
          'applied create vpn vpn-selector vpnx-5e6f7g8h 172.16.0.0/16 <-> 10.20.0.0/16',
          'blocked update vpn subnet-association subnet-app - -> rtb-idc01',
        ].sort(),
      );
      expect(unchanged(created!)).toEqual(['unchanged create vpn subnet-association subnet-node - -> rtb-idc01']);
      const rebind = created!.changes.find((c) => c.target === 'subnet-app')!;
      expect(rebind.reason).toContain('bound to route table rtb-default');
      expect(rebind.reason).toContain('never re-binds');
      // static routing: the IDC must be told the next hop of each container CIDR (guide step 7)
      const staticRoutes = created!.artifacts.find((a) => a.kind === 'idc-static-routes')!;
      expect(run.artifacts[0]![staticRoutes.name]!).toMatch(/destination: 172\.16\.0\.0\/16\s+nextHop: dcg-3lmq8mko/);
      // the opposite tunnel is the IDC's device: its SPD entry and route are emitted (guide step 6)
      const opposite = run.artifacts[0]![created!.artifacts.find((a) => a.kind === 'vpn-opposite-config')!.name]!;
      expect(opposite).toMatch(/local: 10\.20\.0\.0\/16\s+remote: 172\.16\.0\.0\/16/);
    });

    it('cluster-cidr-changed: a new CIDR is advertised and added to the SPD; a CIDR that left is withdrawn from both', () => {
      const [, grown, shrunk] = run.reports;
      expect(moved(grown!)).toEqual(
        [
          'applied create direct-connect dx-prefix dcg-3lmq8mko 172.18.0.0/16',
          'applied create vpn vpn-selector vpnx-5e6f7g8h 172.18.0.0/16 <-> 10.20.0.0/16',
          'blocked update vpn subnet-association subnet-app - -> rtb-idc01',
        ].sort(),
      );
      expect(moved(shrunk!)).toEqual(
        [
          'applied delete direct-connect dx-prefix dcg-3lmq8mko 172.16.0.0/16',
          'applied delete vpn vpn-selector vpnx-5e6f7g8h 172.16.0.0/16 <-> 10.20.0.0/16',
          'blocked update vpn subnet-association subnet-app - -> rtb-idc01',
        ].sort(),
      );
      expect(shrunk!.changes.filter((c) => c.action === 'delete').every((c) => c.cidr === '172.16.0.0/16')).toBe(true);
    });

    it('cluster-deleted: removes what podreach created and leaves the account as the seed had it', async () => {
      const deleted = run.reports[3]!;
      expect(moved(deleted)).toEqual(
        [
          'applied delete direct-connect dx-prefix dcg-3lmq8mko 172.18.0.0/16',
          'applied delete direct-connect route rtb-idc01 10.0.0.0/16 -> dcg-3lmq8mko',
          'applied delete vpn route rtb-idc01 10.20.0.0/16 -> vpngw-1a2b3c4d',
          'applied delete vpn vpn-selector vpnx-5e6f7g8h 172.18.0.0/16 <-> 10.20.0.0/16',
        ].sort(),
      );
      expect(await exportSandbox(run.runtime.deps.store)).toEqual(run.seed);
    });
  });

  describe('Scenario: tke-ccn-conflict (guide 001, CCN registration)', () => {
    const name = 'tke-ccn-conflict';
    const rivalBlocked = 'blocked create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.21.0.0/16 -> vpc-ccn01 disabled';
    let run: Pick<Run, 'runtime' | 'dir'>;
    beforeAll(async () => {
      run = await open(name);
    });
    afterAll(() => close(run));

    it('registers a free CIDR enabled and an overlapping one disabled, blocked naming the rival route; enables it once the rival is gone; deletes both', async () => {
      // Act 1: the registration
      const created = await runEventReport(run.runtime, eventOf(name, 'events/01-cluster-created.json'), true);
      expectNoFailure(created);
      expect(moved(created)).toEqual(['applied create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.20.0.0/16 -> vpc-ccn01 enabled', rivalBlocked].sort());
      const blocked = created.changes.find((c) => c.cidr === '172.21.0.0/16')!;
      expect(blocked.reason).toContain('172.21.8.0/24 of vpc-rival01');
      const ccn = (await exportSandbox(run.runtime.deps.store)).spec.cloudConnect.find((n) => n.id === 'ccn-7c8k2m1p')!;
      expect(ccn.routes).toContainEqual(expect.objectContaining({ cidr: '172.21.0.0/16', instanceId: 'vpc-ccn01', enabled: false }));

      // Act 2: a replay while the rival is there changes nothing
      const replay = await runEventReport(run.runtime, eventOf(name, 'events/01-cluster-created.json'), true);
      expect(replay.counts.applied).toBe(0);
      expect(moved(replay)).toEqual([rivalBlocked]);

      // Act 3: the rival VPC leaves the CCN (by hand, outside podreach); a later run re-checks and enables the route
      const cloud = await SandboxCloud.open(run.runtime.deps.store);
      await cloud.deleteCcnRoute('ccn-7c8k2m1p', '172.21.8.0/24', 'vpc-rival01');
      const later = await runEventReport(run.runtime, eventOf(name, 'events/01-cluster-created.json'), true);
      expect(moved(later)).toEqual(['applied update cloud-connect cloud-connect-route ccn-7c8k2m1p 172.21.0.0/16 -> vpc-ccn01 enabled']);

      // Act 4: cluster-deleted
      const deleted = await runEventReport(run.runtime, eventOf(name, 'events/02-cluster-deleted.json'), true);
      expect(moved(deleted)).toEqual(
        [
          'applied delete cloud-connect cloud-connect-route ccn-7c8k2m1p 172.20.0.0/16 -> vpc-ccn01 enabled',
          'applied delete cloud-connect cloud-connect-route ccn-7c8k2m1p 172.21.0.0/16 -> vpc-ccn01 enabled',
        ].sort(),
      );
      const after = (await exportSandbox(run.runtime.deps.store)).spec.cloudConnect.find((n) => n.id === 'ccn-7c8k2m1p')!;
      expect(after.routes).toEqual([expect.objectContaining({ cidr: '10.0.0.0/16', instanceId: 'dcg-idc0a1b2', enabled: true })]);
    });

    it('with enableConflicting: true plans and applies the overlapping CIDR enabled, with a warning naming the rival', async () => {
      // Prepare
      const variant = scenarioFile(name).variants!.find((v) => v.name === 'enable-conflicting')!;
      const opened = await open(name, variant.profile);
      try {
        // Act
        const { plans } = await planEvent(eventOf(name, variant.events[0]!), opened.runtime.deps);

        // Assess
        const changes = plans.flatMap((p) => p.changes);
        expect(changes.map(line).sort()).toEqual(
          [
            'planned create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.20.0.0/16 -> vpc-ccn01 enabled',
            'planned create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.21.0.0/16 -> vpc-ccn01 enabled',
          ].sort(),
        );
        expect(plans.flatMap((p) => p.warnings).join('\n')).toContain('172.21.0.0/16 overlaps 172.21.8.0/24 of vpc-rival01 in ccn-7c8k2m1p: enabled anyway (enableConflicting)');

        // Act 2: applied, the route is enabled beside the rival's longer prefix, which stays as it was
        const applied = await runEventReport(opened.runtime, eventOf(name, variant.events[0]!), true);
        expectNoFailure(applied);
        expect(moved(applied)).toEqual(
          [
            'applied create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.20.0.0/16 -> vpc-ccn01 enabled',
            'applied create cloud-connect cloud-connect-route ccn-7c8k2m1p 172.21.0.0/16 -> vpc-ccn01 enabled',
          ].sort(),
        );
        expect(applied.warnings.join('\n')).toContain('enabled anyway (enableConflicting)');
        const ccn = (await exportSandbox(opened.runtime.deps.store)).spec.cloudConnect.find((n) => n.id === 'ccn-7c8k2m1p')!;
        expect(ccn.routes).toContainEqual(expect.objectContaining({ cidr: '172.21.8.0/24', instanceId: 'vpc-rival01', enabled: true }));
      } finally {
        await close(opened);
      }
    });
  });

  describe('Scenario: terway-edge-one-lan (guide 002, edge containers)', () => {
    const name = 'terway-edge-one-lan';
    let run: Run;
    beforeAll(async () => {
      run = await runAll(name, scenarioFile(name).events);
    });
    afterAll(() => close(run));

    it('cluster-created: the uplink (VBR -> TR -> VPC) and downlink (VPC -> TR -> VBR -> core switch) routes of steps 1-2', async () => {
      const created = run.reports[0]!;
      expectNoFailure(created);
      expect(moved(created)).toEqual(
        [
          'applied create bgp-edge route vtb-bp1edge01 10.0.0.0/16 -> vtb-tr-edge01',
          'applied create bgp-edge route vtb-bp1edge01 10.10.0.0/16 -> vtb-tr-edge01',
          'applied create bgp-edge transit-route vtb-tr-edge01 10.0.0.0/16 -> vbr-bp1edge01',
          'applied create bgp-edge transit-route vtb-tr-edge01 10.10.0.0/16 -> vbr-bp1edge01',
          'applied create bgp-edge transit-route vbr-bp1edge01 10.0.0.0/16 -> 10.0.0.1',
          'applied create bgp-edge transit-route vbr-bp1edge01 10.10.0.0/16 -> 10.0.0.1',
          'applied create bgp-edge transit-route vbr-bp1edge01 192.168.0.0/16 -> vtb-tr-edge01',
          'applied create bgp-edge transit-route vtb-tr-edge01 192.168.0.0/16 -> vpc-bp1edge01',
        ].sort(),
      );
      const peer = run.artifacts[0]!['bgp-peer-peer.yaml']!;
      expect(parseYaml(peer)).toEqual({
        apiVersion: 'network.openyurt.io/v1alpha1',
        kind: 'BGPPeer',
        metadata: { name: 'peer' },
        spec: { localSpeakers: ['node-1', 'node-2', 'node-3'], localAsNumber: 65010, peerIP: '10.0.0.1', peerAsNumber: 65001, nodeSelector: 'ASN=65010' },
      });
    });

    it('node-added: each labelled node joins the switch checklist, its pod subnet with the node as next hop (step 5: 10.10.0.0/24 via 10.0.0.10); no change, the switch learns it over BGP', () => {
      // the transit chain of cluster-created stays as it is: its 8 routes, unchanged
      const transit = unchanged(run.reports[1]!);
      expect(transit.map((l) => l.replace(/^unchanged create /, 'applied create ')).sort()).toEqual(moved(run.reports[0]!));
      for (const report of run.reports.slice(1, 5)) {
        expectNoFailure(report);
        expect(moved(report)).toEqual([]);
        expect(unchanged(report)).toEqual(transit);
      }
      expect(run.artifacts.slice(1, 5).map((artifacts) => expectedRoutes(artifacts['bgp-switch-checklist-peer.yaml']))).toEqual([
        ['10.10.0.0/24 -> 10.0.0.10 (node-1)'],
        ['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)'],
        ['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)', '10.10.2.0/24 -> 10.0.0.12 (node-3)'],
        ['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)', '10.10.2.0/24 -> 10.0.0.12 (node-3)', '10.10.3.0/24 -> 10.0.0.13 (node-4)'],
      ]);
      expect(run.artifacts[4]!['bgp-switch-checklist-peer.yaml']!).toContain('restartTimerSeconds: 300');
    });

    it('node-removed: only that node\'s route leaves the checklist; a removed speaker leaves two and is reported', () => {
      const [removedPlain, removedSpeaker] = [run.reports[5]!, run.reports[6]!];
      expect(moved(removedPlain)).toEqual([]);
      expect(unchanged(removedPlain)).toHaveLength(8);
      expect(expectedRoutes(run.artifacts[5]!['bgp-switch-checklist-peer.yaml'])).toEqual([
        '10.10.0.0/24 -> 10.0.0.10 (node-1)',
        '10.10.1.0/24 -> 10.0.0.11 (node-2)',
        '10.10.2.0/24 -> 10.0.0.12 (node-3)',
      ]);
      expect(removedPlain.warnings.join('\n')).not.toContain('fewer than 3');
      expect(moved(removedSpeaker)).toEqual([]);
      expect(unchanged(removedSpeaker)).toHaveLength(8);
      expect(expectedRoutes(run.artifacts[6]!['bgp-switch-checklist-peer.yaml'])).toEqual(['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)']);
      expect((parseYaml(run.artifacts[6]!['bgp-peer-peer.yaml']!) as { spec: { localSpeakers: string[] } }).spec.localSpeakers).toEqual(['node-1', 'node-2']);
      expect(removedSpeaker.warnings.join('\n')).toContain('speaker node-3 was removed');
      expect(removedSpeaker.warnings.join('\n')).toContain('2 speaker(s) left, fewer than 3');
    });

    it('cluster-deleted: every route podreach laid is removed and the foreign ones are as seeded', async () => {
      const deleted = run.reports[7]!;
      expect(moved(deleted)).toEqual(
        [
          'applied delete bgp-edge route vtb-bp1edge01 10.0.0.0/16 -> vtb-tr-edge01',
          'applied delete bgp-edge route vtb-bp1edge01 10.10.0.0/16 -> vtb-tr-edge01',
          'applied delete bgp-edge transit-route vtb-tr-edge01 10.0.0.0/16 -> vbr-bp1edge01',
          'applied delete bgp-edge transit-route vtb-tr-edge01 10.10.0.0/16 -> vbr-bp1edge01',
          'applied delete bgp-edge transit-route vbr-bp1edge01 10.0.0.0/16 -> 10.0.0.1',
          'applied delete bgp-edge transit-route vbr-bp1edge01 10.10.0.0/16 -> 10.0.0.1',
          'applied delete bgp-edge transit-route vbr-bp1edge01 192.168.0.0/16 -> vtb-tr-edge01',
          'applied delete bgp-edge transit-route vtb-tr-edge01 192.168.0.0/16 -> vpc-bp1edge01',
        ].sort(),
      );
      expect(deleted.artifacts).toEqual([]);
      expect(await exportSandbox(run.runtime.deps.store)).toEqual(run.seed);
    });
  });

  describe.each([
    { name: 'terway-edge-two-lans', switchAsns: [65002, 65003] },
    { name: 'terway-edge-two-domains', switchAsns: [65001, 65002] },
  ])('Scenario: $name (guide 002, two ASNs)', ({ name, switchAsns }) => {
    let run: Run;
    beforeAll(async () => {
      run = await runAll(name, scenarioFile(name).events);
    });
    afterAll(() => close(run));

    it('renders one BGPPeer per ASN and lists each node\'s pod subnet in its own switch\'s checklist only, with no change', () => {
      const created = run.reports[0]!;
      expectNoFailure(created);
      expect(created.changes).toEqual([]);
      const manifest = (peer: string) => parseYaml(run.artifacts[0]![`bgp-peer-${peer}.yaml`]!) as { spec: Record<string, unknown> };
      expect(manifest('peer-a').spec).toEqual({ localSpeakers: ['node-1', 'node-2', 'node-3'], localAsNumber: 65010, peerIP: '10.0.10.1', peerAsNumber: switchAsns[0], nodeSelector: 'ASN=65010' });
      expect(manifest('peer-b').spec).toEqual({ localSpeakers: ['node-5', 'node-6', 'node-7'], localAsNumber: 65020, peerIP: '10.0.20.1', peerAsNumber: switchAsns[1], nodeSelector: 'ASN=65020' });
      for (const report of run.reports.slice(1, 7)) {
        expectNoFailure(report);
        expect(report.changes).toEqual([]);
      }
      expect(expectedRoutes(run.artifacts[6]!['bgp-switch-checklist-peer-a.yaml'])).toEqual([
        '10.10.1.0/24 -> 10.0.10.11 (node-1)',
        '10.10.2.0/24 -> 10.0.10.12 (node-2)',
        '10.10.3.0/24 -> 10.0.10.13 (node-3)',
      ]);
      expect(expectedRoutes(run.artifacts[6]!['bgp-switch-checklist-peer-b.yaml'])).toEqual([
        '10.10.5.0/24 -> 10.0.20.15 (node-5)',
        '10.10.6.0/24 -> 10.0.20.16 (node-6)',
        '10.10.7.0/24 -> 10.0.20.17 (node-7)',
      ]);
    });

    it('a speaker leaving drops its route from the checklist and warns; cluster-deleted renders nothing and leaves the seeded route alone', async () => {
      const removed = run.reports[7]!;
      expect(removed.changes).toEqual([]);
      expect(expectedRoutes(run.artifacts[7]!['bgp-switch-checklist-peer-b.yaml'])).toEqual(['10.10.5.0/24 -> 10.0.20.15 (node-5)', '10.10.6.0/24 -> 10.0.20.16 (node-6)']);
      expect(removed.warnings.join('\n')).toContain('BGPPeer peer-b: 2 speaker(s) left, fewer than 3');
      const deleted = run.reports[8]!;
      expect(deleted.changes).toEqual([]);
      expect(deleted.artifacts).toEqual([]);
      expect(await exportSandbox(run.runtime.deps.store)).toEqual(run.seed);
    });
  });

  describe('Scenario: terway-edge-two-domains, variant broken-peer', () => {
    const name = 'terway-edge-two-domains';
    let run: Run;
    beforeAll(async () => {
      const variant = scenarioFile(name).variants!.find((v) => v.name === 'broken-peer')!;
      run = await runAll(name, variant.events, variant.profile);
    });
    afterAll(() => close(run));

    it('2 speakers and a 120 s graceful restart block peer-b with one peer-level change naming both rules; nothing is rendered for it', () => {
      const [created, nodeB] = run.reports;
      expect(moved(created!)).toEqual(['blocked create bgp-edge bgp-peer peer-b -']);
      expect(moved(nodeB!)).toEqual(['blocked create bgp-edge bgp-peer peer-b -']);
      expect(nodeB!.changes).toHaveLength(1);
      for (const change of nodeB!.changes) {
        expect(change.reason).toContain('rule min-speakers');
        expect(change.reason).toContain('2 listed (node-5, node-6)');
        expect(change.reason).toContain('rule graceful-restart');
        expect(change.reason).toContain('got 120');
      }
      expect(nodeB!.artifacts.map((a) => a.name).sort()).toEqual(['bgp-peer-peer-a.yaml', 'bgp-switch-checklist-peer-a.yaml']);
      expect(nodeB!.counts.applied).toBe(0);
    });
  });

  describe('Scenario: cce-vpc-security-group (guide 003, intra-VPC access)', () => {
    const name = 'cce-vpc-security-group';
    let vpc: Run;
    let overlay: Run;
    beforeAll(async () => {
      vpc = await runAll(name, scenarioFile(name).events);
      const variant = scenarioFile(name).variants!.find((v) => v.name === 'overlay')!;
      overlay = await runAll(name, variant.events, variant.profile);
    });
    afterAll(async () => {
      await close(vpc);
      await close(overlay);
    });

    it('VPC network model: the ECS security group admits the container CIDR 172.16.0.0/16 on the listed ports, and loses only that', async () => {
      const [created, deleted] = vpc.reports;
      expectNoFailure(created!);
      expect(moved(created!)).toEqual(['applied create security sg-rule sg-ecs0a1b2c 172.16.0.0/16 icmp', 'applied create security sg-rule sg-ecs0a1b2c 172.16.0.0/16 tcp:80']);
      expect(moved(deleted!)).toEqual(['applied delete security sg-rule sg-ecs0a1b2c 172.16.0.0/16 icmp', 'applied delete security sg-rule sg-ecs0a1b2c 172.16.0.0/16 tcp:80']);
      expect(await exportSandbox(vpc.runtime.deps.store)).toEqual(vpc.seed);
    });

    it('tunnel (overlay) model: the node subnet instead, a /32 for a node outside it until it leaves; the existing icmp rule stays foreign', async () => {
      const [created, added, removed, deleted] = overlay.reports;
      expect(moved(created!)).toEqual(['applied create security sg-rule sg-ecs0a1b2c 192.168.10.0/24 tcp:80']);
      expect(unchanged(created!)).toEqual(['unchanged create security sg-rule sg-ecs0a1b2c 192.168.10.0/24 icmp']);
      expect(moved(added!)).toEqual(['applied create security sg-rule sg-ecs0a1b2c 192.168.20.7/32 icmp', 'applied create security sg-rule sg-ecs0a1b2c 192.168.20.7/32 tcp:80']);
      expect(moved(removed!)).toEqual(['applied delete security sg-rule sg-ecs0a1b2c 192.168.20.7/32 icmp', 'applied delete security sg-rule sg-ecs0a1b2c 192.168.20.7/32 tcp:80']);
      expect(moved(deleted!)).toEqual(['applied delete security sg-rule sg-ecs0a1b2c 192.168.10.0/24 tcp:80']);
      expect(JSON.stringify([created, added, removed, deleted])).not.toContain('172.16.0.0/16');
      expect(await exportSandbox(overlay.runtime.deps.store)).toEqual(overlay.seed);
    });
  });

  describe('Scenario: cce-cross-vpc-peering (guide 004, cross-VPC access)', () => {
    const name = 'cce-cross-vpc-peering';
    let run: Run;
    beforeAll(async () => {
      run = await runAll(name, scenarioFile(name).events);
    });
    afterAll(() => close(run));

    it('vpc-demo2 routes the VPC CIDR and the container CIDR through peering-demo; a new CIDR is added; delete restores the table', async () => {
      const [created, changed, deleted] = run.reports;
      expectNoFailure(created!);
      expect(moved(created!)).toEqual(['applied create peering route rtb-vpc-demo2 10.0.0.0/16 -> peering-demo', 'applied create peering route rtb-vpc-demo2 192.168.0.0/16 -> peering-demo']);
      expect(moved(changed!)).toEqual(['applied create peering route rtb-vpc-demo2 10.2.0.0/16 -> peering-demo']);
      expect(moved(deleted!)).toEqual(
        ['10.0.0.0/16', '10.2.0.0/16', '192.168.0.0/16'].map((cidr) => `applied delete peering route rtb-vpc-demo2 ${cidr} -> peering-demo`),
      );
      expect(await exportSandbox(run.runtime.deps.store)).toEqual(run.seed);
    });
  });

  describe('Scenario: cce-redis-whitelist (guide 003, DCS Redis whitelist)', () => {
    const name = 'cce-redis-whitelist';
    const target = 'redis:dcs-7c2e9b1a';
    let run: Run;
    beforeAll(async () => {
      run = await runAll(name, scenarioFile(name).events);
    });
    afterAll(() => close(run));

    it('adds the container and node CIDRs beside the existing entries, follows nodes and CIDR changes, and ends with the seeded list', async () => {
      const [created, added, removed, changed, deleted] = run.reports;
      const entry = (status: string, action: string, cidr: string) => `${status} ${action} security whitelist-entry ${target} ${cidr}`;
      expectNoFailure(created!);
      expect(moved(created!)).toEqual([entry('applied', 'create', '172.16.0.0/16'), entry('applied', 'create', '192.168.10.0/24')]);
      const whitelist = async () => (await exportSandbox(run.runtime.deps.store)).spec.whitelists.find((w) => w.target === target)!.entries;
      expect(moved(added!)).toEqual([entry('applied', 'create', '192.168.30.9/32')]);
      expect(moved(removed!)).toEqual([entry('applied', 'delete', '192.168.30.9/32')]);
      expect(moved(changed!)).toEqual([entry('applied', 'create', '172.18.0.0/16'), entry('applied', 'delete', '172.16.0.0/16')].sort());
      expect(moved(deleted!)).toEqual([entry('applied', 'delete', '172.18.0.0/16'), entry('applied', 'delete', '192.168.10.0/24')]);
      expect([...(await whitelist())].sort()).toEqual(['10.8.8.8/32', '192.168.50.0/24']);
      expect(await exportSandbox(run.runtime.deps.store)).toEqual(run.seed);
    });

    it('bridge variant: a container CIDR equal to the peer\'s docker0 bridge is blocked, naming both sides; the node subnet is still added', async () => {
      const variant = scenarioFile(name).variants!.find((v) => v.name === 'bridge-conflict')!;
      const bridge = await runAll(name, variant.events, variant.profile);
      try {
        const [created] = bridge.reports;
        expect(moved(created!)).toEqual([`applied create security whitelist-entry ${target} 192.168.10.0/24`, `blocked create security whitelist-entry ${target} 172.17.0.0/16`].sort());
        expect(created!.changes.find((c) => c.cidr === '172.17.0.0/16')!.reason).toBe(
          `172.17.0.0/16 overlaps the container bridge behind ${target} 172.17.0.0/16: the peer's replies to those pods go to its docker0 bridge`,
        );
      } finally {
        await close(bridge);
      }
    });
  });

  describe('Command: podreach run (child process), the first event of each scenario', () => {
    const names = ['tke-idc', 'tke-ccn-conflict', 'terway-edge-one-lan', 'terway-edge-two-lans', 'terway-edge-two-domains', 'cce-vpc-security-group', 'cce-cross-vpc-peering', 'cce-redis-whitelist'];

    it('lists every scenario folder with a scenario.yaml naming its guide and provider', () => {
      for (const name of names) {
        const file = scenarioFile(name);
        expect(file.guide).toMatch(/^00[0-4]_[0-9a-f]+\.txt$/);
        expect(['tencent', 'alibaba', 'huawei']).toContain(file.provider);
        expect(file.events[0]).toMatch(/^events\/01-cluster-created\.json$/);
      }
    });

    it.each(names)('%s: `podreach run` applies the first event as the in-process run does', async (name) => {
      // Prepare
      const dir = mkdtempSync(join(tmpdir(), `podreach-cli-${name}-`));
      const folder = join(root, name);
      const first = scenarioFile(name).events[0]!;
      try {
        // Act
        const result = await runCli(['run', join(folder, first), '--profile', join(folder, 'profile.yaml'), '--sandbox', join(folder, 'sandbox.yaml'), '--state', dir, '--json']);
        const expected = await runAll(name, [first]);
        try {
          // Assess
          expect(result.code).toBe(0);
          const report = parseJson<RunReport>(result);
          expect(report.counts.failed).toBe(0);
          expect(moved(report)).toEqual(moved(expected.reports[0]!));
          expect(report.changes.map((c) => c.id).sort()).toEqual(expected.reports[0]!.changes.map((c) => c.id).sort());
        } finally {
          await close(expected);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
