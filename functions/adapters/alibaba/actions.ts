// What the Alibaba adapter (alibaba-provider.ts) sends, kind by kind, as RAM actions (`<RAM code>:<API>`: vpc, cen,
// ecs, kvstore for Tair / Redis, rds). `podreach permissions --provider alibaba` is built from this table; the
// contract tests check it against the calls the SDK sends.
import type { ActionsTable, AddressActions, CloudAction } from '../kit/actions.js';
import type { AlibabaKind } from './kinds.js';

/** The RAM code of each API version the adapter calls (Version on the wire). */
export const ALIBABA_RAM_CODE_OF_VERSION: Readonly<Record<string, string>> = {
  '2016-04-28': 'vpc',
  '2017-09-12': 'cen',
  '2014-05-26': 'ecs',
  '2015-01-01': 'kvstore',
  '2014-08-15': 'rds',
  '2015-04-01': 'sts',
};

const of = (code: string, ...names: string[]): CloudAction[] => names.map((name) => ({ action: `${code}:${name}` }));
const routeEntries: AlibabaKindActions = { list: of('vpc', 'DescribeRouteEntryList'), apply: of('vpc', 'CreateRouteEntry', 'ModifyRouteEntry', 'DeleteRouteEntry') };
const transitRoutes: AlibabaKindActions = { list: of('cen', 'ListTransitRouterRouteEntries'), apply: of('cen', 'CreateTransitRouterRouteEntry', 'DeleteTransitRouterRouteEntry') };
type AlibabaKindActions = ActionsTable<AlibabaKind>[AlibabaKind];

export const ALIBABA_ACTIONS: ActionsTable<AlibabaKind> = {
  route: routeEntries,
  // a prefix toward the data centre is a route entry in the VBR's route table
  'dx-prefix': routeEntries,
  'vpn-selector': { list: of('vpc', 'DescribeVpnConnection'), apply: of('vpc', 'ModifyVpnConnectionAttribute') },
  'vpn-route': { list: of('vpc', 'DescribeVpnRouteEntries'), apply: of('vpc', 'CreateVpnRouteEntry', 'DeleteVpnRouteEntry') },
  'transit-route': transitRoutes,
  'cloud-connect-route': transitRoutes,
  'sg-rule': { list: of('ecs', 'DescribeSecurityGroupAttribute'), apply: of('ecs', 'AuthorizeSecurityGroup', 'RevokeSecurityGroup') },
  'whitelist-entry': {
    list: [...of('kvstore', 'DescribeSecurityIps'), ...of('rds', 'DescribeDBInstanceIPArrayList')],
    apply: [...of('kvstore', 'ModifySecurityIps'), ...of('rds', 'ModifySecurityIps')],
  },
  'subnet-association': { list: of('vpc', 'DescribeVSwitchAttributes'), apply: of('vpc', 'AssociateRouteTable', 'UnassociateRouteTable') },
};

/** What assuming a RAM role in another account needs (STS AssumeRole, docs/deploy.md). */
export const ALIBABA_ASSUME_ROLE_ACTION = 'sts:AssumeRole';

/** findAddress: the ECS network interface holding an address, and its security groups. */
export const ALIBABA_ADDRESS_ACTIONS: AddressActions = of('ecs', 'DescribeNetworkInterfaces');
