// The shared provider conformance suite, run against the AWS adapter on moto_server (or LocalStack).
import { AuthorizeSecurityGroupIngressCommand, CreateNetworkInterfaceCommand, CreateRouteCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { AwsProvider } from '../../functions/adapters/aws/aws-provider.js';
import { parsePort } from '../../functions/adapters/kit/port.js';
import type { NetworkEntry } from '../../functions/domain/model.js';
import { runProviderConformance } from '../conformance/suite.js';
import { awsClientConfig, awsEndpoint, describeIfAws } from '../support/aws-endpoint.js';
import { buildEc2Network } from './ec2-fixture.js';

function ingressPorts(text: string | undefined) {
  const port = parsePort(text);
  return port.protocol === 'all' ? { IpProtocol: '-1' } : { IpProtocol: port.protocol, FromPort: port.from ?? 0, ToPort: port.to ?? 65535 };
}

describeIfAws('AWS adapter on the emulator', () => {
  runProviderConformance('aws', async () => {
    const emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    const ec2 = new EC2Client(awsClientConfig(emulator.endpoint, emulator.region));
    const net = await buildEc2Network(ec2);
    // every EC2 call the adapter makes, as sent to the emulator: reads are Describe* / Search*
    const sent: string[] = [];
    const adapterEc2 = new EC2Client(awsClientConfig(emulator.endpoint, emulator.region));
    adapterEc2.middlewareStack.add(
      (next, context) => async (args) => {
        sent.push(context.commandName ?? '?');
        return next(args);
      },
      { step: 'initialize', name: 'countCalls' },
    );
    // Behind podreach's back: straight through the EC2 API, the way a person or another tool would.
    const seedForeign = async (entry: NetworkEntry): Promise<void> => {
      if (entry.kind === 'route') {
        const hop = entry.nextHop ?? '';
        const target = hop.startsWith('pcx-') ? { VpcPeeringConnectionId: hop } : hop.startsWith('tgw-') ? { TransitGatewayId: hop } : { GatewayId: hop };
        await ec2.send(new CreateRouteCommand({ RouteTableId: entry.target, DestinationCidrBlock: entry.cidr, ...target }));
        return;
      }
      if (entry.kind === 'sg-rule') {
        await ec2.send(
          new AuthorizeSecurityGroupIngressCommand({
            GroupId: entry.target,
            IpPermissions: [{ ...ingressPorts(entry.port), IpRanges: [{ CidrIp: entry.cidr, Description: 'added by hand' }] }],
          }),
        );
        return;
      }
      throw new Error(`seedForeign: ${entry.kind} is not seeded on EC2`);
    };
    return {
      provider: new AwsProvider({ ec2: adapterEc2, region: emulator.region }),
      routeTableId: net.routeTableId,
      nextHop: { id: net.vpnGatewayId, type: 'vpn-gateway' },
      otherNextHop: { id: net.peeringId, type: 'peering' },
      securityGroupId: net.securityGroupId,
      seedForeign,
      seedAddress: async () => {
        const subnet = (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [net.subnetId] }))).Subnets?.[0]?.CidrBlock ?? '';
        const ip = subnet.replace(/\.0\/24$/, '.27');
        await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: net.subnetId, PrivateIpAddress: ip, Groups: [net.securityGroupId], Description: 'an instance' }));
        return { ip, securityGroups: [net.securityGroupId] };
      },
      mutatingCalls: () => sent.filter((name) => !/^(Describe|Search)/.test(name)).length,
      cleanup: async () => {
        adapterEc2.destroy();
        ec2.destroy();
        await emulator.stop();
      },
    };
  });
});
