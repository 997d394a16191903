// `podreach diagnose --aws` against moto: the table found through the PodreachStateful stack's TableName output (or
// --table), the cluster's facts and profile read from it, the destination found by its address
// (DescribeNetworkInterfaces) and its security group, routes and VPN read from EC2 — every call through a recording
// proxy, which must see no mutating call. Changes made behind the command's back turn the hops ok.
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateCustomerGatewayCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateVpnConnectionCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DynamoStateStore } from '../../functions/adapters/dynamodb/state-store.js';
import type { Diagnosis } from '../../functions/domain/diagnose/index.js';
import type { ClusterFacts } from '../../functions/domain/model.js';
import { profileSchema } from '../../functions/domain/profile.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { parseJson, runCli } from '../support/cli.js';
import { ungranted } from '../support/policy-coverage.js';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { buildEc2Network, type Ec2Network } from './ec2-fixture.js';

/** The stateful stack as CloudFormation holds it: the table (pk / sk) and its TableName output. */
const TEMPLATE = JSON.stringify({
  Resources: {
    StateTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      },
    },
  },
  Outputs: { TableName: { Value: { Ref: 'StateTable' } } },
});

/** What the proxy saw that is not a read (every read podreach makes is a Describe*, Get*, Query, Scan or Search*). */
const mutating = (proxy: RecordingProxy) => proxy.actions().filter((action) => !/^[a-z0-9-]+:(Describe|Get|List|Query|Scan|Search|BatchGet)/.test(action));

