// What the Tencent adapter (tencent-provider.ts) sends, kind by kind, as CAM actions (`service:Action`, the API's own
// name). `podreach permissions --provider tencent` is built from this table; the contract tests check it against
// the calls the SDK sends.
import type { ActionsTable, AddressActions, CloudAction } from '../kit/actions.js';
import type { TencentKind } from './kinds.js';

/** The CAM service of each API version the adapter calls (X-TC-Version on the wire). */
export const TENCENT_SERVICE_OF_VERSION: Readonly<Record<string, string>> = { '2017-03-12': 'vpc', '2018-04-12': 'redis', '2017-03-20': 'cdb', '2018-08-13': 'sts' };

const vpc = (...names: string[]): CloudAction[] => names.map((name) => ({ action: `vpc:${name}` }));
const policies = vpc('DescribeSecurityGroupPolicies');

export const TENCENT_ACTIONS: ActionsTable<TencentKind> = {
  route: { list: vpc('DescribeRouteTables'), apply: vpc('CreateRoutes', 'ReplaceRoutes', 'DeleteRoutes') },
  'vpn-selector': { list: vpc('DescribeVpnConnections'), apply: vpc('ModifyVpnConnectionAttribute') },
  'vpn-route': { list: vpc('DescribeVpnGatewayRoutes'), apply: vpc('CreateVpnGatewayRoutes', 'ModifyVpnGatewayRoutes', 'DeleteVpnGatewayRoutes') },
  'cloud-connect-route': { list: vpc('DescribeCcnRoutes'), apply: vpc('EnableCcnRoutes', 'DisableCcnRoutes') },
  // verified by reading only: the container network is opened on the gateway by a ticket
  'dx-prefix': { list: vpc('DescribeDirectConnectGateways', 'DescribeCcnRoutes'), apply: [] },
  'sg-rule': { list: policies, apply: vpc('CreateSecurityGroupPolicies', 'DeleteSecurityGroupPolicies') },
  'subnet-association': { list: vpc('DescribeSubnets', 'DescribeRouteTables'), apply: vpc('ReplaceRouteTableAssociation') },
  'whitelist-entry': {
    list: [{ action: 'redis:DescribeDBSecurityGroups' }, { action: 'cdb:DescribeDBSecurityGroups' }, ...policies],
    apply: [...vpc('CreateSecurityGroupPolicies', 'DeleteSecurityGroupPolicies'), { action: 'redis:ModifyDBInstanceSecurityGroups' }, { action: 'cdb:ModifyDBInstanceSecurityGroups' }],
  },
};

/** What assuming a role in another account needs (STS AssumeRole, docs/deploy.md). */
export const TENCENT_ASSUME_ROLE_ACTION = 'sts:AssumeRole';

/** findAddress: the elastic network interface holding an address, and its security groups. */
export const TENCENT_ADDRESS_ACTIONS: AddressActions = vpc('DescribeNetworkInterfaces');
