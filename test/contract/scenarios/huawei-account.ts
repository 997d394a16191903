// The Huawei contract server holding a scenario's account: the sandbox seed translated into Huawei's resources
// (VPC route tables with their subnets, security group rules, DCS Redis whitelists, VPN connection policy rules,
// Direct Connect virtual gateways), plus what a real account has around the resources the profile names (each
// VPC's default route table holding every subnet not bound elsewhere, empty groups / instances / connections).
import type { SandboxSpec } from '../../../functions/adapters/sandbox/sandbox-file.js';
import { parsePortRule as parsePort } from '../../../functions/adapters/huawei/huawei-provider.js';
import type { NextHopType } from '../../../functions/domain/model.js';
import { HuaweiContractServer, type PolicyRule } from '../huawei/server.js';
import { huaweiActions } from '../../support/policy-coverage.js';
import { namedResources, type CloudAccount, type Scenario } from './harness.js';

export const HUAWEI_SCENARIO_PROJECT_ID = '5c1e0d2b9a8f47e6b3d2c1a0f9e8d7c6';

const ROUTE_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'vpn',
  'dx-gateway': 'dc',
  'border-router': 'dc',
  'cloud-connect': 'cc',
  peering: 'peering',
  'transit-router': 'er',
  node: 'ecs',
};
const BY_PREFIX: [RegExp, string][] = [
  [/^(peering|pcx)-/, 'peering'],
  [/^vpn(gw)?-/, 'vpn'],
  [/^(dc|dcg|vgw)-/, 'dc'],
  [/^(cc|ccn)-/, 'cc'],
  [/^er-/, 'er'],
];

function routeType(nextHop: string, nextHopType: NextHopType | undefined): string {
  const type = (nextHopType && ROUTE_TYPES[nextHopType]) ?? BY_PREFIX.find(([pattern]) => pattern.test(nextHop))?.[1];
  // A seed route Huawei cannot hold would make the two accounts differ before anything runs.
  if (!type) throw new Error(`the sandbox route via ${nextHop} (${nextHopType ?? 'no type'}) has no Huawei route type`);
  return type;
}

export const defaultTableOf = (vpcId: string) => `rtb-default-${vpcId}`;

/** DCS lists a single address without its prefix length. */
const dcsAddress = (cidr: string) => cidr.replace(/\/32$/, '');

/** Whitelist group holding the seed's entries (foreign to podreach, whose group is "podreach"). */
export const SEEDED_WHITELIST_GROUP = 'existing';

