// What the AWS adapter (aws-provider.ts) sends, kind by kind, as IAM actions with the resource types EC2 and Direct
// Connect authorize them against (Service Authorization Reference). Describe calls have no resource-level
// permissions. The deployed functions' roles (infra/constructs/podreach-function.ts) and `podreach permissions
// --provider aws` are built from this table; test/infra and test/aws check it against what the adapter sends.
import type { ActionsTable, AddressActions, CloudAction } from '../kit/actions.js';
import type { AwsKind } from './kinds.js';

const describeRouteTables: CloudAction = { action: 'ec2:DescribeRouteTables' };
const describeVpnConnections: CloudAction = { action: 'ec2:DescribeVpnConnections' };
const searchTransitRoutes: CloudAction = { action: 'ec2:SearchTransitGatewayRoutes', resources: ['ec2:transit-gateway-route-table'] };
const transitRouteWrites: CloudAction[] = ['ec2:CreateTransitGatewayRoute', 'ec2:ReplaceTransitGatewayRoute', 'ec2:DeleteTransitGatewayRoute'].map((action) => ({
  action,
  resources: ['ec2:transit-gateway-route-table', 'ec2:transit-gateway-attachment'],
}));

export const AWS_ACTIONS: ActionsTable<AwsKind> = {
  route: {
    list: [describeRouteTables],
    apply: ['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'].map((action) => ({ action, resources: ['ec2:route-table'] })),
  },
  'transit-route': { list: [searchTransitRoutes], apply: transitRouteWrites },
  'cloud-connect-route': {
    list: [searchTransitRoutes],
    // applying finds the attachment of the VPC named as next hop
    apply: [{ action: 'ec2:DescribeTransitGatewayRouteTables' }, { action: 'ec2:DescribeTransitGatewayAttachments' }, ...transitRouteWrites],
  },
  'sg-rule': {
    list: [{ action: 'ec2:DescribeSecurityGroups' }],
    apply: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'].map((action) => ({ action, resources: ['ec2:security-group'] })),
  },
  'vpn-route': {
    list: [describeVpnConnections],
    apply: ['ec2:CreateVpnConnectionRoute', 'ec2:DeleteVpnConnectionRoute'].map((action) => ({ action, resources: ['ec2:vpn-connection'] })),
  },
  'vpn-selector': { list: [describeVpnConnections], apply: [{ action: 'ec2:ModifyVpnConnectionOptions', resources: ['ec2:vpn-connection'] }] },
  'dx-prefix': {
    list: [{ action: 'directconnect:DescribeDirectConnectGatewayAssociations' }],
    apply: [{ action: 'directconnect:UpdateDirectConnectGatewayAssociation', resources: ['directconnect:dx-gateway'] }],
  },
  'subnet-association': {
    list: [describeRouteTables],
    apply: ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'].map((action) => ({ action, resources: ['ec2:route-table', 'ec2:subnet'] })),
  },
};

/** findAddress: the network interface holding an address, and its groups (no resource-level permission). */
export const AWS_ADDRESS_ACTIONS: AddressActions = [{ action: 'ec2:DescribeNetworkInterfaces' }];

/** Statement ids of the deployed roles' grants, by the resource types of the actions they hold. */
export const AWS_STATEMENT_IDS: Readonly<Record<string, string>> = {
  'ec2:route-table': 'Routes',
  'ec2:route-table,ec2:subnet': 'SubnetRouteTableAssociations',
  'ec2:security-group': 'SecurityGroupIngress',
  'ec2:transit-gateway-attachment,ec2:transit-gateway-route-table': 'TransitGatewayRoutes',
  'ec2:vpn-connection': 'VpnConnections',
  'directconnect:dx-gateway': 'DirectConnectGatewayPrefixes',
  'ec2:transit-gateway-route-table': 'SearchTransitGatewayRoutes',
  '': 'DescribeNetwork',
};

/** What assuming a role in another account needs (the roles are listed in the credentials: docs/deploy.md). */
export const AWS_ASSUME_ROLE_ACTION = 'sts:AssumeRole';
