// What a run costs in AWS API calls (issue 11), counted on moto through a recording proxy on 127.0.0.1 that passes
// every EC2 request on: the plan's snapshot reads each resource once per flow, an applied change costs its one
// write and at most one read to verify it, nothing lists a target again after the adapter verified, and a replay
// makes no mutating call.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { stringify } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { runEventReport } from '../../functions/cli/commands.js';
import { openLocalRuntime } from '../../functions/cli/local-runtime.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { buildEc2Network, type Ec2Network } from './ec2-fixture.js';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy.js';

const isRead = (action: string) => action.startsWith('Describe') || action.startsWith('Search') || action.startsWith('Get');

describeIfAws('AWS calls per run (moto, through a recording proxy)', () => {
  let emulator: AwsEndpoint | undefined;
  let proxy: RecordingProxy;
  let net: Ec2Network;
  let dir: string;
  const env = { ...process.env };

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    const ec2 = new EC2Client(awsClientConfig(emulator.endpoint, emulator.region));
    net = await buildEc2Network(ec2);
    ec2.destroy();
    proxy = await recordingProxy(emulator.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'podreach-calls-'));
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: emulator.region });
  });
  afterAll(async () => {
    process.env = env;
    await proxy?.close();
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reads each resource once per flow, writes once per change, and a replay writes nothing', async () => {
    // Prepare: peering routes in a route table of the peer side and rules in a security group, for two pod CIDRs
    const profile = join(dir, 'profile.yaml');
    writeFileSync(
      profile,
      stringify({
        apiVersion: 'podreach/v1',
        kind: 'ConnectivityProfile',
        metadata: { name: 'calls' },
        spec: {
          match: { vpcIds: [net.vpcId] },
          peering: [{ connectionId: net.peeringId, peerVpc: { id: 'vpc-peer', cidr: '10.77.0.0/16' }, peerRouteTableIds: [net.otherRouteTableId] }],
          securityGroups: [{ id: net.securityGroupId, ports: ['tcp:443'] }],
        },
      }),
    );
    const event = JSON.parse(readFileSync('events/samples/cluster-created.json', 'utf8')) as { detail: Record<string, unknown> };
    Object.assign(event.detail, { provider: 'aws', region: emulator!.region, vpcId: net.vpcId, profile: 'calls', podCidrs: ['10.244.0.0/16', '10.245.0.0/16'], nodeSubnets: [] });
    const created = parseClusterEventJson(JSON.stringify(event), 'created');
    const runtime = await openLocalRuntime({ stateDir: join(dir, 'state'), profileFile: profile, provider: 'aws', endpoints: { aws: proxy.url } });
    try {
      // Act
      const first = await runEventReport(runtime, created, true);
      const firstCalls = proxy.calls.splice(0).map((call) => call.action);
      const replay = await runEventReport(runtime, created, true);
      const replayCalls = proxy.calls.splice(0).map((call) => call.action);

      // Assess
      expect(first.counts.failed).toBe(0);
      const applied = first.counts.applied;
      expect(applied).toBe(4); // peering: a route per pod CIDR in the peer table; security: a rule per pod CIDR on tcp:443
      const writes = firstCalls.filter((action) => !isRead(action));
      const reads = firstCalls.filter(isRead);
      expect(writes).toHaveLength(applied);
      // one snapshot read per resource per flow (the route table, the security group) plus one per change: its write
      // first, then the read that verifies it
      expect(reads.length).toBeLessThanOrEqual(2 + applied);
      expect(replay.counts).toMatchObject({ applied: 0, failed: 0 });
      expect(replayCalls.filter((action) => !isRead(action))).toEqual([]);
      expect(replayCalls.filter(isRead).length).toBeLessThanOrEqual(2);
    } finally {
      await runtime.close();
    }
  });
});
