// Issue 13 acceptance on every seed scenario (examples/scenarios), against the sandbox on dynalite with the
// synthesized state machines: the cluster is known (its events ran under its profile with no section yet: the name,
// match and VPC only) and its whole profile is stored, but no flow has run for it yet. Diagnose from a pod to the scenario's far side then fails, naming each
// missing hop and its fix; doing what the fixes say (triggering those flows) makes it pass, manual checks aside.
// Diagnose never makes a mutating call on the simulated account.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseClusterEventJson } from '../../events/parse.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { diagnose } from '../../functions/application/diagnose.js';
import { parseProfileText } from '../../functions/application/profile-text.js';
import { runFlow } from '../../functions/application/run-event.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { diagnosisExitCode } from '../../functions/cli/diagnose-command.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import type { Diagnosis, Hop } from '../../functions/domain/diagnose/index.js';
import { InvalidInputError } from '../../functions/domain/errors.js';
import type { ChangeKind, Flow } from '../../functions/domain/model.js';
import type { NetworkProvider, ProviderRegistry } from '../../functions/ports/network-provider.js';
import { profileSpecSchema, type ConnectivityProfile } from '../../functions/domain/profile.js';

const root = 'examples/scenarios';

interface FarSide {
  scenario: string;
  /** The events that make the cluster known (files under the scenario); they run while no profile matches it. */
  events: string[];
  profile?: string;
  to: string;
  from?: string;
}

const created = 'events/01-cluster-created.json';
const nodes = (count: number, names: string[]) => names.slice(0, count).map((name, index) => `events/0${index + 2}-node-added-${name}.json`);

/** One far side (or two) per scenario: where its guide says the pods must get to. */
const FAR_SIDES: FarSide[] = [
  { scenario: 'tke-idc', events: [created], to: '10.0.0.10:443' },
  { scenario: 'tke-idc', events: [created], to: '10.20.0.10', from: '172.16.3.4' },
  { scenario: 'tke-ccn-conflict', events: [created], to: '10.0.0.10', from: '172.20.1.1' },
  { scenario: 'terway-edge-one-lan', events: [created, ...nodes(4, ['node-1', 'node-2', 'node-3', 'node-4'])], to: '192.168.1.10:22', from: '10.10.0.5' },
  { scenario: 'terway-edge-two-lans', events: [created, ...nodes(6, ['node-1', 'node-2', 'node-3', 'node-5', 'node-6', 'node-7'])], to: '10.10.5.9', from: '10.10.1.5' },
  { scenario: 'terway-edge-two-domains', events: [created, ...nodes(6, ['node-1', 'node-2', 'node-3', 'node-5', 'node-6', 'node-7'])], to: '10.10.5.9', from: '10.10.1.5' },
  { scenario: 'cce-vpc-security-group', events: [created], to: '192.168.10.52:80/tcp' },
  { scenario: 'cce-vpc-security-group', events: ['variants/overlay/01-cluster-created.json', 'variants/overlay/02-node-added.json'], to: '192.168.10.52:80/tcp' },
  { scenario: 'cce-cross-vpc-peering', events: [created], to: '10.1.0.52:443' },
  { scenario: 'cce-redis-whitelist', events: [created, 'events/02-node-added.json'], to: '192.168.0.100:6379' },
];

const eventOf = (scenario: string, file: string) => parseClusterEventJson(readFileSync(join(root, scenario, file), 'utf8'), file);
const failing = (diagnosis: Diagnosis) => diagnosis.hops.filter((hop) => hop.status === 'missing' || hop.status === 'conflict');
const line = (hop: Hop) => `${hop.check} ${hop.where}`;

interface Opened {
  runtime: LocalRuntime;
  dir: string;
  clusterId: string;
  sandbox: SandboxProvider;
}

