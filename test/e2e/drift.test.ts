// Drift (issue 13): a route podreach made, deleted by hand in the sandbox, is reported by `podreach drift` (exit 1)
// and put back by the next `podreach reconcile`, which posts one Slack message saying what drifted and what was
// done; with the profile's drift policy `report` it is only reported. The command runs as a child process; Slack is
// a real HTTP receiver on 127.0.0.1.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { parseJson, runCli } from '../support/cli.js';
import { WebhookReceiver } from '../support/slack-receiver.js';

const DEMO = ['--profile', 'examples/profiles/demo.yaml', '--sandbox', 'examples/sandbox/demo.yaml'];
const vpnRoute = { kind: 'route' as const, target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' };

/** Deletes the route behind podreach's back, through the simulated account's API. */
async function deleteByHand(state: string): Promise<void> {
  const local = await startLocalDynamo(state);
  try {
    await new SandboxProvider({ store: local.store, faults: null }).deleteEntry(vpnRoute, { clusterId: 'someone', changeId: 'by-hand' });
  } finally {
    await local.close();
  }
}

async function routes(state: string): Promise<string[]> {
  const local = await startLocalDynamo(state);
  try {
    return (await new SandboxProvider({ store: local.store, faults: null }).listEntries('route', 'rtb-main')).map((e) => `${e.cidr} -> ${e.nextHop}`);
  } finally {
    await local.close();
  }
}

describe('CLI: drift and reconcile', () => {
  let dir: string;
  let slack: WebhookReceiver;
  let webhook: string;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-drift-'));
    slack = new WebhookReceiver();
    webhook = await slack.start();
  });
  afterEach(async () => {
    await slack.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a route deleted by hand, and the next reconcile puts it back with one Slack message', async () => {
    // Prepare
    const state = join(dir, 'state');
    expect((await runCli(['run', 'events/samples/cluster-created.json', ...DEMO, '--state', state])).code).toBe(0);
    expect((await runCli(['drift', '--state', state])).code).toBe(0);
    await deleteByHand(state);

    // Act
    const drift = await runCli(['drift', '--state', state, '--json']);
    const reconcile = await runCli(['reconcile', '--state', state, '--json'], { SLACK_WEBHOOK_URL: webhook });
    const after = await runCli(['drift', '--state', state]);

    // Assess
    expect(drift.code).toBe(1);
    expect(parseJson<{ drift: unknown[] }>(drift).drift).toEqual([expect.objectContaining({ clusterId: 'cls-demo', flow: 'vpn', ...vpnRoute, drift: 'removed' })]);
    expect(reconcile.code).toBe(0);
    expect(await routes(state)).toContain('10.20.0.0/16 -> vpngw-1');
    expect(after.code).toBe(0);
    expect(slack.received).toHaveLength(1);
    const text = JSON.stringify(slack.received[0]!.body);
    expect(text).toContain('Drift');
    expect(text).toContain('10.20.0.0/16 in rtb-main');
    expect(text).toContain('removed by someone');
  });

  it('only reports it where the drift policy is report', async () => {
    // Prepare: the demo profile with drift.policy report
    const profile = parseYaml(readFileSync('examples/profiles/demo.yaml', 'utf8')) as { spec: Record<string, unknown> };
    profile.spec.drift = { policy: 'report' };
    const profileFile = join(dir, 'profile.yaml');
    writeFileSync(profileFile, stringify(profile));
    const state = join(dir, 'state');
    expect((await runCli(['run', 'events/samples/cluster-created.json', '--profile', profileFile, '--sandbox', 'examples/sandbox/demo.yaml', '--state', state])).code).toBe(0);
    await deleteByHand(state);

    // Act
    const reconcile = await runCli(['reconcile', '--state', state, '--json']);

    // Assess
    expect(reconcile.code).toBe(0);
    expect(await routes(state)).not.toContain('10.20.0.0/16 -> vpngw-1');
    const [report] = parseJson<{ changes: { cidr?: string; target: string; status: string; reason?: string }[] }[]>(reconcile);
    expect(report!.changes.find((c) => c.target === 'rtb-main' && c.cidr === '10.20.0.0/16')).toMatchObject({ status: 'blocked', reason: expect.stringContaining('drift policy is report') });
    expect((await runCli(['drift', '--state', state])).code).toBe(1);
  });
});
