// The Tencent contract server holding a scenario's account: the sandbox seed translated into Tencent's resources,
// plus what a real account has around the resources the profile names (each VPC's default route table, every
// subnet bound to one, empty tables / gateways / groups).
import type { SandboxSpec } from '../../../functions/adapters/sandbox/sandbox-file.js';
import type { NextHopType } from '../../../functions/domain/model.js';
import { startTencentContractServer, type TencentContractServer } from '../tencent/server.js';
import { tencentActions } from '../../support/policy-coverage.js';
import { namedResources, type CloudAccount, type Scenario } from './harness.js';

const GATEWAY_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'VPN',
  'dx-gateway': 'DIRECTCONNECT',
  peering: 'PEERCONNECTION',
  'cloud-connect': 'USER_CCN',
};
const BY_PREFIX: [RegExp, string][] = [
  [/^pcx-/, 'PEERCONNECTION'],
  [/^vpngw-/, 'VPN'],
  [/^dcg-/, 'DIRECTCONNECT'],
  [/^ccn-/, 'USER_CCN'],
];

function gatewayType(nextHop: string, nextHopType: NextHopType | undefined): string {
  const type = (nextHopType && GATEWAY_TYPES[nextHopType]) ?? BY_PREFIX.find(([pattern]) => pattern.test(nextHop))?.[1];
  if (!type) throw new Error(`no Tencent GatewayType for a seeded route to ${nextHop} (${nextHopType ?? 'no type'})`);
  return type;
}

/** The security group the adapter binds to Redis / CDB instances to carry whitelist entries. */
export const TENCENT_WHITELIST_GROUP = 'sg-podreach-whitelist';

const mainTableOf = (vpcId: string) => `rtb-default-${vpcId}`;

