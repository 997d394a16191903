// What the Huawei adapter (huawei-provider.ts) sends, kind by kind, as IAM actions of custom policies (role/policy
// authorization, policy Version 1.1), each with the API it authorizes as the services' "permissions and supported
// actions" tables list them. `podreach permissions --provider huawei` is built from this table; the contract tests
// map each request the SDK sends back to its action through `api`.
import type { ActionsTable, AddressActions, CloudAction } from '../kit/actions.js';
import type { HuaweiKind } from './kinds.js';

const routeTable = '/v1/{project_id}/routetables/{routetable_id}';
const showRouteTable: CloudAction = { action: 'vpc:routeTables:get', api: `GET ${routeTable}` };
const whitelist = '/v2/{project_id}/instance/{instance_id}/whitelist';
const vpnConnection = '/v5/{project_id}/vpn-connection/{vpn_connection_id}';
const virtualGateway = '/v3/{project_id}/dcaas/virtual-gateways/{virtual_gateway_id}';

export const HUAWEI_ACTIONS: ActionsTable<HuaweiKind> = {
  route: { list: [showRouteTable], apply: [{ action: 'vpc:routeTables:update', api: `PUT ${routeTable}` }] },
  'subnet-association': {
    list: [{ action: 'vpc:routeTables:list', api: 'GET /v1/{project_id}/routetables' }],
    // one API both associates and disassociates
    apply: [{ action: 'vpc:routeTables:associate', api: `POST ${routeTable}/action` }],
  },
  'sg-rule': {
    list: [{ action: 'vpc:securityGroupRules:get', api: 'GET /v3/{project_id}/vpc/security-group-rules' }],
    apply: [
      { action: 'vpc:securityGroupRules:create', api: 'POST /v3/{project_id}/vpc/security-group-rules' },
      { action: 'vpc:securityGroupRules:delete', api: 'DELETE /v3/{project_id}/vpc/security-group-rules/{security_group_rule_id}' },
    ],
  },
  'whitelist-entry': {
    list: [{ action: 'dcs:whitelist:list', api: `GET ${whitelist}` }],
    apply: [{ action: 'dcs:whitelist:modify', api: `PUT ${whitelist}` }],
  },
  'vpn-selector': {
    list: [
      {
        action: 'vpn:vpnConnections:get',
        api: `GET ${vpnConnection}`,
        dependsOn: ['vpc:publicIps:get', 'vpc:publicIps:list', 'vpc:bandwidths:list', 'er:instances:list', 'er:instances:get', 'vpc:vpcs:list', 'vpc:vpcs:get', 'vpc:subnets:get', 'vpc:subnets:list'],
      },
    ],
    apply: [
      {
        action: 'vpn:vpnConnections:update',
        api: `PUT ${vpnConnection}`,
        dependsOn: ['vpc:vpcs:list', 'vpc:vpcs:get', 'vpc:subnets:get', 'vpc:subnets:list', 'vpc:subNetworkInterfaces:update', 'vpc:publicIps:get', 'vpc:publicIps:list', 'vpc:bandwidths:list', 'vpc:ports:get', 'vpc:routeTables:update', 'vpc:routeTables:get'],
      },
    ],
  },
  'dx-prefix': {
    list: [{ action: 'dcaas:vgw:get', api: `GET ${virtualGateway}` }],
    apply: [{ action: 'dcaas:vgw:update', api: `PUT ${virtualGateway}` }],
  },
};

/** findAddress: the VPC port holding an address (its security groups), else a DCS instance at it. */
export const HUAWEI_ADDRESS_ACTIONS: AddressActions = [
  { action: 'vpc:ports:get', api: 'GET /v1/{project_id}/ports' },
  { action: 'dcs:instance:list', api: 'GET /v2/{project_id}/instances' },
];
