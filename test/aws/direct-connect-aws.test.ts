// Issue 12: an AWS profile with Direct Connect routes the IDC CIDRs to the gateway associated with the Direct
// Connect gateway (a route table cannot target a DX gateway), and advertises the container CIDRs as allowed prefixes
// on that association. The direct-connect flow is planned and applied by the use cases: routes on moto (EC2), the
// association on the contract server (moto has no Direct Connect gateway associations).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DirectConnectClient } from '@aws-sdk/client-direct-connect';
import { AwsProvider } from '../../functions/adapters/aws/aws-provider.js';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { applyChange } from '../../functions/application/apply-change.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { planAndRecord } from '../../functions/application/plan-flow.js';
import type { ClusterFacts } from '../../functions/domain/model.js';
import { profileSchema } from '../../functions/domain/profile.js';
import { startAwsContractServer, type AwsContractServer } from '../contract/aws/aws-contract-server.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { buildEc2Network, type Ec2Network } from './ec2-fixture.js';

describeIfAws('Flow: direct-connect on AWS (moto + Direct Connect contract server)', () => {
  let emulator: AwsEndpoint | undefined;
  let server: AwsContractServer;
  let ec2: EC2Client;
  let dx: DirectConnectClient;
  let local: LocalDynamo;
  let dir: string;
  let net: Ec2Network;

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    ec2 = new EC2Client(awsClientConfig(emulator.endpoint, emulator.region));
    dir = mkdtempSync(join(tmpdir(), 'podreach-dx-aws-'));
    local = await startLocalDynamo(dir);
  });
  afterAll(async () => {
    ec2?.destroy();
    await emulator?.stop();
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    net = await buildEc2Network(ec2);
    server = await startAwsContractServer();
    dx = new DirectConnectClient({ ...awsClientConfig(server.endpoint, 'us-east-1'), maxAttempts: 1 });
  });
  afterEach(async () => {
    dx?.destroy();
    await server?.stop();
  });

  async function run(clusterId: string, association: 'tgw' | 'vgw', associatedGatewayId: string) {
    server.state.knownDxGateways.add('dxgw-idc');
    server.state.dxAssociations.push({
      associationId: `assoc-${clusterId}`,
      directConnectGatewayId: 'dxgw-idc',
      associatedGateway: { id: associatedGatewayId, type: association === 'tgw' ? 'transitGateway' : 'virtualPrivateGateway' },
      associationState: 'associated',
      allowedPrefixes: [],
      ...(association === 'vgw' ? { vpcCidrs: ['172.16.0.0/12'] } : {}),
    });
    const facts: ClusterFacts = {
      clusterId, provider: 'aws', region: emulator?.region ?? 'us-east-1', vpcId: net.vpcId, networkModel: 'vpc-router',
      podCidrs: ['100.64.0.0/16'], nodeSubnets: [], nodes: {}, deleted: false, seen: { nodes: {} },
    };
    await local.store.putCluster(facts, undefined);
    await local.store.putProfile(
      profileSchema.parse({
        apiVersion: 'podreach/v1',
        kind: 'ConnectivityProfile',
        metadata: { name: `dx-${clusterId}` },
        spec: {
          match: { clusterIds: [clusterId] },
          directConnect: [{ gatewayId: 'dxgw-idc', idcCidrs: ['10.0.0.0/16'], routeTableIds: [net.routeTableId], association, associatedGatewayId }],
        },
      }),
    );
    const provider = new AwsProvider({ ec2, directConnect: dx });
    const deps: AppDeps = { store: local.store, providers: { get: () => provider }, notifier: { notify: async () => undefined }, now: () => new Date() };
    const { changeIds } = await planAndRecord({ clusterId, flow: 'direct-connect', executionId: `ex-${clusterId}` }, deps);
    const results = [];
    for (const changeId of changeIds) results.push(await applyChange({ clusterId, executionId: `ex-${clusterId}`, changeId }, deps));
    const routes = (await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [net.routeTableId] }))).RouteTables?.[0]?.Routes ?? [];
    return { results, route: routes.find((r) => r.DestinationCidrBlock === '10.0.0.0/16'), association: server.state.dxAssociations.find((a) => a.associationId === `assoc-${clusterId}`) };
  }

  it('routes the IDC CIDR to the associated transit gateway and allows the container CIDR on its association', async () => {
    // Act
    const { results, route, association } = await run('cls-dx-tgw', 'tgw', net.transitGatewayId);

    // Assess
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
    expect(route).toMatchObject({ TransitGatewayId: net.transitGatewayId });
    expect(route?.GatewayId).toBeUndefined();
    expect(association?.allowedPrefixes).toEqual(['100.64.0.0/16']);
  });

  it('routes the IDC CIDR to the associated virtual private gateway (GatewayId), whose association advertises VPC CIDRs only', async () => {
    // Act
    const { results, route, association } = await run('cls-dx-vgw', 'vgw', net.vpnGatewayId);

    // Assess
    expect(route).toMatchObject({ GatewayId: net.vpnGatewayId });
    // the container CIDR outside the VPC cannot be allowed on a VGW association: blocked with the reason
    expect(results.map((r) => r.status).sort()).toEqual(['applied', 'blocked']);
    expect(association?.allowedPrefixes).toEqual([]);
  });
});