export function seedFromSandbox(server: TencentContractServer, spec: SandboxSpec, scenario: Scenario): void {
  const named = namedResources(scenario.profile, scenario.events);
  const vpcOfTable = new Map<string, string>();
  for (const id of named.clusterRouteTables) vpcOfTable.set(id, named.vpcId);
  for (const table of [...named.oppositeRouteTables, ...named.peerRouteTables]) vpcOfTable.set(table.id, table.vpcId);
  const vpcs = new Set([named.vpcId, ...vpcOfTable.values()]);
  // Every Tencent VPC has a default route table; an unbound subnet in the sandbox is bound to it here.
  for (const vpcId of vpcs) server.seedRouteTable(mainTableOf(vpcId), { vpcId, main: true });
  const ensureTable = (id: string) => {
    if (!server.routeTables.has(id)) server.seedRouteTable(id, { vpcId: vpcOfTable.get(id) ?? named.vpcId });
  };
  for (const table of spec.routeTables) {
    ensureTable(table.id);
    for (const route of table.routes) server.seedRoute(table.id, { cidr: route.destination, gatewayType: gatewayType(route.nextHop, route.nextHopType), gatewayId: route.nextHop, description: 'seeded' });
  }
  for (const id of vpcOfTable.keys()) ensureTable(id);

  const subnets = new Map(named.subnets.map((subnet) => [subnet.id, { cidr: subnet.cidr, routeTableId: undefined as string | undefined }]));
  for (const subnet of spec.subnets) subnets.set(subnet.id, { cidr: subnet.cidr ?? subnets.get(subnet.id)?.cidr, routeTableId: subnet.routeTableId });
  for (const [id, subnet] of subnets) {
    if (subnet.routeTableId) ensureTable(subnet.routeTableId);
    const vpcId = subnet.routeTableId ? (server.routeTables.get(subnet.routeTableId)?.vpcId ?? named.vpcId) : named.vpcId;
    server.seedSubnet(id, { vpcId, cidr: subnet.cidr ?? '0.0.0.0/32', routeTableId: subnet.routeTableId ?? mainTableOf(vpcId) });
  }

  const gatewayOf = new Map(named.vpnConnections.map((connection) => [connection.id, connection.gatewayId]));
  for (const connection of named.vpnConnections) server.seedVpnGateway(connection.gatewayId);
  const connections = new Map<string, { local: string; remote: string }[]>(named.vpnConnections.map((connection) => [connection.id, []]));
  for (const connection of spec.vpnConnections) connections.set(connection.id, connection.selectors);
  for (const [id, selectors] of connections) {
    const spd = new Map<string, string[]>();
    for (const selector of selectors) spd.set(selector.local, [...(spd.get(selector.local) ?? []), selector.remote]);
    server.seedVpnConnection(id, { vpnGatewayId: gatewayOf.get(id) ?? 'vpngw-scenario', spd: [...spd].map(([local, remote]) => ({ LocalCidrBlock: local, RemoteCidrBlock: remote })) });
  }
  for (const gateway of spec.vpnGateways) {
    server.seedVpnGateway(gateway.id);
    for (const route of gateway.routes) server.seedVpnGatewayRoute(gateway.id, { cidr: route.destination, instanceId: route.nextHop, description: 'seeded' });
  }

  for (const id of named.dxGateways) server.seedDxGateway(id);
  for (const gateway of spec.dxGateways) for (const prefix of gateway.prefixes) server.seedDxRoute(gateway.id, prefix, 'seeded');

  for (const id of named.cloudConnects) server.seedCcn(id);
  for (const ccn of spec.cloudConnect) {
    server.seedCcn(ccn.id);
    for (const route of ccn.routes) server.seedCcnRoute(ccn.id, { cidr: route.cidr, instanceId: route.instanceId, enabled: route.enabled });
  }

  for (const id of named.securityGroups) if (!server.securityGroups.has(id)) server.seedSecurityGroup(id);
  for (const group of spec.securityGroups) {
    if (!server.securityGroups.has(group.id)) server.seedSecurityGroup(group.id);
    for (const rule of group.rules) server.seedNetworkEntry({ kind: 'sg-rule', target: group.id, cidr: rule.source, port: rule.port });
  }

  // Whitelists are security groups bound to the instance on Tencent: a seeded entry is a foreign group's rule.
  server.seedSecurityGroup(TENCENT_WHITELIST_GROUP);
  const instances = new Map<string, string[]>(named.whitelists.map((whitelist) => [`${whitelist.service === 'rds' ? 'cdb' : whitelist.service}:${whitelist.instanceId}`, []]));
  for (const whitelist of spec.whitelists) instances.set(whitelist.target.replace(/^rds:/, 'cdb:'), whitelist.entries);
  for (const [target, entries] of instances) {
    const [product, instanceId] = target.split(':', 2);
    if ((product !== 'redis' && product !== 'cdb') || !instanceId) continue;
    const groups: string[] = [];
    if (entries.length > 0) {
      const groupId = `sg-existing-${instanceId}`;
      server.seedSecurityGroup(groupId);
      for (const cidr of entries) server.seedNetworkEntry({ kind: 'sg-rule', target: groupId, cidr, port: product === 'redis' ? 'tcp:6379' : 'tcp:3306' });
      groups.push(groupId);
    }
    server.seedDbInstance(product, instanceId, groups);
  }
  // addresses with security groups are elastic network interfaces (diagnose finds them by address)
  spec.addresses.forEach((address, index) => {
    if (address.securityGroups.length > 0) server.seedNetworkInterface(`eni-scenario${index}`, { vpcId: address.vpcId ?? named.vpcId, subnetId: 'subnet-scenario', ips: [address.ip], groups: address.securityGroups, description: 'seeded' });
  });
}

export async function startTencentAccount(scenario: Scenario): Promise<CloudAccount & { server: TencentContractServer }> {
  const server = await startTencentContractServer();
  seedFromSandbox(server, scenario.sandbox, scenario);
  return {
    server,
    endpoint: server.endpoint,
    env: {
      TENCENTCLOUD_SECRET_ID: 'AKIDscenario',
      TENCENTCLOUD_SECRET_KEY: 'scenario-secret',
      PODREACH_TENCENT_WHITELIST_SECURITY_GROUP: TENCENT_WHITELIST_GROUP,
    },
    sentActions: () => tencentActions(server.calls),
    stop: () => server.stop(),
  };
}
