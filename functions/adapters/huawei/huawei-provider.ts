// NetworkProvider for Huawei Cloud: VPC route tables (v1 API via the v2 SDK client), security group rules
// (v3), DCS Redis IP whitelists, VPN connection policy rules and Direct Connect virtual-gateway prefixes
// (signed generic calls through the core SDK: their SDK packages are not installed).
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import {
  EntryConflictError,
  InvalidInputError,
  LeaseHeldError,
  QuotaExceededError,
  ResourceNotFoundError,
  TransientProviderError,
  UnsupportedChangeError,
  VerificationError,
} from '../../domain/errors.js';
import { hostCidr, parseCidr } from '../../domain/cidr.js';
import type { EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import type { StateStore } from '../../ports/state-store.js';
import { buildHuaweiClients, credentialsFromEnv, sendJson, type HuaweiClients, type HuaweiCredentials, type HuaweiService } from './clients.js';
import { hasCode, huaweiFailure, isNotFound, isThrottled, translateHuaweiError } from './errors.js';
import {
  createSecurityGroupRuleBody,
  dcsWhitelistBody,
  listRouteTablesBody,
  listSecurityGroupRulesBody,
  showRouteTableBody,
  virtualGatewayBody,
  vpnConnectionBody,
  type DcsWhitelist,
  type RouteTableRoute,
  type SecurityGroupRule,
  type VpnConnection,
  type VpnPolicyRule,
} from './wire.js';

export interface HuaweiProviderOptions {
  region: string;
  /** Explicit, so the SDK never calls IAM to find it. Default: HUAWEICLOUD_SDK_PROJECT_ID. */
  projectId?: string;
  /** Default: HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (/ HUAWEICLOUD_SDK_SECURITY_TOKEN), the SDK's convention. */
  credentials?: HuaweiCredentials;
  /** One endpoint for every service, e.g. "http://127.0.0.1:PORT" for the contract server. */
  endpoint?: string;
  endpoints?: Partial<Record<HuaweiService, string>>;
  leases: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  /** Asynchronous applies (DCS whitelist, VPN policy) are re-read this often... */
  pollIntervalMs?: number;
  /** ...until this long has passed, then TransientProviderError. */
  pollTimeoutMs?: number;
  /** Attempts per call while Huawei answers 429 / APIGW.0308 (the Node SDK has no retry of its own). */
  maxAttempts?: number;
  /** First back-off after a throttled call; doubles per attempt. */
  throttleBackoffMs?: number;
  leaseTtlSeconds?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

/** Marks what podreach added (route and rule descriptions). */
export const OWNER_PREFIX = 'podreach:';
/** The DCS whitelist group podreach keeps its entries in (names: > 4 chars, letter first). */
export const DCS_GROUP_NAME = 'podreach';
export const DCS_MAX_GROUPS = 4;
export const VPN_MAX_RULES = 5;
export const VPN_MAX_PEER_SUBNETS = 50;
/** UpdateRouteTable: the destination overlaps or duplicates an existing route. */
const ROUTE_OVERLAP_CODE = 'VPC.2809';

const ROUTE_TYPE_BY_HOP: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'vpn',
  'dx-gateway': 'dc',
  'cloud-connect': 'cc',
  peering: 'peering',
  'transit-router': 'er',
  node: 'ecs',
};
const HOP_BY_ROUTE_TYPE: Record<string, NextHopType> = {
  vpn: 'vpn-gateway',
  dc: 'dx-gateway',
  cc: 'cloud-connect',
  peering: 'peering',
  er: 'transit-router',
  ecs: 'node',
  local: 'vpc',
};

const SUPPORTED: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['route', 'sg-rule', 'whitelist-entry', 'vpn-selector', 'subnet-association', 'dx-prefix']);

