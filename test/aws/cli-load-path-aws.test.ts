// `podreach run --provider aws` against moto (an EC2 network the test builds): the command loads the AWS SDK and no
// other cloud's (scripts/load-trace.ts traces every module file it loads), on the first run and on the replay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { traceLoads } from '../../scripts/load-trace.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { buildEc2Network } from './ec2-fixture.js';

const OTHER_CLOUDS = /^(tencentcloud-sdk-nodejs|@alicloud\/|@huaweicloud\/|@darabonba\/)/;

describeIfAws('CLI: what a --provider aws run loads', () => {
  let aws: AwsEndpoint;
  let dir: string;
  let args: string[];
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    const ec2 = new EC2Client(awsClientConfig(aws.endpoint, aws.region));
    const network = await buildEc2Network(ec2);
    ec2.destroy();
    dir = mkdtempSync(join(tmpdir(), 'podreach-aws-load-'));
    // A peering flow only: its routes are EC2 calls moto answers.
    writeFileSync(
      join(dir, 'profile.yaml'),
      [
        'apiVersion: podreach/v1',
        'kind: ConnectivityProfile',
        'metadata: { name: aws-load }',
        'spec:',
        '  match: { clusterIds: [cls-aws-load] }',
        `  vpc: { id: ${network.vpcId}, cidr: 10.50.0.0/16 }`,
        '  peering:',
        `    - connectionId: ${network.peeringId}`,
        '      peerVpc: { id: vpc-peer, cidr: 10.51.0.0/16 }',
        `      peerRouteTableIds: [${network.otherRouteTableId}]`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'event.json'),
      JSON.stringify({
        'detail-type': 'Cluster Created',
        source: 'podreach.cluster',
        detail: {
          clusterId: 'cls-aws-load',
          provider: 'aws',
          region: aws.region,
          vpcId: network.vpcId,
          networkModel: 'vpc-router',
          podCidrs: ['10.60.0.0/16'],
          nodeSubnets: [{ subnetId: network.subnetId, cidr: '10.50.1.0/24' }],
          occurredAt: '2026-11-20T08:00:00Z',
        },
      }),
    );
    args = ['run', join(dir, 'event.json'), '--provider', 'aws', '--state', join(dir, 'state'), '--json'];
    env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: aws.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  }, 120_000);

  afterAll(async () => {
    await aws?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads the AWS SDK and no other cloud SDK, on the first run and on the replay', async () => {
    // Act
    const first = await traceLoads([...args.slice(0, 2), '--profile', join(dir, 'profile.yaml'), ...args.slice(2)], env);
    const replay = await traceLoads(args, env);

    // Assess: both runs did their work through the AWS adapter...
    expect([first.code, replay.code]).toEqual([0, 0]);
    const applied = (result: { stdout: string }) => (JSON.parse(result.stdout) as { counts: { applied: number } }).counts.applied;
    expect(applied(first)).toBeGreaterThan(0);
    expect(applied(replay)).toBe(0);
    // ...with the AWS SDK loaded and no other cloud's
    for (const run of [first, replay]) {
      expect(run.loaded.has('@aws-sdk/client-ec2')).toBe(true);
      expect([...run.loaded.keys()].filter((name) => OTHER_CLOUDS.test(name))).toEqual([]);
    }
  }, 120_000);
});