/** The profile with its name, match and VPC but no section: a cluster under it gets nothing planned. */
function skeletonOf(profile: ConnectivityProfile): ConnectivityProfile {
  return { ...profile, spec: profileSpecSchema.parse({ match: profile.spec.match, ...(profile.spec.vpc ? { vpc: profile.spec.vpc } : {}) }) };
}

/** The cluster known (its events ran under the skeleton of its profile), its whole profile stored, nothing applied for it. */
async function known(side: Pick<FarSide, 'scenario' | 'events' | 'profile'>): Promise<Opened> {
  const dir = mkdtempSync(join(tmpdir(), `podreach-diagnose-${side.scenario}-`));
  const runtime = await openLocalRuntime({ stateDir: dir, sandboxFile: join(root, side.scenario, 'sandbox.yaml') });
  try {
    const profile = parseProfileText(readFileSync(join(root, side.scenario, side.profile ?? 'profile.yaml'), 'utf8'), side.profile ?? 'profile.yaml');
    await runtime.deps.store.putProfile(skeletonOf(profile));
    let clusterId = '';
    for (const file of side.events) {
      const report = await runEventReport(runtime, eventOf(side.scenario, file), true);
      clusterId = report.clusterId;
      // the profile asks for nothing yet: nothing is planned for the cluster
      expect(report.changes).toEqual([]);
    }
    await runtime.deps.store.putProfile(profile);
    const sandbox = runtime.deps.providers.get('sandbox', 'local');
    if (!(sandbox instanceof SandboxProvider)) throw new Error('the local runtime has no sandbox adapter');
    return { runtime, dir, clusterId, sandbox };
  } catch (error) {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function diagnosed(opened: Opened, side: Pick<FarSide, 'to' | 'from'>): Promise<{ diagnosis: Diagnosis; mutating: number }> {
  const before = opened.sandbox.cloud.mutatingCalls();
  const diagnosis = await diagnose({ clusterId: opened.clusterId, to: side.to, ...(side.from ? { from: side.from } : {}) }, { store: opened.runtime.deps.store, providers: opened.runtime.deps.providers });
  return { diagnosis, mutating: opened.sandbox.cloud.mutatingCalls() - before };
}

async function close(opened: Opened | undefined): Promise<void> {
  if (!opened) return;
  await opened.runtime.close();
  rmSync(opened.dir, { recursive: true, force: true });
}

describe('Diagnose: every seed scenario, before and after its flows run', () => {
  it('covers every scenario of examples/scenarios', () => {
    const scenarios = readdirSync(root, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    expect([...new Set(FAR_SIDES.map((side) => side.scenario))].sort()).toEqual(scenarios);
  });

  describe.each(FAR_SIDES.map((side) => [`${side.scenario}: ${side.from ?? 'pods'} -> ${side.to} (${side.events.at(-1) ?? ''})`, side] as const))('%s', (_name, side) => {
    let opened: Opened | undefined;
    afterAll(() => close(opened));

    it('fails before the flows run, naming each missing hop and its fix; the fixes done, it passes but for manual checks', async () => {
      // Prepare
      opened = await known(side);

      // Act: before
      const before = await diagnosed(opened, side);

      // Assess: every failing hop is missing and says which flow lays it (the profile is complete)
      expect(diagnosisExitCode(before.diagnosis)).toBe(1);
      expect(before.mutating).toBe(0);
      const missing = failing(before.diagnosis);
      expect(missing.length).toBeGreaterThan(0);
      for (const hop of missing) {
        expect({ hop: line(hop), status: hop.status, flow: hop.fix?.flow }).toEqual({ hop: line(hop), status: 'missing', flow: expect.any(String) });
      }

      // Act: do what the fixes say
      const flows = [...new Set(missing.map((hop) => hop.fix?.flow).filter((flow): flow is Flow => flow !== undefined))];
      for (const flow of flows) {
        const summary = await runFlow(opened.clusterId, flow, { runner: opened.runtime.runner }, `diagnose-fix-${flow}`);
        expect(summary.outcome).toBe('succeeded');
      }
      const after = await diagnosed(opened, side);

      // Assess
      expect(after.mutating).toBe(0);
      expect(diagnosisExitCode(after.diagnosis)).toBe(0);
      expect(failing(after.diagnosis)).toEqual([]);
      // each hop that was missing is now in place
      const now = new Map(after.diagnosis.hops.map((hop) => [line(hop), hop.status]));
      expect(missing.map((hop) => `${line(hop)}: ${now.get(line(hop)) ?? 'gone'}`)).toEqual(missing.map((hop) => `${line(hop)}: ok`));
    }, 120_000);
  });
});

describe('Diagnose: what the scenarios show beside their far side', () => {
  let opened: Opened | undefined;
  afterEach(async () => {
    await close(opened);
    opened = undefined;
  });

  it("cce-vpc-security-group: the ECS's group admits only the node subnet; diagnose names the group and the missing container CIDR", async () => {
    opened = await known({ scenario: 'cce-vpc-security-group', events: [created] });
    const { diagnosis } = await diagnosed(opened, { to: '192.168.10.52' });
    expect(failing(diagnosis).map((hop) => [hop.check, hop.where, hop.detail])).toEqual([
      ['sg-rule', 'sg-ecs0a1b2c', expect.stringMatching(/^172\.16\.0\.0\/16 on any port not admitted by sg-ecs0a1b2c's ingress rules; sg-ecs0a1b2c holds 192\.168\.10\.0\/24 icmp/)],
    ]);
  });

  it('cce-redis-whitelist (bridge variant): a container CIDR inside the peer bridge 172.17.0.0/16 is named as the conflict', async () => {
    opened = await known({ scenario: 'cce-redis-whitelist', events: ['variants/bridge/01-cluster-created.json'] });
    await runFlow(opened.clusterId, 'security', { runner: opened.runtime.runner }, 'bridge');
    const { diagnosis } = await diagnosed(opened, { to: '192.168.0.100:6379' });
    const conflict = diagnosis.hops.find((hop) => hop.status === 'conflict');
    expect(conflict?.detail).toBe("172.17.0.0/16 overlaps the container bridge behind redis:dcs-7c2e9b1a 172.17.0.0/16: the peer's replies to those pods go to its docker0 bridge");
    expect(diagnosisExitCode(diagnosis)).toBe(1);
  });

  it('tke-ccn-conflict: the container CIDR registered disabled beside vpc-rival01 stays a conflict after the run, naming the rival', async () => {
    opened = await known({ scenario: 'tke-ccn-conflict', events: [created] });
    await runFlow(opened.clusterId, 'cloud-connect', { runner: opened.runtime.runner }, 'ccn');
    const { diagnosis } = await diagnosed(opened, { to: '10.0.0.10', from: '172.21.0.9' });
    expect(failing(diagnosis).map((hop) => [hop.detail, hop.fix?.profileSection])).toEqual([
      ['172.21.0.0/16 from vpc-ccn01 is registered but disabled: it overlaps 172.21.8.0/24 of vpc-rival01', 'spec.cloudConnect[0].enableConflicting'],
    ]);
  });

  it("reads each target in the account the profile places it in: the peer VPC's table and the destination in the peer's account", async () => {
    // Prepare: the peering scenario with its peer VPC in account peer-acct
    opened = await known({ scenario: 'cce-cross-vpc-peering', events: [created] });
    const profile = parseProfileText(readFileSync(join(root, 'cce-cross-vpc-peering', 'profile.yaml'), 'utf8'), 'profile.yaml');
    const [peering] = profile.spec.peering;
    if (!peering) throw new Error('the scenario has no peering section');
    await opened.runtime.deps.store.putProfile({ ...profile, spec: { ...profile.spec, peering: [{ ...peering, peerVpc: { ...peering.peerVpc, account: 'peer-acct' } }] } });
    const real = opened.runtime.deps.providers;
    const asked: string[] = [];
    const recording: ProviderRegistry = {
      get: (provider, region, account) => {
        const adapter = real.get(provider, region, account);
        return Object.assign(Object.create(adapter) as NetworkProvider, {
          listEntries: (kind: ChangeKind, target: string) => {
            asked.push(`${kind} ${target} @${account ?? 'own'}`);
            return adapter.listEntries(kind, target);
          },
          findAddress: (ip: string) => {
            asked.push(`address ${ip} @${account ?? 'own'}`);
            return adapter.findAddress?.(ip);
          },
        });
      },
    };

    // Act
    await diagnose({ clusterId: opened.clusterId, to: '10.1.0.52:443' }, { store: opened.runtime.deps.store, providers: recording });

    // Assess
    expect(asked).toEqual(expect.arrayContaining(['address 10.1.0.52 @peer-acct', 'route rtb-vpc-demo2 @peer-acct']));
    expect(asked.filter((read) => read.includes('rtb-vpc-demo2') || read.startsWith('address')).every((read) => read.endsWith('@peer-acct'))).toBe(true);
  });

  it('a read that fails (access denied) leaves its hop unknown, naming the error, and the other hops are still judged; bad settings stay exit 2', async () => {
    // Prepare: the sandbox account, seen through a registry whose security group reads are refused
    opened = await known({ scenario: 'cce-vpc-security-group', events: [created] });
    const real = opened.runtime.deps.providers;
    const refusing = (error: Error): ProviderRegistry => ({
      get: (provider, region, account) => {
        const adapter = real.get(provider, region, account);
        return Object.assign(Object.create(adapter) as NetworkProvider, {
          listEntries: (kind: ChangeKind, target: string) => (kind === 'sg-rule' ? Promise.reject(error) : adapter.listEntries(kind, target)),
        });
      },
    });
    const denied = Object.assign(new Error('You are not authorized to perform this operation.'), { name: 'UnauthorizedOperation' });
    const request = { clusterId: opened.clusterId, to: '192.168.10.52:80/tcp' };

    // Act
    const diagnosis = await diagnose(request, { store: opened.runtime.deps.store, providers: refusing(denied) });
    const badSetting = diagnose(request, { store: opened.runtime.deps.store, providers: refusing(new InvalidInputError('projectId', 'is required')) });

    // Assess
    const rule = diagnosis.hops.find((hop) => hop.check === 'sg-rule');
    expect(rule).toMatchObject({ status: 'unknown', where: 'sg-ecs0a1b2c' });
    expect(rule?.detail).toContain('reading sg-rule sg-ecs0a1b2c failed: UnauthorizedOperation: You are not authorized to perform this operation.');
    expect(diagnosis.hops.find((hop) => hop.check === 'destination')?.status).toBe('ok');
    await expect(badSetting).rejects.toThrow(/projectId: is required/);
  });

  it('terway-edge-two-domains (broken peer): peer-b breaks the speaker and graceful-restart rules, named with the profile section to change', async () => {
    opened = await known({ scenario: 'terway-edge-two-domains', events: [created, ...nodes(6, ['node-1', 'node-2', 'node-3', 'node-5', 'node-6', 'node-7'])], profile: 'profile-broken.yaml' });
    const { diagnosis } = await diagnosed(opened, { to: '10.10.5.9', from: '10.10.1.5' });
    const broken = diagnosis.hops.filter((hop) => hop.status === 'conflict');
    expect(broken.map((hop) => [hop.where, hop.fix?.profileSection])).toEqual([['BGPPeer peer-b', 'spec.bgp.peers[1]']]);
    expect(broken[0]?.detail).toMatch(/rule min-speakers: at least 3 BGP speakers are required.*rule graceful-restart: gracefulRestartSeconds must be at least 300, got 120/);
  });
});