const UNSUPPORTED_REASON: Partial<Record<ChangeKind, string>> = {
  'bgp-peer': 'Huawei Cloud has no API for Kubernetes BGP peers: apply the emitted BGPPeer manifest in the cluster',
  'cloud-connect-route':
    'Huawei Cloud Connect learns network-instance CIDRs itself and Enterprise Router static routes need @huaweicloud/huaweicloud-sdk-er, which podreach does not ship yet: add the route by hand',
  'transit-route': 'Enterprise Router static routes need @huaweicloud/huaweicloud-sdk-er, which podreach does not ship yet: add the route by hand',
  'vpn-route': 'Huawei route-based VPN connections carry destinations in the connection (peer_subnets), not in gateway routes: use vpn-selector or a route-table route',
};

export class HuaweiProvider implements NetworkProvider {
  readonly name = 'huawei' as const;
  private readonly clients: HuaweiClients;
  private readonly region: string;
  private readonly leases: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly throttleBackoffMs: number;
  private readonly leaseTtlSeconds: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: HuaweiProviderOptions) {
    this.region = options.region;
    this.leases = options.leases;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 60_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.throttleBackoffMs = options.throttleBackoffMs ?? 500;
    this.leaseTtlSeconds = options.leaseTtlSeconds ?? 120;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clients = buildHuaweiClients({
      region: options.region,
      projectId: options.projectId ?? process.env.HUAWEICLOUD_SDK_PROJECT_ID ?? '',
      credentials: options.credentials ?? credentialsFromEnv(),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    });
  }

  supports(kind: ChangeKind): boolean {
    return SUPPORTED.has(kind);
  }

  quotas(): ProviderQuotas {
    return {
      routesPerTable: 200,
      rulesPerSecurityGroup: 50,
      prefixesPerDxGateway: 50,
      selectorsPerConnection: VPN_MAX_PEER_SUBNETS,
      whitelistEntries: 20,
    };
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    return this.guard(`list ${kind} ${target}`, async () => {
      switch (kind) {
        case 'route':
          return (await this.readRouteTable(target))?.routes.map((route) => this.routeEntry(target, route)) ?? [];
        case 'sg-rule':
          return (await this.listIngressRules(target)).map((rule) => this.ruleEntry(target, rule)).filter((e): e is ProviderEntry => e !== undefined);
        case 'whitelist-entry': {
          const whitelist = await this.readWhitelist(this.dcsInstance(target));
          return whitelist ? whitelistEntries(target, whitelist) : [];
        }
        case 'vpn-selector': {
          const connection = await this.readVpnConnection(target);
          return connection ? selectorEntries(target, connection.policy_rules) : [];
        }
        case 'subnet-association':
          return (await this.tablesOfSubnet(target)).map((table) => ({
            kind,
            target,
            nextHop: table.id,
            nextHopType: 'route-table' as const,
            owner: table.default ? ('foreign' as const) : undefined,
          }));
        case 'dx-prefix': {
          const prefixes = await this.readVirtualGatewayPrefixes(target);
          return (prefixes ?? []).map((cidr) => ({ kind, target, cidr }));
        }
        default:
          throw this.unsupported(kind);
      }
    });
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.guard(`create ${entry.kind} ${entry.target}`, async () => {
      switch (entry.kind) {
        case 'route':
          return this.createRoute(entry, context);
        case 'sg-rule':
          return this.createRule(entry, context);
        case 'whitelist-entry':
          return this.changeWhitelist(entry, context, 'add');
        case 'vpn-selector':
          return this.changeSelectors(entry, context, 'add');
        case 'subnet-association':
          return this.associateSubnet(entry);
        case 'dx-prefix':
          return this.changeDxPrefixes(entry, context, 'add');
        default:
          throw this.unsupported(entry.kind);
      }
    });
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.guard(`update ${entry.kind} ${entry.target}`, async () => {
      if (entry.kind !== 'route') {
        // The other kinds have no value besides their identity: an update is a create.
        return this.createEntry(entry, context);
      }
      const destination = requireCidr(entry);
      const table = await this.readRouteTable(entry.target);
      if (!table) throw new ResourceNotFoundError(`route table ${entry.target} does not exist`);
      const current = table.routes.find((route) => sameCidr(route.destination, destination));
      if (!current) return this.createRoute(entry, context);
      if (current.nexthop === entry.nextHop) return this.routeEntry(entry.target, current);
      const type = routeType(entry);
      await this.call(() =>
        this.clients.vpcV2.updateRouteTable({
          routetable_id: entry.target,
          body: { routetable: { routes: { mod: [{ type, destination, nexthop: requireNextHop(entry), description: ownerTag(context) }] } } },
        } as never),
      );
      return this.verifyRoute(entry, destination);
    });
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    await this.guard(`delete ${entry.kind} ${entry.target}`, async () => {
      switch (entry.kind) {
        case 'route':
          return this.deleteRoute(entry);
        case 'sg-rule':
          return this.deleteRule(entry);
        case 'whitelist-entry':
          await this.changeWhitelist(entry, context, 'remove');
          return;
        case 'vpn-selector':
          await this.changeSelectors(entry, context, 'remove');
          return;
        case 'subnet-association':
          return this.disassociateSubnet(entry);
        case 'dx-prefix':
          await this.changeDxPrefixes(entry, context, 'remove');
          return;
        default:
          throw this.unsupported(entry.kind);
      }
    });
  }

  // ---- route tables -------------------------------------------------------------------------------

  private async readRouteTable(routeTableId: string) {
    try {
      const body = await this.call(() => this.clients.vpcV2.showRouteTable({ routetable_id: routeTableId } as never));
      return showRouteTableBody.parse(body).routetable;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private routeEntry(target: string, route: RouteTableRoute): ProviderEntry {
    const nextHopType = HOP_BY_ROUTE_TYPE[route.type];
    return {
      kind: 'route',
      target,
      cidr: tolerantCidr(route.destination),
      nextHop: route.nexthop,
      ...(nextHopType ? { nextHopType } : {}),
      owner: route.description?.startsWith(OWNER_PREFIX) ? 'podreach' : 'foreign',
      ...(route.description ? { description: route.description } : {}),
    };
  }

  private async createRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const destination = requireCidr(entry);
    const nexthop = requireNextHop(entry);
    const type = routeType(entry);
    const table = await this.readRouteTable(entry.target);
    if (!table) throw new ResourceNotFoundError(`route table ${entry.target} does not exist`);
    const existing = table.routes.find((route) => sameCidr(route.destination, destination));
    if (existing) return this.sameHopOrConflict(entry, existing);
    try {
      await this.call(() =>
        this.clients.vpcV2.updateRouteTable({
          routetable_id: entry.target,
          body: { routetable: { routes: { add: [{ type, destination, nexthop, description: ownerTag(context) }] } } },
        } as never),
      );
    } catch (error) {
      // VPC.2809: the destination overlaps or duplicates a route (a concurrent writer, or a system route).
      if (!hasCode(error, ROUTE_OVERLAP_CODE)) throw error;
      const after = (await this.readRouteTable(entry.target))?.routes.find((route) => sameCidr(route.destination, destination));
      if (after) return this.sameHopOrConflict(entry, after);
      throw new EntryConflictError(`route ${destination} in ${entry.target} overlaps an existing route: ${huaweiFailure(error)?.message ?? ''}`.trim(), ROUTE_OVERLAP_CODE);
    }
    return this.verifyRoute(entry, destination);
  }

  private sameHopOrConflict(entry: NetworkEntry, route: RouteTableRoute): ProviderEntry {
    if (route.nexthop === entry.nextHop) return this.routeEntry(entry.target, route);
    throw new EntryConflictError(`route ${route.destination} in ${entry.target} already points to ${route.type} ${route.nexthop}, not ${entry.nextHop}`, ROUTE_OVERLAP_CODE);
  }

  private async verifyRoute(entry: NetworkEntry, destination: string): Promise<ProviderEntry> {
    const route = (await this.readRouteTable(entry.target))?.routes.find((r) => sameCidr(r.destination, destination));
    if (!route || route.nexthop !== entry.nextHop) {
      throw new VerificationError(`route ${destination} -> ${entry.nextHop} is not in ${entry.target} after the update`);
    }
    return this.routeEntry(entry.target, route);
  }

  private async deleteRoute(entry: NetworkEntry): Promise<void> {
    const destination = requireCidr(entry);
    const table = await this.readRouteTable(entry.target);
    const route = table?.routes.find((r) => sameCidr(r.destination, destination));
    // Missing, or someone else's next hop on that destination: nothing of ours to remove.
    if (!route || (entry.nextHop !== undefined && route.nexthop !== entry.nextHop)) return;
    try {
      await this.call(() =>
        this.clients.vpcV2.updateRouteTable({
          routetable_id: entry.target,
          body: { routetable: { routes: { del: [{ type: route.type, destination: route.destination, nexthop: route.nexthop }] } } },
        } as never),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  // ---- subnet associations ------------------------------------------------------------------------

  private async tablesOfSubnet(subnetId: string) {
    const body = await this.call(() => this.clients.vpcV2.listRouteTables({ subnet_id: subnetId } as never));
    return listRouteTablesBody.parse(body).routetables.filter((table) => table.subnets.some((s) => s.id === subnetId));
  }

  private async associateSubnet(entry: NetworkEntry): Promise<ProviderEntry> {
    const routeTableId = requireNextHop(entry);
    const bound = await this.tablesOfSubnet(entry.target);
    if (bound.some((table) => table.id === routeTableId)) {
      return { kind: 'subnet-association', target: entry.target, nextHop: routeTableId, nextHopType: 'route-table' };
    }
    // Every Huawei subnet sits in some table; leaving the VPC's default table is the normal first association.
    // A custom table someone chose is never replaced.
    const custom = bound.find((table) => !table.default);
    if (custom) {
      throw new EntryConflictError(`subnet ${entry.target} is associated with route table ${custom.id}; podreach does not move it to ${routeTableId}`);
    }
    await this.call(() =>
      this.clients.vpcV2.associateRouteTable({ routetable_id: routeTableId, body: { routetable: { subnets: { associate: [entry.target] } } } } as never),
    );
    const after = await this.tablesOfSubnet(entry.target);
    if (!after.some((table) => table.id === routeTableId)) {
      throw new VerificationError(`subnet ${entry.target} is not associated with ${routeTableId} after the update`);
    }
    return { kind: 'subnet-association', target: entry.target, nextHop: routeTableId, nextHopType: 'route-table' };
  }

  private async disassociateSubnet(entry: NetworkEntry): Promise<void> {
    const routeTableId = requireNextHop(entry);
    const bound = await this.tablesOfSubnet(entry.target);
    if (!bound.some((table) => table.id === routeTableId)) return;
    try {
      await this.call(() =>
        this.clients.vpcV2.disassociateRouteTable({ routetable_id: routeTableId, body: { routetable: { subnets: { disassociate: [entry.target] } } } } as never),
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  // ---- security group rules (v3) ------------------------------------------------------------------

  private async listIngressRules(securityGroupId: string): Promise<SecurityGroupRule[]> {
    const rules: SecurityGroupRule[] = [];
    let marker: string | undefined;
    do {
      const request: Record<string, unknown> = { security_group_id: [securityGroupId], direction: 'ingress', limit: 200 };
      if (marker) request.marker = marker;
      const body = listSecurityGroupRulesBody.parse(await this.call(() => this.clients.vpcV3.listSecurityGroupRules(request as never)));
      rules.push(...body.security_group_rules.filter((rule) => rule.security_group_id === securityGroupId && rule.direction === 'ingress'));
      const next = body.page_info?.next_marker ?? undefined;
      marker = next && body.security_group_rules.length > 0 ? next : undefined;
    } while (marker);
    return rules;
  }

  private ruleEntry(target: string, rule: SecurityGroupRule): ProviderEntry | undefined {
    if (!rule.remote_ip_prefix || (rule.action ?? 'allow') !== 'allow') return undefined;
    return {
      kind: 'sg-rule',
      target,
      cidr: tolerantCidr(rule.remote_ip_prefix),
      port: portOf(rule),
      resourceId: rule.id,
      owner: rule.description?.startsWith(OWNER_PREFIX) ? 'podreach' : 'foreign',
      ...(rule.description ? { description: rule.description } : {}),
    };
  }

  private async findRule(entry: NetworkEntry): Promise<ProviderEntry | undefined> {
    const cidr = requireCidr(entry);
    const port = normalisePort(entry.port);
    const entries = (await this.listIngressRules(entry.target)).map((rule) => this.ruleEntry(entry.target, rule));
    const matches = entries.filter((e): e is ProviderEntry => e !== undefined && e.cidr === cidr && e.port === port);
    return matches.find((e) => e.owner === 'podreach') ?? matches[0];
  }

  private async createRule(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const existing = await this.findRule(entry);
    if (existing) return existing;
    const { protocol, multiport } = parsePort(entry.port);
    const rule: Record<string, unknown> = {
      security_group_id: entry.target,
      direction: 'ingress',
      ethertype: cidr.includes(':') ? 'IPv6' : 'IPv4',
      remote_ip_prefix: cidr,
      action: 'allow',
      description: ownerTag(context),
    };
    if (protocol) rule.protocol = protocol;
    if (multiport) rule.multiport = multiport;
    try {
      const body = await this.call(() => this.clients.vpcV3.createSecurityGroupRule({ body: { security_group_rule: rule } } as never));
      const created = this.ruleEntry(entry.target, createSecurityGroupRuleBody.parse(body).security_group_rule);
      if (created) return created;
    } catch (error) {
      // A duplicate rule is refused (409); whatever the code says, the rule being there is what counts.
      const found = huaweiFailure(error)?.status === 409 ? await this.findRule(entry) : undefined;
      if (found) return found;
      throw error;
    }
    const found = await this.findRule(entry);
    if (!found) throw new VerificationError(`ingress rule ${cidr} ${entry.port ?? 'all'} is not in ${entry.target} after creating it`);
    return found;
  }

  private async deleteRule(entry: NetworkEntry): Promise<void> {
    const found = await this.findRule(entry);
    if (!found?.resourceId) return;
    const ruleId = found.resourceId;
    try {
      await this.call(() => this.clients.vpcV3.deleteSecurityGroupRule({ security_group_rule_id: ruleId } as never));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  // ---- DCS whitelist (replace-style, asynchronous) ------------------------------------------------

  private dcsInstance(target: string): string {
    const [service, instanceId] = splitTarget(target);
    if (service !== 'redis') {
      throw new UnsupportedChangeError(
        `Huawei ${service} access is controlled by security groups, not an IP whitelist podreach can edit: use a security group rule`,
      );
    }
    return instanceId;
  }

  private async readWhitelist(instanceId: string): Promise<DcsWhitelist | undefined> {
    try {
      const body = await this.call(() => sendJson(this.clients.generic.dcs, 'GET', '/v2/{project_id}/instance/{instance_id}/whitelist', { instance_id: instanceId }));
      return dcsWhitelistBody.parse(body);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async changeWhitelist(entry: NetworkEntry, context: EntryContext, change: 'add' | 'remove'): Promise<ProviderEntry> {
    const instanceId = this.dcsInstance(entry.target);
    const cidr = requireCidr(entry);
    const mine: ProviderEntry = { kind: 'whitelist-entry', target: entry.target, cidr, owner: 'podreach' };
    return this.withLease(`huawei:${this.region}:dcs:${instanceId}`, context, async () => {
      const current = await this.readWhitelist(instanceId);
      if (!current) {
        if (change === 'remove') return mine;
        throw new ResourceNotFoundError(`DCS instance ${instanceId} does not exist`);
      }
      const listed = (whitelist: DcsWhitelist) => whitelist.whitelist.some((group) => group.ip_list.some((ip) => sameCidr(ip, cidr)));
      const ours = current.whitelist.find((group) => group.group_name === DCS_GROUP_NAME);
      if (change === 'add' && listed(current)) return mine;
      if (change === 'remove' && !ours?.ip_list.some((ip) => sameCidr(ip, cidr))) return mine;

      let groups = current.whitelist.map((group) => ({ group_name: group.group_name, ip_list: [...group.ip_list] }));
      if (change === 'add') {
        if (ours) {
          groups = groups.map((group) => (group.group_name === DCS_GROUP_NAME ? { ...group, ip_list: [...group.ip_list, cidr] } : group));
        } else if (groups.length >= DCS_MAX_GROUPS) {
          throw new QuotaExceededError(`DCS instance ${instanceId} already has ${groups.length} whitelist groups (at most ${DCS_MAX_GROUPS}); podreach needs one`);
        } else {
          groups.push({ group_name: DCS_GROUP_NAME, ip_list: [cidr] });
        }
      } else {
        groups = groups
          .map((group) => (group.group_name === DCS_GROUP_NAME ? { ...group, ip_list: group.ip_list.filter((ip) => !sameCidr(ip, cidr)) } : group))
          .filter((group) => group.ip_list.length > 0);
      }
      // enable_whitelist is kept as found: switching it on would lock out every client not listed.
      await this.call(() =>
        sendJson(this.clients.generic.dcs, 'PUT', '/v2/{project_id}/instance/{instance_id}/whitelist', { instance_id: instanceId }, {
          instance_id: instanceId,
          enable_whitelist: current.enable_whitelist,
          whitelist: groups,
        }),
      );
      // DCS applies the whitelist asynchronously: the change is done once a read shows it.
      await this.pollUntil(`DCS whitelist of ${instanceId} to ${change === 'add' ? 'show' : 'drop'} ${cidr}`, async () => {
        const after = await this.readWhitelist(instanceId);
        return after !== undefined && listed(after) === (change === 'add');
      });
      return mine;
    });
  }

  // ---- VPN connection policy rules (replace-style) ------------------------------------------------

  private async readVpnConnection(connectionId: string): Promise<VpnConnection | undefined> {
    try {
      const body = await this.call(() => sendJson(this.clients.generic.vpn, 'GET', '/v5/{project_id}/vpn-connection/{vpn_connection_id}', { vpn_connection_id: connectionId }));
      return vpnConnectionBody.parse(body).vpn_connection;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async changeSelectors(entry: NetworkEntry, context: EntryContext, change: 'add' | 'remove'): Promise<ProviderEntry> {
    const source = requireCidr(entry);
    if (!entry.peerCidr) throw new InvalidInputError('peerCidr', 'a vpn-selector needs the remote side (peerCidr)');
    const destination = requireCidr({ ...entry, cidr: entry.peerCidr });
    const mine: ProviderEntry = { kind: 'vpn-selector', target: entry.target, cidr: source, peerCidr: destination };
    return this.withLease(`huawei:${this.region}:vpn:${entry.target}`, context, async () => {
      const connection = await this.readVpnConnection(entry.target);
      if (!connection) {
        if (change === 'remove') return mine;
        throw new ResourceNotFoundError(`VPN connection ${entry.target} does not exist`);
      }
      if (connection.style && connection.style.toUpperCase() !== 'POLICY') {
        throw new UnsupportedChangeError(`VPN connection ${entry.target} is ${connection.style}-based; policy rules apply to policy-based connections only`);
      }
      const has = (rules: VpnPolicyRule[]) => rules.some((rule) => sameCidr(rule.source, source) && rule.destination.some((d) => sameCidr(d, destination)));
      if (has(connection.policy_rules) === (change === 'add')) return mine;

      let rules = connection.policy_rules.map((rule) => ({ ...rule, destination: [...rule.destination] }));
      if (change === 'add') {
        const rule = rules.find((r) => sameCidr(r.source, source));
        if (rule) {
          rule.destination.push(destination);
        } else {
          const nextIndex = rules.reduce((max, r) => Math.max(max, r.rule_index), 0) + 1;
          rules.push({ rule_index: nextIndex, source, destination: [destination] });
        }
        const peerSubnets = rules.reduce((sum, r) => sum + r.destination.length, 0);
        if (rules.length > VPN_MAX_RULES || peerSubnets > VPN_MAX_PEER_SUBNETS) {
          throw new QuotaExceededError(
            `VPN connection ${entry.target} would need ${rules.length} policy rules / ${peerSubnets} peer subnets (at most ${VPN_MAX_RULES} / ${VPN_MAX_PEER_SUBNETS}): summarise the CIDRs`,
          );
        }
      } else {
        rules = rules
          .map((r) => (sameCidr(r.source, source) ? { ...r, destination: r.destination.filter((d) => !sameCidr(d, destination)) } : r))
          .filter((r) => r.destination.length > 0);
      }
      await this.call(() =>
        sendJson(this.clients.generic.vpn, 'PUT', '/v5/{project_id}/vpn-connection/{vpn_connection_id}', { vpn_connection_id: entry.target }, {
          vpn_connection: { policy_rules: rules },
        }),
      );
      await this.pollUntil(`VPN connection ${entry.target} policy rules`, async () => {
        const after = await this.readVpnConnection(entry.target);
        return after !== undefined && has(after.policy_rules) === (change === 'add');
      });
      return mine;
    });
  }

  // ---- Direct Connect virtual gateway prefixes (replace-style) ------------------------------------

  private async readVirtualGatewayPrefixes(gatewayId: string): Promise<string[] | undefined> {
    try {
      const body = await this.call(() =>
        sendJson(this.clients.generic.dcaas, 'GET', '/v3/{project_id}/dcaas/virtual-gateways/{virtual_gateway_id}', { virtual_gateway_id: gatewayId }),
      );
      return virtualGatewayBody.parse(body).virtual_gateway.local_ep_group;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async changeDxPrefixes(entry: NetworkEntry, context: EntryContext, change: 'add' | 'remove'): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const mine: ProviderEntry = { kind: 'dx-prefix', target: entry.target, cidr };
    return this.withLease(`huawei:${this.region}:dc-vgw:${entry.target}`, context, async () => {
      const prefixes = await this.readVirtualGatewayPrefixes(entry.target);
      if (!prefixes) {
        if (change === 'remove') return mine;
        throw new ResourceNotFoundError(`virtual gateway ${entry.target} does not exist`);
      }
      const present = prefixes.some((p) => sameCidr(p, cidr));
      if (present === (change === 'add')) return mine;
      const next = change === 'add' ? [...prefixes, cidr] : prefixes.filter((p) => !sameCidr(p, cidr));
      await this.call(() =>
        sendJson(this.clients.generic.dcaas, 'PUT', '/v3/{project_id}/dcaas/virtual-gateways/{virtual_gateway_id}', { virtual_gateway_id: entry.target }, {
          virtual_gateway: { local_ep_group: next },
        }),
      );
      return mine;
    });
  }

  // ---- shared machinery ---------------------------------------------------------------------------

  /** One SDK call, retried with back-off while throttled (the Node SDK does not retry 429). */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!isThrottled(error) || attempt >= this.maxAttempts) throw error;
        await this.sleep(this.throttleBackoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private async guard<T>(action: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      return translateHuaweiError(error, action);
    }
  }

  private async withLease<T>(resourceKey: string, context: EntryContext, run: () => Promise<T>): Promise<T> {
    const holder = `${context.clusterId}/${context.changeId}`;
    if (!(await this.leases.acquireLease(resourceKey, holder, this.leaseTtlSeconds, this.now()))) {
      throw new LeaseHeldError(`${resourceKey} is being changed by another writer`);
    }
    try {
      return await run();
    } finally {
      await this.leases.releaseLease(resourceKey, holder);
    }
  }

  private async pollUntil(what: string, done: () => Promise<boolean>): Promise<void> {
    const deadline = this.now().getTime() + this.pollTimeoutMs;
    for (;;) {
      if (await done()) return;
      if (this.now().getTime() >= deadline) {
        throw new TransientProviderError(`timed out after ${this.pollTimeoutMs} ms waiting for ${what}`);
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private unsupported(kind: ChangeKind): UnsupportedChangeError {
    return new UnsupportedChangeError(UNSUPPORTED_REASON[kind] ?? `Huawei Cloud adapter does not apply ${kind} changes`);
  }
}

// ---- pure helpers ---------------------------------------------------------------------------------

function ownerTag(context: EntryContext): string {
  return `${OWNER_PREFIX}${context.clusterId}`;
}

function requireCidr(entry: NetworkEntry): string {
  const parsed = entry.cidr ? parseCidr(entry.cidr) : undefined;
  if (!parsed) throw new InvalidInputError('cidr', `a ${entry.kind} entry needs a valid CIDR, got "${entry.cidr ?? ''}"`);
  return parsed.cidr;
}

function requireNextHop(entry: NetworkEntry): string {
  if (!entry.nextHop) throw new InvalidInputError('nextHop', `a ${entry.kind} entry needs a next hop`);
  return entry.nextHop;
}

function routeType(entry: NetworkEntry): string {
  const type = entry.nextHopType ? ROUTE_TYPE_BY_HOP[entry.nextHopType] : undefined;
  if (!type) {
    throw new UnsupportedChangeError(`Huawei route tables take next hops of type vpn, dc, cc, peering, er or ecs; not ${entry.nextHopType ?? '(none)'}`);
  }
  return type;
}

function sameCidr(a: string, b: string): boolean {
  return tolerantCidr(a) === tolerantCidr(b);
}

/** Normalised CIDR; a bare address (DCS lists them) as /32 or /128; anything else as it came. */
function tolerantCidr(text: string): string {
  const trimmed = text.trim();
  return (parseCidr(trimmed) ?? parseCidr(hostCidr(trimmed)))?.cidr ?? trimmed;
}

function splitTarget(target: string): [string, string] {
  const at = target.indexOf(':');
  if (at <= 0 || at === target.length - 1) {
    throw new InvalidInputError('target', `a whitelist target is "<service>:<instanceId>", got "${target}"`);
  }
  return [target.slice(0, at), target.slice(at + 1)];
}

/** "tcp:22", "udp:53", "tcp:8000-8080", "icmp", "all" -> Huawei protocol / multiport. */
export function parsePort(port: string | undefined): { protocol?: string; multiport?: string } {
  const text = normalisePort(port);
  if (text === 'all') return {};
  const [protocol, range] = text.split(':');
  if (!protocol || !['tcp', 'udp', 'icmp', 'icmpv6', 'gre'].includes(protocol)) {
    throw new InvalidInputError('port', `unsupported port "${port}"`);
  }
  return range ? { protocol, multiport: range } : { protocol };
}

function normalisePort(port: string | undefined): string {
  const text = (port ?? 'all').trim().toLowerCase();
  return text === '' ? 'all' : text;
}

function portOf(rule: SecurityGroupRule): string {
  const protocol = rule.protocol?.toLowerCase();
  if (!protocol) return 'all';
  return rule.multiport ? `${protocol}:${rule.multiport}` : protocol;
}

function whitelistEntries(target: string, whitelist: DcsWhitelist): ProviderEntry[] {
  return whitelist.whitelist.flatMap((group) =>
    group.ip_list.map((ip) => ({
      kind: 'whitelist-entry' as const,
      target,
      cidr: tolerantCidr(ip),
      owner: group.group_name === DCS_GROUP_NAME ? ('podreach' as const) : ('foreign' as const),
      description: group.group_name,
    })),
  );
}

function selectorEntries(target: string, rules: VpnPolicyRule[]): ProviderEntry[] {
  return rules.flatMap((rule) =>
    rule.destination.map((destination) => ({
      kind: 'vpn-selector' as const,
      target,
      cidr: tolerantCidr(rule.source),
      peerCidr: tolerantCidr(destination),
      resourceId: String(rule.rule_index),
    })),
  );
}