export function seedFromSandbox(server: HuaweiContractServer, spec: SandboxSpec, scenario: Scenario): void {
  const named = namedResources(scenario.profile, scenario.events);

  const vpcOfTable = new Map<string, string>();
  for (const id of named.clusterRouteTables) vpcOfTable.set(id, named.vpcId);
  for (const table of [...named.oppositeRouteTables, ...named.peerRouteTables]) vpcOfTable.set(table.id, table.vpcId);
  const ensureDefault = (vpcId: string) => {
    const id = defaultTableOf(vpcId);
    if (!server.routeTables.has(id)) server.addRouteTable(id, { vpcId, isDefault: true });
    return id;
  };
  const ensureTable = (id: string) => {
    if (server.routeTables.has(id)) return;
    const vpcId = vpcOfTable.get(id) ?? named.vpcId;
    ensureDefault(vpcId);
    server.addRouteTable(id, { vpcId });
  };
  ensureDefault(named.vpcId);
  for (const id of vpcOfTable.keys()) ensureTable(id);
  for (const table of spec.routeTables) {
    ensureTable(table.id);
    for (const route of table.routes) {
      server.seedRoute(table.id, { type: routeType(route.nextHop, route.nextHopType), destination: route.destination, nexthop: route.nextHop, description: 'seeded' });
    }
  }

  const subnets = new Map<string, string | undefined>(named.subnets.map((subnet) => [subnet.id, undefined]));
  for (const subnet of spec.subnets) subnets.set(subnet.id, subnet.routeTableId);
  for (const [id, routeTableId] of subnets) {
    if (routeTableId) ensureTable(routeTableId);
    server.bindSubnet(id, routeTableId ?? defaultTableOf(named.vpcId));
  }

  const selectors = new Map<string, { local: string; remote: string }[]>(named.vpnConnections.map((connection) => [connection.id, []]));
  for (const connection of spec.vpnConnections) selectors.set(connection.id, connection.selectors);
  for (const [id, list] of selectors) {
    const rules: PolicyRule[] = [];
    for (const { local, remote } of list) {
      const rule = rules.find((r) => r.source === local);
      if (rule) rule.destination.push(remote);
      else rules.push({ rule_index: rules.length + 1, source: local, destination: [remote] });
    }
    server.addVpnConnection(id, rules);
  }

  for (const id of named.dxGateways) server.addVirtualGateway(id);
  for (const gateway of spec.dxGateways) server.addVirtualGateway(gateway.id, gateway.prefixes);

  for (const id of named.securityGroups) server.addSecurityGroup(id);
  for (const group of spec.securityGroups) {
    server.addSecurityGroup(group.id);
    for (const rule of group.rules) {
      const { protocol, multiport } = parsePort(rule.port);
      server.seedRule(group.id, rule.source, protocol ?? null, multiport ?? null, 'seeded');
    }
  }

  // Only Redis (DCS) has an IP whitelist on Huawei; the adapter blocks the others, so they need no instance.
  const instances = new Map<string, string[]>(named.whitelists.filter((w) => w.service === 'redis').map((w) => [w.instanceId, []]));
  for (const whitelist of spec.whitelists) {
    const [service, instanceId] = whitelist.target.split(':', 2);
    if (service === 'redis' && instanceId) instances.set(instanceId, whitelist.entries);
  }
  for (const [id, entries] of instances) {
    server.addDcsInstance(id, entries.length > 0 ? [{ group_name: SEEDED_WHITELIST_GROUP, ip_list: entries.map(dcsAddress) }] : []);
  }

  // An address with a whitelist is the DCS instance's connection address; one with security groups an ECS port.
  for (const address of spec.addresses) {
    for (const target of address.whitelists) {
      const [service, instanceId] = target.split(':', 2);
      const instance = service === 'redis' && instanceId ? server.dcs.get(instanceId) : undefined;
      if (instance) instance.ip = address.ip;
    }
    if (address.securityGroups.length > 0) {
      server.addPort({ network_id: 'net-scenario', fixed_ips: [{ ip_address: address.ip, subnet_id: 'subnet-v4-scenario' }], security_groups: address.securityGroups, device_owner: 'compute:cn-north-4a' });
    }
  }

  // Cloud Connect, Enterprise Router and VPN gateway routes, and BGP peers: the Huawei adapter applies none of
  // them (blocked with its reason), so the server has nothing to hold for them.
}

export async function startHuaweiAccount(scenario: Scenario): Promise<CloudAccount & { server: HuaweiContractServer }> {
  // DCS applies a whitelist PUT asynchronously: a short delay makes the adapter's poll do real work (the registry
  // passes no poll interval, so each whitelist change waits the default 2 s once).
  const server = new HuaweiContractServer({ projectId: HUAWEI_SCENARIO_PROJECT_ID, whitelistApplyDelayMs: 100 });
  const endpoint = await server.start();
  seedFromSandbox(server, scenario.sandbox, scenario);
  return {
    server,
    endpoint,
    env: {
      HUAWEICLOUD_SDK_AK: 'HWSCENARIOAK',
      HUAWEICLOUD_SDK_SK: 'scenario-secret',
      HUAWEICLOUD_SDK_PROJECT_ID: HUAWEI_SCENARIO_PROJECT_ID,
      PODREACH_POLL_INTERVAL_MS: '50',
    },
    sentActions: () => huaweiActions(server.requests),
    stop: () => server.stop(),
  };
}