describeIfAws('CLI: podreach diagnose --aws', () => {
  let aws: AwsEndpoint;
  let proxy: RecordingProxy;
  let ec2: EC2Client;
  let net: Ec2Network;
  let tableName: string;
  let eniIp: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    const config = awsClientConfig(aws.endpoint, aws.region);
    ec2 = new EC2Client(config);
    net = await buildEc2Network(ec2);
    const subnetCidr = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [net.subnetId] }))).Subnets?.[0]?.CidrBlock ?? '';
    eniIp = subnetCidr.replace(/\.0\/24$/, '.27');
    await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: net.subnetId, PrivateIpAddress: eniIp, Groups: [net.securityGroupId], Description: 'the database' }));
    const customer = await ec2.send(new CreateCustomerGatewayCommand({ Type: 'ipsec.1', BgpAsn: 65000, PublicIp: '198.51.100.7' }));
    const vpn = await ec2.send(new CreateVpnConnectionCommand({ Type: 'ipsec.1', CustomerGatewayId: customer.CustomerGateway?.CustomerGatewayId, VpnGatewayId: net.vpnGatewayId }));

    const cloudFormation = new CloudFormationClient(config);
    await cloudFormation.send(new CreateStackCommand({ StackName: 'PodreachStateful', TemplateBody: TEMPLATE }));
    tableName = (await cloudFormation.send(new DescribeStacksCommand({ StackName: 'PodreachStateful' }))).Stacks?.[0]?.Outputs?.find((output) => output.OutputKey === 'TableName')?.OutputValue ?? '';
    cloudFormation.destroy();
    const vpcCidr = subnetCidr.replace(/\.2\.0\/24$/, '.0.0/16');
    const dynamo = new DynamoDBClient(config);
    const store = new DynamoStateStore({ client: dynamo, tableName });
    const facts: ClusterFacts = {
      clusterId: 'cls-aws',
      provider: 'aws',
      region: aws.region,
      vpcId: net.vpcId,
      networkModel: 'vpc-router',
      podCidrs: ['10.100.0.0/16'],
      nodeSubnets: [{ subnetId: net.subnetId, cidr: subnetCidr }],
      nodes: {},
      deleted: false,
      seen: { created: '2026-11-20T08:00:00Z', podCidrs: '2026-11-20T08:00:00Z', nodes: {} },
    };
    await store.putCluster(facts, undefined);
    await store.putProfile(
      profileSchema.parse({
        apiVersion: 'podreach/v1',
        kind: 'ConnectivityProfile',
        metadata: { name: 'aws-diagnose' },
        spec: {
          match: { clusterIds: ['cls-aws'] },
          vpc: { id: net.vpcId, cidr: vpcCidr },
          vpn: [{ connectionId: vpn.VpnConnection?.VpnConnectionId, gatewayId: net.vpnGatewayId, remoteCidrs: ['10.20.0.0/16'], routeTableIds: [net.routeTableId] }],
        },
      }),
    );
    dynamo.destroy();
    proxy = await recordingProxy(aws.endpoint);
    env = { AWS_ENDPOINT_URL: proxy.url, AWS_REGION: aws.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  }, 120_000);
  afterAll(async () => {
    ec2?.destroy();
    await proxy?.close();
    await aws?.stop();
  });

  it("finds the table by the stack's output and the destination's group by its address; a missing rule fails, the rule added by hand passes; no mutating call", async () => {
    // Act
    const before = await runCli(['diagnose', '--aws', '--cluster', 'cls-aws', '--to', `${eniIp}:5432`, '--json'], env);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, IpRanges: [{ CidrIp: '10.100.0.0/16' }] }] }));
    const after = await runCli(['diagnose', '--aws', '--table', tableName, '--cluster', 'cls-aws', '--to', `${eniIp}:5432`, '--json'], env);

    // Assess
    expect(before.code).toBe(1);
    const report = parseJson<Diagnosis>(before);
    expect(report.path.kind).toBe('same-vpc');
    expect(report.destination).toMatchObject({ ip: eniIp, vpcId: net.vpcId, securityGroups: [net.securityGroupId], provider: 'aws' });
    expect(report.hops.filter((hop) => hop.status === 'missing').map((hop) => [hop.check, hop.where, hop.fix?.profileSection])).toEqual([['sg-rule', net.securityGroupId, 'spec.securityGroups']]);
    expect(after.code).toBe(0);
    expect(parseJson<Diagnosis>(after).hops.find((hop) => hop.check === 'sg-rule')?.status).toBe('ok');
    expect(proxy.actions()).toEqual(expect.arrayContaining(['cloudformation:DescribeStacks', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups']));
    expect(mutating(proxy)).toEqual([]);
    // every EC2 call is one `podreach permissions --provider aws --mode diagnose` grants
    const ec2Calls = proxy.actions().filter((action) => action.startsWith('ec2:'));
    expect(ec2Calls.length).toBeGreaterThan(0);
    expect(ungranted('aws', ['vpn', 'security'], ec2Calls, 'diagnose')).toEqual([]);
  }, 120_000);

  it('VPN: the route table lacks the remote network (missing, the vpn flow its fix) until a route is laid', async () => {
    const before = await runCli(['diagnose', '--aws', '--table', tableName, '--cluster', 'cls-aws', '--to', '10.20.0.5'], env);
    await ec2.send(new CreateRouteCommand({ RouteTableId: net.routeTableId, DestinationCidrBlock: '10.20.0.0/16', GatewayId: net.vpnGatewayId }));
    const after = await runCli(['diagnose', '--aws', '--table', tableName, '--cluster', 'cls-aws', '--to', '10.20.0.5', '--json'], env);

    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(new RegExp(`missing +-> +route +${net.routeTableId} .*no route holds 10\\.20\\.0\\.5; expected one to ${net.vpnGatewayId}`));
    expect(before.stdout).toMatch(/podreach trigger vpn --cluster cls-aws/);
    const route = parseJson<Diagnosis>(after).hops.find((hop) => hop.check === 'route');
    expect(route).toMatchObject({ status: 'ok', detail: `10.20.0.0/16 -> ${net.vpnGatewayId} holds 10.20.0.5` });
    expect(mutating(proxy)).toEqual([]);
  }, 120_000);

  it('a stack without podreach is bad input naming --table', async () => {
    const result = await runCli(['diagnose', '--aws', '--cluster', 'cls-aws', '--to', '10.20.0.5'], { ...env, AWS_REGION: 'eu-west-3' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --table: no stack PodreachStateful in this account and region/);
  });
});
