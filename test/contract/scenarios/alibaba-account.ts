// The Alibaba contract server holding a scenario's account: the sandbox seed translated into Alibaba's resources
// (VPC / VBR route tables, transit router route tables, VPN connections and gateways, security groups, whitelists),
// plus the empty resources the profile names.
import type { SandboxSpec } from '../../../functions/adapters/sandbox/sandbox-file.js';
import type { NextHopType } from '../../../functions/domain/model.js';
import { AlibabaContractServer } from '../alibaba/server.js';
import { alibabaActions } from '../../support/policy-coverage.js';
import { namedResources, type CloudAccount, type Scenario } from './harness.js';

const ROUTE_NEXT_HOP_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'VpnGateway',
  'transit-router': 'Attachment',
  'cloud-connect': 'Attachment',
  peering: 'VpcPeer',
  'border-router': 'RouterInterface',
  'dx-gateway': 'RouterInterface',
  node: 'Instance',
};

export function seedFromSandbox(server: AlibabaContractServer, spec: SandboxSpec, scenario: Scenario): void {
  const named = namedResources(scenario.profile, scenario.events);
  for (const id of [...named.clusterRouteTables, ...named.oppositeRouteTables.map((t) => t.id), ...named.peerRouteTables.map((t) => t.id)]) server.seedRouteTable(id);
  for (const table of spec.routeTables) {
    server.seedRouteTable(table.id);
    for (const route of table.routes) {
      server.seedRoute(table.id, { cidr: route.destination, nextHopId: route.nextHop, nextHopType: (route.nextHopType && ROUTE_NEXT_HOP_TYPES[route.nextHopType]) ?? 'Attachment' });
    }
  }
  if (named.transit) {
    for (const id of [named.transit.transitRouterRouteTableId, named.transit.borderRouterId]) if (!server.transitTables.has(id)) server.seedTransitTable(id);
  }
  for (const table of spec.transitRouteTables) server.seedTransitTable(table.id, table.routes.map((route) => ({ cidr: route.destination, nextHopId: route.nextHop })));
  for (const subnet of spec.subnets) if (subnet.routeTableId) server.seedVSwitch(subnet.id, subnet.routeTableId, 'Custom');
  const connections = new Map<string, { local: string; remote: string }[]>(named.vpnConnections.map((c) => [c.id, []]));
  for (const connection of spec.vpnConnections) connections.set(connection.id, connection.selectors);
  for (const [id, selectors] of connections) server.seedVpnConnection(id, [...new Set(selectors.map((s) => s.local))], [...new Set(selectors.map((s) => s.remote))]);
  for (const connection of named.vpnConnections) if (!server.vpnGateways.has(connection.gatewayId)) server.seedVpnGateway(connection.gatewayId);
  for (const gateway of spec.vpnGateways) server.seedVpnGateway(gateway.id, gateway.routes.map((route) => ({ routeDest: route.destination, nextHop: route.nextHop })));
  for (const id of named.securityGroups) if (!server.securityGroups.has(id)) server.seedSecurityGroup(id);
  for (const group of spec.securityGroups) {
    server.seedSecurityGroup(
      group.id,
      group.rules.map((rule) => {
        const [protocol, range] = rule.port.split(':');
        const [from, to] = (range ?? '').split('-');
        return { protocol: protocol === 'all' ? 'all' : (protocol ?? 'all'), portRange: range ? `${from}/${to ?? from}` : '-1/-1', cidr: rule.source };
      }),
    );
  }
  for (const whitelist of named.whitelists) server.seedWhitelist(`${whitelist.service}:${whitelist.instanceId}`, { default: ['127.0.0.1'] });
  for (const whitelist of spec.whitelists) server.seedWhitelist(whitelist.target, { default: whitelist.entries });
  // addresses with security groups are ECS network interfaces (diagnose finds them by address)
  spec.addresses.forEach((address, index) => {
    if (address.securityGroups.length > 0) server.seedNetworkInterface(`eni-scenario${index}`, { vpcId: address.vpcId ?? named.vpcId, vSwitchId: 'vsw-scenario', ips: [address.ip], groups: address.securityGroups });
  });
}

export async function startAlibabaAccount(scenario: Scenario): Promise<CloudAccount & { server: AlibabaContractServer }> {
  const server = new AlibabaContractServer();
  const endpoint = await server.start();
  seedFromSandbox(server, scenario.sandbox, scenario);
  return {
    server,
    endpoint: `http://${endpoint}`,
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIscenario', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'scenario-secret', PODREACH_POLL_INTERVAL_MS: '50' },
    sentActions: () => alibabaActions(server.calls),
    stop: () => server.stop(),
  };
}
