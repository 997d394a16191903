// NetworkProvider for Huawei Cloud: VPC route tables (v1 API via the v2 SDK client), security group rules (v3),
// DCS Redis IP whitelists, VPN connection policy rules and Direct Connect virtual-gateway prefixes (signed generic
// calls through the core SDK: their SDK packages are not installed). Only Huawei's calls live here: the kit
// (../kit) decides around them. The Node SDK never retries a 429: the kit's p-retry does.
import {
  AddRouteTableRoute,
  AsscoiateReq,
  AssociateRouteTableAndSubnetReq,
  AssociateRouteTableRequest,
  DelRouteTableRoute,
  DisassociateRouteTableRequest,
  ListPortsRequest,
  ListRouteTablesRequest,
  ModRouteTableRoute,
  RouteTableRouteAction,
  RoutetableAssociateReqbody,
  ShowRouteTableRequest,
  UpdateRouteTableReq,
  UpdateRouteTableRequest,
  UpdateRoutetableReqBody,
} from '@huaweicloud/huaweicloud-sdk-vpc/v2/public-api.js';
import {
  CreateSecurityGroupRuleOption,
  CreateSecurityGroupRuleRequest,
  CreateSecurityGroupRuleRequestBody,
  DeleteSecurityGroupRuleRequest,
  ListSecurityGroupRulesRequest,
} from '@huaweicloud/huaweicloud-sdk-vpc/v3/public-api.js';
import { canonicalCidr, sameCidr } from '../../domain/cidr.js';
import { QuotaExceededError, ResourceNotFoundError, UnsupportedChangeError, InvalidInputError } from '../../domain/errors.js';
import type { NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import { ownerOfDescription, ownershipMark } from '../../domain/ownership-mark.js';
import type { AddressHolder } from '../../ports/network-provider.js';
import type { LeaseStore } from '../kit/lease.js';
import { parsePort, portTexts } from '../kit/port.js';
import { KitProvider, kitOptions, need, type KitAdapterOptions, type KindOperations } from '../kit/provider.js';
import { retrying } from '../kit/retry.js';
import { buildHuaweiClients, credentialsFromEnv, sendJson, type HuaweiClients, type HuaweiCredentials, type HuaweiService } from './clients.js';
import { huaweiErrors } from './errors.js';
import { HUAWEI_QUOTAS, HUAWEI_UNSUPPORTED, VPN_MAX_PEER_SUBNETS, VPN_MAX_RULES, type HuaweiKind } from './kinds.js';
import { dcsInstancesBody, dcsWhitelistBody, listPortsBody, listRouteTablesBody, listSecurityGroupRulesBody, showRouteTableBody, virtualGatewayBody, vpnConnectionBody, type VpnPolicyRule } from './wire.js';

export interface HuaweiProviderOptions extends KitAdapterOptions {
  region: string;
  /** Explicit, so the SDK never calls IAM to find it. Default: HUAWEICLOUD_SDK_PROJECT_ID. */
  projectId?: string;
  /** Default: HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK (/ HUAWEICLOUD_SDK_SECURITY_TOKEN), the SDK's convention. */
  credentials?: HuaweiCredentials;
  /** One endpoint for every service, e.g. "http://127.0.0.1:PORT" for the contract server. */
  endpoint?: string;
  endpoints?: Partial<Record<HuaweiService, string>>;
  leases: LeaseStore;
  /** Attempts per call while Huawei answers 429 / APIGW.0308. */
  maxAttempts?: number;
  /** First back-off after a throttled call; grows exponentially, jittered. */
  throttleBackoffMs?: number;
}

/** The DCS whitelist group podreach keeps its entries in (names: > 4 chars, letter first). */
export const DCS_GROUP_NAME = 'podreach';
export const DCS_MAX_GROUPS = 4;
/** UpdateRouteTable: the destination overlaps or duplicates an existing route. */
const ROUTE_OVERLAP_CODE = 'VPC.2809';
/** Route and rule descriptions take at most 255 characters. */
const DESCRIPTION_LENGTH = 255;

const ROUTE_TYPE_BY_HOP: Partial<Record<NextHopType, string>> = { 'vpn-gateway': 'vpn', 'dx-gateway': 'dc', 'cloud-connect': 'cc', peering: 'peering', 'transit-router': 'er', node: 'ecs' };
const HOP_BY_ROUTE_TYPE: Record<string, NextHopType> = { vpn: 'vpn-gateway', dc: 'dx-gateway', cc: 'cloud-connect', peering: 'peering', er: 'transit-router', ecs: 'node', local: 'vpc' };

function routeType(entry: NetworkEntry): string {
  const type = entry.nextHopType && ROUTE_TYPE_BY_HOP[entry.nextHopType];
  if (!type) throw new UnsupportedChangeError(`Huawei route tables take next hops of type vpn, dc, cc, peering, er or ecs; not ${entry.nextHopType ?? '(none)'}`);
  return type;
}

/** "tcp:22", "udp:53", "tcp:8000-8080", "icmp", "all" -> Huawei protocol / multiport. */
export function parsePortRule(text: string | undefined): { protocol?: string; multiport?: string } {
  const port = parsePort(text);
  if (port.protocol === 'all') return {};
  if (port.from === undefined) return { protocol: port.protocol };
  return { protocol: port.protocol, multiport: port.from === port.to ? String(port.from) : `${port.from}-${port.to}` };
}

function dcsInstance(target: string): string {
  const at = target.indexOf(':');
  if (at <= 0 || at === target.length - 1) throw new InvalidInputError('target', `a whitelist target is "<service>:<instanceId>", got "${target}"`);
  if (target.slice(0, at) !== 'redis') {
    throw new UnsupportedChangeError(`Huawei ${target.slice(0, at)} access is controlled by security groups, not an IP whitelist podreach can edit: use a security group rule`);
  }
  return target.slice(at + 1);
}

export class HuaweiProvider extends KitProvider {
  readonly name = 'huawei' as const;
  private readonly clients: HuaweiClients;
  private readonly region: string;
  private readonly attempts: number;
  private readonly backoffMs: number;
  protected readonly operations: Record<HuaweiKind, KindOperations>;

  constructor(options: HuaweiProviderOptions) {
    super(kitOptions({ quotas: HUAWEI_QUOTAS, unsupported: HUAWEI_UNSUPPORTED, errors: huaweiErrors }, options));
    this.region = options.region;
    this.attempts = options.maxAttempts ?? 4;
    this.backoffMs = options.throttleBackoffMs ?? 500;
    this.clients = buildHuaweiClients({
      region: options.region,
      projectId: options.projectId ?? process.env.HUAWEICLOUD_SDK_PROJECT_ID ?? '',
      credentials: options.credentials ?? credentialsFromEnv(),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.endpoints ? { endpoints: options.endpoints } : {}),
    });
    this.operations = {
      route: this.routes(),
      'sg-rule': this.rules(),
      'whitelist-entry': this.whitelist(),
      'vpn-selector': this.selectors(),
      'subnet-association': this.associations(),
      'dx-prefix': this.dxPrefixes(),
    };
  }

  /** One SDK call, retried with jittered back-off while throttled. */
  private call<T>(send: () => Promise<T>): Promise<T> {
    return retrying(send, (error) => huaweiErrors.is(error, 'throttling'), { attempts: this.attempts, baseDelayMs: this.backoffMs });
  }

  private read<T>(send: () => Promise<T>): Promise<T | undefined> {
    return huaweiErrors.unlessNotFound(() => this.call(send));
  }

  private updateRoutes(routetableId: string, routes: RouteTableRouteAction): Promise<unknown> {
    return this.call(() =>
      this.clients.vpcV2.updateRouteTable(new UpdateRouteTableRequest(routetableId).withBody(new UpdateRoutetableReqBody(new UpdateRouteTableReq().withRoutes(routes)))),
    );
  }

  /**
   * The port holding the address (an ECS's NIC, a virtual IP) and its security groups (ListPorts with
   * fixed_ips=ip_address=...); else a DCS Redis instance at that address, whose access is its whitelist.
   */
  protected async lookupAddress(ip: string): Promise<AddressHolder | undefined> {
    const ports = listPortsBody.parse((await this.read(() => this.clients.vpcV2.listPorts(new ListPortsRequest().withFixedIps([`ip_address=${ip}`])))) ?? {}).ports;
    const port = ports.find((candidate) => candidate.fixed_ips?.some((fixed) => fixed.ip_address === ip));
    if (port) {
      return {
        ip,
        resourceId: port.id,
        securityGroups: port.security_groups ?? [],
        ...(port.network_id ? { subnetId: port.network_id } : {}),
        ...(port.device_owner ? { description: port.device_owner } : {}),
      };
    }
    const body = await this.read(() => sendJson(this.clients.generic.dcs, 'GET', '/v2/{project_id}/instances', {}, undefined, { ip }));
    // DCS Memcached has no IP whitelist podreach edits; Redis does
    const instance = dcsInstancesBody.parse(body ?? {}).instances.find((candidate) => candidate.ip === ip && !/memcached/i.test(candidate.engine ?? ''));
    if (!instance) return undefined;
    return {
      ip,
      resourceId: instance.instance_id,
      securityGroups: [],
      whitelists: [`redis:${instance.instance_id}`],
      ...(instance.vpc_id ? { vpcId: instance.vpc_id } : {}),
      ...(instance.subnet_id ? { subnetId: instance.subnet_id } : {}),
      ...(instance.name ? { description: instance.name } : {}),
    };
  }

  private routes(): KindOperations {
    return {
      prepare: (entry) => (routeType(entry), entry),
      list: async (target) => {
        const body = await this.read(() => this.clients.vpcV2.showRouteTable(new ShowRouteTableRequest(target)));
        return body === undefined
          ? []
          : showRouteTableBody.parse(body).routetable.routes.map((route): ProviderEntry => {
              const type = HOP_BY_ROUTE_TYPE[route.type];
              return {
                kind: 'route', target, cidr: canonicalCidr(route.destination), nextHop: route.nexthop,
                ...(type ? { nextHopType: type } : {}),
                owner: ownerOfDescription(route.description ?? undefined),
                ...(route.description ? { description: route.description } : {}),
              };
            });
      },
      create: async (entry, context) => {
        const add = new AddRouteTableRoute(routeType(entry), need(entry, 'cidr'), need(entry, 'nextHop')).withDescription(ownershipMark(context, DESCRIPTION_LENGTH));
        return this.updateRoutes(entry.target, new RouteTableRouteAction().withAdd([add]));
      },
      update: (entry, _current, context) => {
        const mod = new ModRouteTableRoute(routeType(entry), need(entry, 'cidr'), need(entry, 'nextHop')).withDescription(ownershipMark(context, DESCRIPTION_LENGTH));
        return this.updateRoutes(entry.target, new RouteTableRouteAction().withMod([mod]));
      },
      delete: (current) =>
        this.updateRoutes(current.target, new RouteTableRouteAction().withDel([new DelRouteTableRoute(need(current, 'cidr')).withType(routeType(current)).withNexthop(current.nextHop ?? '')])),
      // VPC.2809: the destination overlaps or duplicates a route (a concurrent writer, a system route): re-read
      raced: (error) => huaweiErrors.has(error, ROUTE_OVERLAP_CODE),
    };
  }

  /**
   * Every Huawei subnet sits in one table, at first the VPC's default one, which counts as no association:
   * podreach moves a subnet out of it, never out of a custom table someone chose, and disassociating returns the
   * subnet to the default table.
   */
  private associations(): KindOperations {
    const change = (routetableId: string, subnets: AssociateRouteTableAndSubnetReq, Request: typeof AssociateRouteTableRequest | typeof DisassociateRouteTableRequest) =>
      this.call(() => {
        const request = new Request(routetableId).withBody(new RoutetableAssociateReqbody(new AsscoiateReq(subnets)));
        return request instanceof AssociateRouteTableRequest ? this.clients.vpcV2.associateRouteTable(request) : this.clients.vpcV2.disassociateRouteTable(request);
      });
    return {
      list: async (subnetId) => {
        const body = await this.call(() => this.clients.vpcV2.listRouteTables(new ListRouteTablesRequest().withSubnetId(subnetId)));
        return listRouteTablesBody
          .parse(body)
          .routetables.filter((table) => !table.default && table.subnets.some((subnet) => subnet.id === subnetId))
          .map((table): ProviderEntry => ({ kind: 'subnet-association', target: subnetId, nextHop: table.id, nextHopType: 'route-table' }));
      },
      create: (entry) => change(need(entry, 'nextHop'), new AssociateRouteTableAndSubnetReq().withAssociate([entry.target]), AssociateRouteTableRequest),
      delete: (current) => change(need(current, 'nextHop'), new AssociateRouteTableAndSubnetReq().withDisassociate([current.target]), DisassociateRouteTableRequest),
    };
  }

  private rules(): KindOperations {
    return {
      prepare: (entry) => (parsePortRule(entry.port), entry),
      list: async (groupId) => {
        const rules: ProviderEntry[] = [];
        let marker: string | undefined;
        do {
          const request = new ListSecurityGroupRulesRequest().withSecurityGroupId([groupId]).withDirection('ingress').withLimit(200);
          if (marker) request.withMarker(marker);
          const body = listSecurityGroupRulesBody.parse(await this.call(() => this.clients.vpcV3.listSecurityGroupRules(request)));
          for (const rule of body.security_group_rules) {
            if (rule.security_group_id !== groupId || rule.direction !== 'ingress' || !rule.remote_ip_prefix || (rule.action ?? 'allow') !== 'allow') continue;
            // multiport may list several ports and ranges ("22,80-90"): one entry each
            for (const port of portTexts(rule.protocol ?? 'all', rule.multiport ?? undefined)) {
              rules.push({
                kind: 'sg-rule', target: groupId, cidr: canonicalCidr(rule.remote_ip_prefix), port,
                resourceId: rule.id, owner: ownerOfDescription(rule.description ?? undefined), ...(rule.description ? { description: rule.description } : {}),
              });
            }
          }
          const next = body.page_info?.next_marker ?? undefined;
          marker = next && body.security_group_rules.length > 0 ? next : undefined;
        } while (marker);
        return rules;
      },
      create: (entry, context) => {
        const cidr = need(entry, 'cidr');
        const { protocol, multiport } = parsePortRule(entry.port);
        const rule = new CreateSecurityGroupRuleOption(entry.target, 'ingress')
          .withEthertype(cidr.includes(':') ? 'IPv6' : 'IPv4')
          .withRemoteIpPrefix(cidr)
          .withAction('allow')
          .withDescription(ownershipMark(context, DESCRIPTION_LENGTH));
        if (protocol) rule.withProtocol(protocol);
        if (multiport) rule.withMultiport(multiport);
        return this.call(() => this.clients.vpcV3.createSecurityGroupRule(new CreateSecurityGroupRuleRequest().withBody(new CreateSecurityGroupRuleRequestBody(rule))));
      },
      delete: (current) => this.call(() => this.clients.vpcV3.deleteSecurityGroupRule(new DeleteSecurityGroupRuleRequest(current.resourceId))),
      // a duplicate rule is refused (409): whatever the code says, the rule being there is what counts
      raced: (error) => huaweiErrors.read(error)?.status === 409,
    };
  }

  /** DCS whitelists are replaced whole and applied asynchronously: under the instance's lease, polled. */
  private whitelist(): KindOperations {
    const path = '/v2/{project_id}/instance/{instance_id}/whitelist';
    const read = async (instanceId: string) => {
      const body = await this.read(() => sendJson(this.clients.generic.dcs, 'GET', path, { instance_id: instanceId }));
      return body === undefined ? undefined : dcsWhitelistBody.parse(body);
    };
    const write = async (target: string, change: (groups: { group_name: string; ip_list: string[] }[]) => { group_name: string; ip_list: string[] }[]) => {
      const instanceId = dcsInstance(target);
      const current = await read(instanceId);
      if (!current) throw new ResourceNotFoundError(`DCS instance ${instanceId} does not exist`);
      const groups = change(current.whitelist.map((group) => ({ group_name: group.group_name, ip_list: [...group.ip_list] }))).filter((group) => group.ip_list.length > 0);
      // enable_whitelist is kept as found: switching it on would lock out every client not listed
      return this.call(() => sendJson(this.clients.generic.dcs, 'PUT', path, { instance_id: instanceId }, { instance_id: instanceId, enable_whitelist: current.enable_whitelist, whitelist: groups }));
    };
    return {
      prepare: (entry) => (dcsInstance(entry.target), entry),
      lease: (target) => `huawei:${this.region}:dcs:${dcsInstance(target)}`,
      eventual: true,
      list: async (target) =>
        ((await read(dcsInstance(target)))?.whitelist ?? []).flatMap((group) =>
          group.ip_list.map((ip): ProviderEntry => ({ kind: 'whitelist-entry', target, cidr: canonicalCidr(ip), owner: group.group_name === DCS_GROUP_NAME ? 'podreach' : 'foreign', description: group.group_name })),
        ),
      create: (entry) =>
        write(entry.target, (groups) => {
          const ours = groups.find((group) => group.group_name === DCS_GROUP_NAME);
          if (ours) ours.ip_list.push(need(entry, 'cidr'));
          else if (groups.length >= DCS_MAX_GROUPS) throw new QuotaExceededError(`DCS instance ${dcsInstance(entry.target)} already has ${groups.length} whitelist groups (at most ${DCS_MAX_GROUPS}); podreach needs one`);
          else groups.push({ group_name: DCS_GROUP_NAME, ip_list: [need(entry, 'cidr')] });
          return groups;
        }),
      delete: (current) =>
        write(current.target, (groups) => groups.map((group) => (group.group_name === DCS_GROUP_NAME ? { ...group, ip_list: group.ip_list.filter((ip) => !sameCidr(ip, current.cidr)) } : group))),
      // only podreach's group is ever written
      keep: (found) => found.owner !== 'podreach',
    };
  }

  /** Policy rules of a policy-based VPN connection: replaced whole, under the connection's lease, polled. */
  private selectors(): KindOperations {
    const path = '/v5/{project_id}/vpn-connection/{vpn_connection_id}';
    const read = async (connectionId: string) => {
      const body = await this.read(() => sendJson(this.clients.generic.vpn, 'GET', path, { vpn_connection_id: connectionId }));
      return body === undefined ? undefined : vpnConnectionBody.parse(body).vpn_connection;
    };
    const write = async (target: string, change: (rules: VpnPolicyRule[]) => VpnPolicyRule[]) => {
      const connection = await read(target);
      if (!connection) throw new ResourceNotFoundError(`VPN connection ${target} does not exist`);
      if (connection.style && connection.style.toUpperCase() !== 'POLICY') throw new UnsupportedChangeError(`VPN connection ${target} is ${connection.style}-based; policy rules apply to policy-based connections only`);
      const rules = change(connection.policy_rules.map((rule) => ({ ...rule, destination: [...rule.destination] }))).filter((rule) => rule.destination.length > 0);
      const peerSubnets = rules.reduce((sum, rule) => sum + rule.destination.length, 0);
      if (rules.length > VPN_MAX_RULES || peerSubnets > VPN_MAX_PEER_SUBNETS) {
        throw new QuotaExceededError(`VPN connection ${target} would need ${rules.length} policy rules / ${peerSubnets} peer subnets (at most ${VPN_MAX_RULES} / ${VPN_MAX_PEER_SUBNETS}): summarise the CIDRs`);
      }
      return this.call(() => sendJson(this.clients.generic.vpn, 'PUT', path, { vpn_connection_id: target }, { vpn_connection: { policy_rules: rules } }));
    };
    return {
      lease: (target) => `huawei:${this.region}:vpn:${target}`,
      eventual: true,
      list: async (target) =>
        ((await read(target))?.policy_rules ?? []).flatMap((rule) =>
          rule.destination.map((destination): ProviderEntry => ({ kind: 'vpn-selector', target, cidr: canonicalCidr(rule.source), peerCidr: canonicalCidr(destination), resourceId: String(rule.rule_index) })),
        ),
      create: (entry) =>
        write(entry.target, (rules) => {
          const rule = rules.find((candidate) => sameCidr(candidate.source, entry.cidr));
          if (rule) rule.destination.push(need(entry, 'peerCidr'));
          else rules.push({ rule_index: rules.reduce((max, r) => Math.max(max, r.rule_index), 0) + 1, source: need(entry, 'cidr'), destination: [need(entry, 'peerCidr')] });
          return rules;
        }),
      delete: (current) =>
        write(current.target, (rules) => rules.map((rule) => (sameCidr(rule.source, current.cidr) ? { ...rule, destination: rule.destination.filter((d) => !sameCidr(d, current.peerCidr)) } : rule))),
    };
  }

  /** The Direct Connect virtual gateway's local subnets (local_ep_group): what it advertises to the data centre. */
  private dxPrefixes(): KindOperations {
    const path = '/v3/{project_id}/dcaas/virtual-gateways/{virtual_gateway_id}';
    const read = async (gatewayId: string) => {
      const body = await this.read(() => sendJson(this.clients.generic.dcaas, 'GET', path, { virtual_gateway_id: gatewayId }));
      return body === undefined ? undefined : virtualGatewayBody.parse(body).virtual_gateway.local_ep_group;
    };
    const write = async (target: string, change: (prefixes: string[]) => string[]) => {
      const prefixes = await read(target);
      if (!prefixes) throw new ResourceNotFoundError(`virtual gateway ${target} does not exist`);
      return this.call(() => sendJson(this.clients.generic.dcaas, 'PUT', path, { virtual_gateway_id: target }, { virtual_gateway: { local_ep_group: change(prefixes) } }));
    };
    return {
      lease: (target) => `huawei:${this.region}:dc-vgw:${target}`,
      list: async (target) => ((await read(target)) ?? []).map((cidr): ProviderEntry => ({ kind: 'dx-prefix', target, cidr })),
      create: (entry) => write(entry.target, (prefixes) => [...prefixes, need(entry, 'cidr')]),
      delete: (current) => write(current.target, (prefixes) => prefixes.filter((prefix) => !sameCidr(prefix, current.cidr))),
    };
  }
}
