// Builds a small EC2 network on the emulator through the SDK: a VPC with a subnet, a route table, an internet
// gateway, an attached VPN gateway, a transit gateway with a route table and a VPC attachment, a peering
// connection to a second VPC, and a security group. Each call makes fresh resources, so tests stay independent.
import {
  AttachInternetGatewayCommand,
  AttachVpnGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateTransitGatewayCommand,
  CreateTransitGatewayRouteTableCommand,
  CreateTransitGatewayVpcAttachmentCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  CreateVpnGatewayCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';

export interface Ec2Network {
  vpcId: string;
  subnetId: string;
  routeTableId: string;
  otherRouteTableId: string;
  internetGatewayId: string;
  vpnGatewayId: string;
  transitGatewayId: string;
  transitRouteTableId: string;
  transitAttachmentId: string;
  otherTransitAttachmentId: string;
  peeringId: string;
  securityGroupId: string;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`emulator returned no ${what}`);
  return value;
}

let counter = 0;

export async function buildEc2Network(ec2: EC2Client): Promise<Ec2Network> {
  const n = counter++;
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `172.${16 + (n % 16)}.0.0/16` }));
  const vpcId = must(vpc.Vpc?.VpcId, 'VpcId');
  const peerVpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `192.168.${n % 250}.0/24` }));
  const peerVpcId = must(peerVpc.Vpc?.VpcId, 'VpcId');
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `172.${16 + (n % 16)}.1.0/24` }));
  const otherSubnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `172.${16 + (n % 16)}.2.0/24` }));
  const routeTable = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const otherRouteTable = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const igw = await ec2.send(new CreateInternetGatewayCommand({}));
  const internetGatewayId = must(igw.InternetGateway?.InternetGatewayId, 'InternetGatewayId');
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
  const vgw = await ec2.send(new CreateVpnGatewayCommand({ Type: 'ipsec.1' }));
  const vpnGatewayId = must(vgw.VpnGateway?.VpnGatewayId, 'VpnGatewayId');
  await ec2.send(new AttachVpnGatewayCommand({ VpnGatewayId: vpnGatewayId, VpcId: vpcId }));
  const tgw = await ec2.send(new CreateTransitGatewayCommand({ Description: 'podreach test' }));
  const transitGatewayId = must(tgw.TransitGateway?.TransitGatewayId, 'TransitGatewayId');
  const tgwTable = await ec2.send(new CreateTransitGatewayRouteTableCommand({ TransitGatewayId: transitGatewayId }));
  const attachment = await ec2.send(
    new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: transitGatewayId, VpcId: vpcId, SubnetIds: [must(subnet.Subnet?.SubnetId, 'SubnetId')] }),
  );
  const peerSubnet = await ec2.send(new CreateSubnetCommand({ VpcId: peerVpcId, CidrBlock: `192.168.${n % 250}.0/25` }));
  const otherAttachment = await ec2.send(
    new CreateTransitGatewayVpcAttachmentCommand({ TransitGatewayId: transitGatewayId, VpcId: peerVpcId, SubnetIds: [must(peerSubnet.Subnet?.SubnetId, 'SubnetId')] }),
  );
  const peering = await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: vpcId, PeerVpcId: peerVpcId }));
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `podreach-test-${n}-${Date.now()}`, Description: 'podreach test', VpcId: vpcId }));
  return {
    vpcId,
    subnetId: must(otherSubnet.Subnet?.SubnetId, 'SubnetId'),
    routeTableId: must(routeTable.RouteTable?.RouteTableId, 'RouteTableId'),
    otherRouteTableId: must(otherRouteTable.RouteTable?.RouteTableId, 'RouteTableId'),
    internetGatewayId,
    vpnGatewayId,
    transitGatewayId,
    transitRouteTableId: must(tgwTable.TransitGatewayRouteTable?.TransitGatewayRouteTableId, 'TransitGatewayRouteTableId'),
    transitAttachmentId: must(attachment.TransitGatewayVpcAttachment?.TransitGatewayAttachmentId, 'TransitGatewayAttachmentId'),
    otherTransitAttachmentId: must(otherAttachment.TransitGatewayVpcAttachment?.TransitGatewayAttachmentId, 'TransitGatewayAttachmentId'),
    peeringId: must(peering.VpcPeeringConnection?.VpcPeeringConnectionId, 'VpcPeeringConnectionId'),
    securityGroupId: must(group.GroupId, 'GroupId'),
  };
}
