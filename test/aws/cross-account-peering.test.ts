// A profile whose peer VPC is in a second AWS account: `podreach run --provider aws --credentials FILE` writes the
// peering route there through that account's role (STS AssumeRole with the external id), while the cluster's account
// is another. moto keeps one backend per account and maps the keys AssumeRole issues to the role's account, so the
// route lands in the peer account only if the assumed credentials signed the call. The call log is a recording
// proxy in front of the emulator.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcceptVpcPeeringConnectionCommand, CreateRouteTableCommand, CreateVpcCommand, CreateVpcPeeringConnectionCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { stringify } from 'yaml';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { parseJson, runCli } from '../support/cli.js';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { ungranted } from '../support/policy-coverage.js';

const CLUSTER_ACCOUNT = '123456789012'; // moto's default account: the base credentials'
const PEER_ACCOUNT = '222222222222';
const PEER_ROLE = `arn:aws:iam::${PEER_ACCOUNT}:role/podreach-peer`;
const EXTERNAL_ID = 'podreach-7f3a';

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`emulator returned no ${what}`);
  return value;
}

describeIfAws('Accounts: a peering route in a second AWS account (moto)', () => {
  let emulator: AwsEndpoint | undefined;
  let proxy: RecordingProxy;
  let dir: string;
  let clusterEc2: EC2Client;
  let peerEc2: EC2Client;
  const ids = { clusterVpc: '', peerVpc: '', peerRouteTable: '', peering: '' };

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    proxy = await recordingProxy(emulator.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'podreach-accounts-'));
    // Prepare both accounts directly on the emulator (not through the proxy): the cluster's VPC with the base keys, the
    // peer's VPC and route table with keys of the peer account's role
    const config = awsClientConfig(emulator.endpoint, emulator.region);
    clusterEc2 = new EC2Client(config);
    const peerKeys = await fromTemporaryCredentials({
      masterCredentials: config.credentials,
      params: { RoleArn: `arn:aws:iam::${PEER_ACCOUNT}:role/test-setup`, RoleSessionName: 'setup' },
      clientConfig: { region: config.region, endpoint: config.endpoint },
    })();
    peerEc2 = new EC2Client({ ...config, credentials: peerKeys });
    ids.clusterVpc = must((await clusterEc2.send(new CreateVpcCommand({ CidrBlock: '192.168.0.0/16' }))).Vpc?.VpcId, 'cluster VPC');
    ids.peerVpc = must((await peerEc2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId, 'peer VPC');
    ids.peerRouteTable = must((await peerEc2.send(new CreateRouteTableCommand({ VpcId: ids.peerVpc }))).RouteTable?.RouteTableId, 'peer route table');
    ids.peering = must(
      (await clusterEc2.send(new CreateVpcPeeringConnectionCommand({ VpcId: ids.clusterVpc, PeerVpcId: ids.peerVpc, PeerOwnerId: PEER_ACCOUNT, PeerRegion: emulator.region }))).VpcPeeringConnection?.VpcPeeringConnectionId,
      'peering connection',
    );
    await peerEc2.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: ids.peering }));
  });

  afterAll(async () => {
    clusterEc2?.destroy();
    peerEc2?.destroy();
    await proxy?.close();
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('assumes the peer account\'s role (with its external id), then creates the route with those credentials, in that account only', async () => {
    // Prepare: the profile names the peer VPC's account; the credentials say how to reach it
    const profile = {
      apiVersion: 'podreach/v1',
      kind: 'ConnectivityProfile',
      metadata: { name: 'cross-account' },
      spec: {
        match: { clusterIds: ['cls-cross'] },
        vpc: { id: ids.clusterVpc, cidr: '192.168.0.0/16' },
        peering: [{ connectionId: ids.peering, peerVpc: { id: ids.peerVpc, cidr: '10.1.0.0/16', account: PEER_ACCOUNT }, peerRouteTableIds: [ids.peerRouteTable] }],
      },
    };
    const event = {
      'detail-type': 'Cluster Created',
      source: 'podreach.cluster',
      detail: { clusterId: 'cls-cross', provider: 'aws', region: emulator?.region, vpcId: ids.clusterVpc, networkModel: 'overlay', podCidrs: ['172.16.0.0/16'], occurredAt: '2026-11-20T08:00:00Z' },
    };
    const credentials = { accounts: { aws: { [PEER_ACCOUNT]: { roleArn: PEER_ROLE, externalId: EXTERNAL_ID } } } };
    writeFileSync(join(dir, 'profile.yaml'), stringify(profile));
    writeFileSync(join(dir, 'event.json'), JSON.stringify(event));
    writeFileSync(join(dir, 'credentials.yaml'), stringify(credentials));
    const env = { AWS_ENDPOINT_URL: proxy.url, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: emulator?.region ?? 'us-east-1' };

    // Act
    const run = await runCli(['run', join(dir, 'event.json'), '--provider', 'aws', '--profile', join(dir, 'profile.yaml'), '--credentials', join(dir, 'credentials.yaml'), '--state', join(dir, 'state'), '--json'], env);

    // Assess: the route was applied, in the peer account's route table
    expect(run.code).toBe(0);
    const report = parseJson<{ changes: { kind: string; target: string; cidr: string; status: string; account?: string }[] }>(run);
    expect(report.changes).toEqual([expect.objectContaining({ kind: 'route', target: ids.peerRouteTable, cidr: '192.168.0.0/16', status: 'applied', account: PEER_ACCOUNT })]);
    const peerRoutes = (await peerEc2.send(new DescribeRouteTablesCommand({ RouteTableIds: [ids.peerRouteTable] }))).RouteTables?.[0]?.Routes ?? [];
    expect(peerRoutes.filter((route) => route.DestinationCidrBlock === '192.168.0.0/16').map((route) => route.VpcPeeringConnectionId)).toEqual([ids.peering]);
    // the cluster's account has no such route table: nothing was written there
    await expect(clusterEc2.send(new DescribeRouteTablesCommand({ RouteTableIds: [ids.peerRouteTable] }))).rejects.toMatchObject({ name: 'InvalidRouteTableID.NotFound' });

    // Assess: the call log shows AssumeRole (base keys, the role, the external id), then CreateRoute signed with the keys it issued
    const assumeRole = proxy.calls.find((call) => call.service === 'sts' && call.action === 'AssumeRole');
    expect(assumeRole).toMatchObject({ accessKeyId: 'testing', params: expect.objectContaining({ RoleArn: PEER_ROLE, ExternalId: EXTERNAL_ID }), status: 200 });
    const issuedKey = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(assumeRole?.response ?? '')?.[1];
    expect(issuedKey).toBeDefined();
    const createRoute = proxy.calls.find((call) => call.action === 'CreateRoute');
    expect(createRoute).toMatchObject({ service: 'ec2', accessKeyId: issuedKey, params: expect.objectContaining({ RouteTableId: ids.peerRouteTable, DestinationCidrBlock: '192.168.0.0/16' }) });
    expect(proxy.calls.indexOf(assumeRole!)).toBeLessThan(proxy.calls.indexOf(createRoute!));
    // every call to the peer account went out with the role's keys, none with the base keys
    const peerCalls = proxy.calls.filter((call) => call.params['RouteTableId.1'] === ids.peerRouteTable || call.params['RouteTableId'] === ids.peerRouteTable);
    expect(peerCalls.length).toBeGreaterThan(0);
    expect(peerCalls.every((call) => call.accessKeyId === issuedKey)).toBe(true);
    // and the least-privilege policy for peering (plus the role to assume) grants every call sent
    const sent = proxy.calls.filter((call) => call.service === 'ec2').map((call) => `ec2:${call.action}`);
    expect(ungranted('aws', ['peering'], sent)).toEqual([]);
    expect(CLUSTER_ACCOUNT).not.toBe(PEER_ACCOUNT);
  });
});
