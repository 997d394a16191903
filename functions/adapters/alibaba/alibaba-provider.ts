// NetworkProvider for Alibaba Cloud: VPC / VBR route entries (asynchronous, polled), VPN connection subnets
// (whole-list API under a lease), VPN gateway routes, CEN transit router routes, ECS security group rules and the
// Redis / RDS IP whitelists. Only Alibaba's calls live here: the kit (../kit) decides around them. Throttling is
// retried by the SDK's own retry options (alibaba-clients.ts). See docs/providers/alibaba.md.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import * as VpcModels from '@alicloud/vpc20160428';
import * as RedisModels from '@alicloud/r-kvstore20150101';
import * as RdsModels from '@alicloud/rds20140815';
import { sameCidr } from '../../domain/cidr.js';
import { InvalidInputError, UnsupportedChangeError } from '../../domain/errors.js';
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import { ownerOfDescription, ownershipMark } from '../../domain/ownership-mark.js';
import type { AddressHolder, EntryContext } from '../../ports/network-provider.js';
import type { LeaseStore } from '../kit/lease.js';
import { parsePort, portText } from '../kit/port.js';
import { KitProvider, kitOptions, need, type KitAdapterOptions, sameIdentity, sameValue, type KindOperations } from '../kit/provider.js';
import { buildAlibabaClients, type AlibabaClients, type AlibabaCredentialClient, type AlibabaCredentials } from './alibaba-clients.js';
import { alibabaErrors } from './alibaba-errors.js';
import { ALIBABA_QUOTAS, ALIBABA_UNSUPPORTED, type AlibabaKind } from './kinds.js';

export interface AlibabaProviderOptions extends KitAdapterOptions {
  region: string;
  credentials?: AlibabaCredentials | undefined;
  /** A credential client to sign with instead of keys (another account's RAM role: alibabaRamRoleCredential). */
  credential?: AlibabaCredentialClient | undefined;
  /** "127.0.0.1:PORT" (with protocol 'http') or "http://127.0.0.1:PORT": every product goes there (tests). */
  endpoint?: string;
  protocol?: 'http' | 'https';
  leases: LeaseStore;
  throttleAttempts?: number;
  throttleBackoffMs?: number;
  /** Prebuilt clients (otherwise built from the options above). */
  clients?: AlibabaClients;
}

/** The whitelist group podreach appends to and deletes from; other groups are never written. */
export const PODREACH_WHITELIST_GROUP = 'podreach';
/** Descriptions are at most 256 characters. */
const DESCRIPTION_LENGTH = 256;

/** CreateRouteEntry NextHopType of a neutral next hop (VPC API reference). */
const ROUTE_HOP_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'VpnGateway',
  'transit-router': 'Attachment',
  'cloud-connect': 'Attachment',
  peering: 'VpcPeer',
  'border-router': 'RouterInterface',
  'dx-gateway': 'RouterInterface',
  node: 'Instance',
};
const NEUTRAL_HOP_TYPES: Record<string, NextHopType> = { VpnGateway: 'vpn-gateway', Attachment: 'transit-router', VpcPeer: 'peering', RouterInterface: 'border-router', Instance: 'node' };
// Id prefixes Alibaba uses, for entries that name a next hop without its type.
const HOP_PREFIXES: Array<[string, string]> = [['vpn-', 'VpnGateway'], ['tr-attach-', 'Attachment'], ['pcc-', 'VpcPeer'], ['ri-', 'RouterInterface'], ['i-', 'Instance']];
const PENDING = new Set(['Creating', 'Pending', 'Modifying', 'Deleting']);
const READY = new Set(['Available', 'Created', 'Active']);

// Responses of the products called through the generic RPC client (no SDK models for them here).
const transitRoutesSchema = z.object({
  NextToken: z.string().optional(),
  TransitRouterRouteEntries: z
    .array(
      z.object({
        TransitRouterRouteEntryId: z.string(),
        TransitRouterRouteEntryDestinationCidrBlock: z.string(),
        TransitRouterRouteEntryNextHopId: z.string().optional(),
        TransitRouterRouteEntryStatus: z.string().optional(),
        TransitRouterRouteEntryType: z.string().optional(),
        TransitRouterRouteEntryDescription: z.string().optional(),
      }),
    )
    .default([]),
});
/** DescribeNetworkInterfaces (ecs 2014-05-26), the fields diagnose reads. */
const interfacesSchema = z.object({
  NetworkInterfaceSets: z
    .object({
      NetworkInterfaceSet: z
        .array(
          z.object({
            NetworkInterfaceId: z.string().optional(),
            VpcId: z.string().optional(),
            VSwitchId: z.string().optional(),
            Description: z.string().optional(),
            PrivateIpAddress: z.string().optional(),
            PrivateIpSets: z.object({ PrivateIpSet: z.array(z.object({ PrivateIpAddress: z.string().optional() })).default([]) }).default({ PrivateIpSet: [] }),
            SecurityGroupIds: z.object({ SecurityGroupId: z.array(z.string()).default([]) }).default({ SecurityGroupId: [] }),
          }),
        )
        .default([]),
    })
    .default({ NetworkInterfaceSet: [] }),
});

const rulesSchema = z.object({
  Permissions: z
    .object({
      Permission: z
        .array(
          z.object({
            IpProtocol: z.string(),
            PortRange: z.string(),
            SourceCidrIp: z.string().optional(),
            Policy: z.string().optional(),
            Direction: z.string().optional(),
            Description: z.string().optional(),
            SecurityGroupRuleId: z.string().optional(),
          }),
        )
        .default([]),
    })
    .default({ Permission: [] }),
});

function splitList(text: string | undefined): string[] {
  return (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function routeHopType(entry: NetworkEntry): string {
  const hop = need(entry, 'nextHop');
  if (entry.nextHopType) {
    const mapped = ROUTE_HOP_TYPES[entry.nextHopType];
    if (!mapped) throw new UnsupportedChangeError(`next hop type ${entry.nextHopType} has no Alibaba route entry equivalent`);
    return mapped;
  }
  const byPrefix = HOP_PREFIXES.find(([prefix]) => hop.startsWith(prefix))?.[1];
  if (!byPrefix) throw new InvalidInputError('nextHopType', `cannot tell the Alibaba next hop type of ${hop}`);
  return byPrefix;
}

/** ClientTokens derived from (cluster, change, operation, entry): a retried call is the same call. */
function clientToken(context: EntryContext, operation: string, entry: NetworkEntry): string {
  const key = [context.clusterId, context.changeId, operation, entry.kind, entry.target, entry.cidr, entry.peerCidr, entry.port, entry.nextHop].join('|');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

/** "ECS port": IpProtocol + PortRange "22/22", "-1/-1". */
function ecsPort(text: string | undefined): { protocol: string; portRange: string } {
  const port = parsePort(text);
  if (port.protocol === 'icmp' || port.protocol === 'all') return { protocol: port.protocol, portRange: '-1/-1' };
  return { protocol: port.protocol, portRange: port.from === undefined ? '1/65535' : `${port.from}/${port.to}` };
}

function whitelistTarget(target: string): { service: 'redis' | 'rds'; instanceId: string } {
  const [service, instanceId] = target.split(':', 2);
  if ((service !== 'redis' && service !== 'rds') || !instanceId) throw new UnsupportedChangeError(`whitelist target ${target}: alibaba supports "redis:<instanceId>" and "rds:<instanceId>"`);
  return { service, instanceId };
}

export class AlibabaProvider extends KitProvider {
  readonly name = 'alibaba' as const;
  private readonly clients: AlibabaClients;
  private readonly region: string;
  /** The asynchronous status of each listed row (Creating, Available...), read by pending(). */
  private readonly status = new WeakMap<ProviderEntry, string>();
  protected readonly operations: Record<AlibabaKind, KindOperations>;

  constructor(options: AlibabaProviderOptions) {
    super(kitOptions({ quotas: ALIBABA_QUOTAS, unsupported: ALIBABA_UNSUPPORTED, errors: alibabaErrors }, options));
    this.region = options.region;
    this.clients =
      options.clients ??
      buildAlibabaClients({ region: options.region, credentials: options.credentials, ...(options.credential ? { credential: options.credential } : {}), endpoint: options.endpoint, protocol: options.protocol, throttleAttempts: options.throttleAttempts, throttleBackoffMs: options.throttleBackoffMs });
    const transit = this.transitRoutes();
    this.operations = {
      route: this.routes('route'),
      // a prefix toward the data centre is a route entry in the VBR route table, to the VBR's router interface
      'dx-prefix': {
        ...this.routes('dx-prefix'),
        prepare: (entry) => {
          if (!entry.nextHop) {
            throw new UnsupportedChangeError('dx-prefix on alibaba is a route entry in the VBR route table: it needs the VBR router interface toward the VPC as nextHop (with a transit router, use transit-route instead)');
          }
          return { ...entry, nextHopType: entry.nextHopType ?? 'border-router' };
        },
      },
      'vpn-selector': this.selectors(),
      'vpn-route': this.vpnRoutes(),
      'transit-route': transit('transit-route'),
      'cloud-connect-route': transit('cloud-connect-route'),
      'sg-rule': this.rules(),
      'whitelist-entry': this.whitelist(),
      'subnet-association': this.associations(),
    };
  }

  private tracked(entry: ProviderEntry, status: string | undefined): ProviderEntry {
    if (status) this.status.set(entry, status);
    return entry;
  }

  private pending = (found: ProviderEntry): boolean => PENDING.has(this.status.get(found) ?? '');

  /** In place and in force: a row held in another status (refused, over quota) is never taken for success. */
  private ready = (found: ProviderEntry, wanted: NetworkEntry): boolean =>
    sameIdentity(found, wanted) && sameValue(found, wanted) && READY.has(this.status.get(found) ?? 'Available');

  /** VPC and VBR route entries: asynchronous, one change per table at a time (OperationConflict is transient). */
  private routes(kind: 'route' | 'dx-prefix'): KindOperations {
    return {
      prepare: (entry) => (routeHopType(entry), entry),
      list: async (routeTableId) => {
        const rows: ProviderEntry[] = [];
        let nextToken: string | undefined;
        do {
          const request = new VpcModels.DescribeRouteEntryListRequest({ regionId: this.region, routeTableId, maxResult: 100, nextToken });
          const body = (await alibabaErrors.unlessNotFound(() => this.clients.vpc.describeRouteEntryList(request)))?.body;
          for (const item of body?.routeEntrys?.routeEntry ?? []) {
            const hop = item.nextHops?.nextHop?.[0];
            const type = hop?.nextHopType ? NEUTRAL_HOP_TYPES[hop.nextHopType] : undefined;
            if (!item.destinationCidrBlock) continue;
            rows.push(this.tracked({
              kind, target: routeTableId, cidr: item.destinationCidrBlock,
              ...(hop?.nextHopId ? { nextHop: hop.nextHopId } : {}),
              ...(type ? { nextHopType: type } : {}),
              ...(item.routeEntryId ? { resourceId: item.routeEntryId } : {}),
              owner: ownerOfDescription(item.description),
              ...(item.description ? { description: item.description } : {}),
            }, item.status));
          }
          nextToken = body?.nextToken || undefined;
        } while (nextToken);
        return rows;
      },
      create: (entry, context) =>
        this.clients.vpc.createRouteEntry(
          new VpcModels.CreateRouteEntryRequest({
            regionId: this.region, routeTableId: entry.target, destinationCidrBlock: need(entry, 'cidr'),
            nextHopType: routeHopType(entry), nextHopId: entry.nextHop,
            clientToken: clientToken(context, 'create', entry), description: ownershipMark(context, DESCRIPTION_LENGTH), routeEntryName: 'podreach',
          }),
        ),
      update: (entry, current) =>
        this.clients.vpc.modifyRouteEntry(
          new VpcModels.ModifyRouteEntryRequest({ regionId: this.region, routeEntryId: current.resourceId, routeTableId: entry.target, destinationCidrBlock: need(entry, 'cidr'), newNextHopId: entry.nextHop, newNextHopType: routeHopType(entry) }),
        ),
      delete: (current) =>
        this.clients.vpc.deleteRouteEntry(
          new VpcModels.DeleteRouteEntryRequest({ regionId: this.region, routeTableId: current.target, destinationCidrBlock: current.cidr, nextHopId: current.nextHop, routeEntryId: current.resourceId }),
        ),
      pending: this.pending,
      eventual: true,
      verify: this.ready,
      raced: (error) => alibabaErrors.has(error, 'RouterEntryConflict.Duplicated', 'InvalidCidrBlock.Duplicate'),
    };
  }

  /** LocalSubnet / RemoteSubnet are whole lists: IKEv2 negotiates every local x remote pair. */
  private selectors(): KindOperations {
    const read = async (connectionId: string) => {
      const response = await alibabaErrors.unlessNotFound(() => this.clients.vpc.describeVpnConnection(new VpcModels.DescribeVpnConnectionRequest({ regionId: this.region, vpnConnectionId: connectionId })));
      return response && { local: splitList(response.body?.localSubnet), remote: splitList(response.body?.remoteSubnet) };
    };
    const write = (entry: NetworkEntry, context: EntryContext, local: string[], remote: string[]) =>
      this.clients.vpc.modifyVpnConnectionAttribute(
        new VpcModels.ModifyVpnConnectionAttributeRequest({
          regionId: this.region, vpnConnectionId: entry.target, localSubnet: local.join(','), remoteSubnet: remote.join(','),
          clientToken: clientToken(context, `selectors:${local.join(',')}:${remote.join(',')}`, entry),
        }),
      );
    return {
      lease: (target) => `alibaba:${this.region}:vpn:${target}`,
      list: async (target) => {
        const subnets = await read(target);
        return (subnets?.local ?? []).flatMap((cidr) => (subnets?.remote ?? []).map((peerCidr): ProviderEntry => ({ kind: 'vpn-selector', target, cidr, peerCidr, owner: 'foreign' })));
      },
      create: async (entry, context) => {
        const subnets = await read(entry.target);
        if (!subnets) throw new InvalidInputError('target', `VPN connection ${entry.target} does not exist`);
        const add = (list: string[], cidr: string) => (list.some((item) => sameCidr(item, cidr)) ? list : [...list, cidr]);
        return write(entry, context, add(subnets.local, need(entry, 'cidr')), add(subnets.remote, need(entry, 'peerCidr')));
      },
      /**
       * One side's CIDR must go, and with it every pair it is part of: only a side whose other half is a single
       * CIDR can go without taking another selector with it.
       */
      delete: async (current, _entry, context) => {
        const subnets = (await read(current.target)) ?? { local: [], remote: [] };
        const keepLocal = subnets.local.filter((cidr) => !sameCidr(cidr, current.cidr));
        const keepRemote = subnets.remote.filter((cidr) => !sameCidr(cidr, current.peerCidr));
        if (subnets.local.length === 1 && keepRemote.length > 0) return write(current, context, subnets.local, keepRemote);
        if (subnets.remote.length === 1 && keepLocal.length > 0) return write(current, context, keepLocal, subnets.remote);
        throw new UnsupportedChangeError(
          subnets.local.length === 1 && subnets.remote.length === 1
            ? `VPN connection ${current.target}: ${current.cidr} <-> ${current.peerCidr} is its only selector; Alibaba needs at least one local and one remote subnet`
            : `VPN connection ${current.target}: removing ${current.cidr} <-> ${current.peerCidr} would also remove other selectors (Alibaba pairs every local with every remote subnet)`,
        );
      },
    };
  }

  private vpnRoutes(): KindOperations {
    return {
      list: async (vpnGatewayId) => {
        const rows: ProviderEntry[] = [];
        for (let pageNumber = 1; ; pageNumber++) {
          const request = new VpcModels.DescribeVpnRouteEntriesRequest({ regionId: this.region, vpnGatewayId, routeEntryType: 'custom', pageNumber, pageSize: 50 });
          const body = (await alibabaErrors.unlessNotFound(() => this.clients.vpc.describeVpnRouteEntries(request)))?.body;
          const items = body?.vpnRouteEntries?.vpnRouteEntry ?? [];
          for (const row of items) {
            rows.push({ kind: 'vpn-route', target: vpnGatewayId, cidr: row.routeDest ?? '', ...(row.nextHop ? { nextHop: row.nextHop } : {}), ...(row.weight !== undefined ? { resourceId: String(row.weight) } : {}), owner: ownerOfDescription(row.description), ...(row.description ? { description: row.description } : {}) });
          }
          if (items.length === 0 || rows.length >= (body?.totalCount ?? 0)) return rows;
        }
      },
      create: (entry, context) =>
        this.clients.vpc.createVpnRouteEntry(
          new VpcModels.CreateVpnRouteEntryRequest({
            regionId: this.region, vpnGatewayId: entry.target, routeDest: need(entry, 'cidr'), nextHop: need(entry, 'nextHop'), weight: 100, publishVpc: true,
            description: ownershipMark(context, DESCRIPTION_LENGTH), clientToken: clientToken(context, 'create', entry),
          }),
        ),
      delete: (current, _entry, context) =>
        this.clients.vpc.deleteVpnRouteEntry(
          new VpcModels.DeleteVpnRouteEntryRequest({ regionId: this.region, vpnGatewayId: current.target, routeDest: current.cidr, nextHop: current.nextHop, weight: Number(current.resourceId ?? 100), clientToken: clientToken(context, 'delete', current) }),
        ),
      raced: (error) => alibabaErrors.has(error, 'VpnRouteEntry.AlreadyExists', 'VpnRouteEntry.Duplicated', 'VpnRouteEntry.Conflict'),
    };
  }

  /** CEN transit router routes (generic RPC, cbn 2017-09-12); propagated routes are never touched. */
  private transitRoutes(): (kind: ChangeKind) => KindOperations {
    return (kind) => {
      const ops: KindOperations = {
        list: async (routeTableId) => {
          const rows: ProviderEntry[] = [];
          let nextToken: string | undefined;
          do {
            const raw = await alibabaErrors.unlessNotFound(() => this.clients.cbn.call('ListTransitRouterRouteEntries', { TransitRouterRouteTableId: routeTableId, MaxResults: 100, NextToken: nextToken }));
            const body = transitRoutesSchema.parse(raw ?? {});
            for (const row of body.TransitRouterRouteEntries) {
              const propagated = row.TransitRouterRouteEntryType === 'Propagated';
              rows.push(this.tracked({
                kind, target: routeTableId, cidr: row.TransitRouterRouteEntryDestinationCidrBlock,
                ...(row.TransitRouterRouteEntryNextHopId ? { nextHop: row.TransitRouterRouteEntryNextHopId } : {}),
                nextHopType: 'transit-router', resourceId: row.TransitRouterRouteEntryId,
                owner: propagated ? 'foreign' : ownerOfDescription(row.TransitRouterRouteEntryDescription),
                ...(row.TransitRouterRouteEntryDescription ? { description: row.TransitRouterRouteEntryDescription } : {}),
              }, row.TransitRouterRouteEntryStatus));
            }
            nextToken = raw ? body.NextToken || undefined : undefined;
          } while (nextToken);
          return rows;
        },
        create: (entry, context) =>
          this.clients.cbn.call('CreateTransitRouterRouteEntry', {
            TransitRouterRouteTableId: entry.target, TransitRouterRouteEntryDestinationCidrBlock: need(entry, 'cidr'),
            TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: need(entry, 'nextHop'),
            TransitRouterRouteEntryName: 'podreach', TransitRouterRouteEntryDescription: ownershipMark(context, DESCRIPTION_LENGTH), ClientToken: clientToken(context, 'create', entry),
          }),
        // a transit router route's next hop cannot be changed in place: podreach replaces its own entry
        update: async (entry, current, context) => {
          await ops.delete(current, entry, context);
          await this.clients.cbn.call('CreateTransitRouterRouteEntry', {
            TransitRouterRouteTableId: entry.target, TransitRouterRouteEntryDestinationCidrBlock: need(entry, 'cidr'),
            TransitRouterRouteEntryNextHopType: 'Attachment', TransitRouterRouteEntryNextHopId: need(entry, 'nextHop'),
            TransitRouterRouteEntryName: 'podreach', TransitRouterRouteEntryDescription: ownershipMark(context, DESCRIPTION_LENGTH), ClientToken: clientToken(context, 'replace', entry),
          });
        },
        delete: (current, _entry, context) => this.clients.cbn.call('DeleteTransitRouterRouteEntry', { TransitRouterRouteEntryId: current.resourceId, ClientToken: clientToken(context, 'delete', current) }),
        keep: (found) => found.owner === 'foreign',
        pending: this.pending,
        eventual: true,
        verify: this.ready,
        raced: (error) => alibabaErrors.has(error, 'InvalidDestinationCidrBlock.Duplicated', 'Duplicated.TransitRouterRouteEntry', 'RouteEntry.AlreadyExist'),
      };
      return ops;
    };
  }

  /**
   * The ENI holding the address and its security groups (ecs 2014-05-26): the API reference filters the primary
   * private IP by PrimaryIpAddress and the secondary ones by PrivateIpAddress.N, so the primary (an ECS host's
   * usual address) is asked first, then the secondary.
   */
  protected async lookupAddress(ip: string): Promise<AddressHolder | undefined> {
    const holding = async (filter: Record<string, string>) => {
      const raw = await this.clients.ecs.call('DescribeNetworkInterfaces', { RegionId: this.region, ...filter, MaxResults: 100 });
      return interfacesSchema
        .parse(raw ?? {})
        .NetworkInterfaceSets.NetworkInterfaceSet.find((eni) => eni.PrivateIpAddress === ip || eni.PrivateIpSets.PrivateIpSet.some((address) => address.PrivateIpAddress === ip));
    };
    const found = (await holding({ PrimaryIpAddress: ip })) ?? (await holding({ 'PrivateIpAddress.1': ip }));
    if (!found) return undefined;
    return {
      ip,
      securityGroups: found.SecurityGroupIds.SecurityGroupId,
      ...(found.NetworkInterfaceId ? { resourceId: found.NetworkInterfaceId } : {}),
      ...(found.VpcId ? { vpcId: found.VpcId } : {}),
      ...(found.VSwitchId ? { subnetId: found.VSwitchId } : {}),
      ...(found.Description ? { description: found.Description } : {}),
    };
  }

  /** ECS security group rules (generic RPC, ecs 2014-05-26): ingress, accept, intranet. */
  private rules(): KindOperations {
    const query = (entry: NetworkEntry) => {
      const { protocol, portRange } = ecsPort(entry.port);
      return { RegionId: this.region, SecurityGroupId: entry.target, IpProtocol: protocol, PortRange: portRange, SourceCidrIp: need(entry, 'cidr'), Policy: 'accept', NicType: 'intranet' };
    };
    return {
      prepare: (entry) => (query(entry), entry),
      list: async (groupId) => {
        const raw = await alibabaErrors.unlessNotFound(() => this.clients.ecs.call('DescribeSecurityGroupAttribute', { RegionId: this.region, SecurityGroupId: groupId, Direction: 'ingress' }));
        return rulesSchema
          .parse(raw ?? {})
          .Permissions.Permission.filter((rule) => (rule.Direction ?? 'ingress') === 'ingress' && (rule.Policy ?? 'Accept').toLowerCase() === 'accept' && rule.SourceCidrIp)
          .map((rule): ProviderEntry => ({
            kind: 'sg-rule', target: groupId, cidr: rule.SourceCidrIp ?? '', port: portText(rule.IpProtocol, ...rule.PortRange.split('/').filter((part) => part !== '-1')),
            ...(rule.SecurityGroupRuleId ? { resourceId: rule.SecurityGroupRuleId } : {}),
            owner: ownerOfDescription(rule.Description), ...(rule.Description ? { description: rule.Description } : {}),
          }));
      },
      // AuthorizeSecurityGroup treats an identical rule as a no-op, so a retry after a lost answer is harmless
      create: (entry, context) =>
        this.clients.ecs.call('AuthorizeSecurityGroup', { ...query(entry), Priority: 1, Description: ownershipMark(context, DESCRIPTION_LENGTH), ClientToken: clientToken(context, 'create', entry) }),
      delete: (current, _entry, context) => this.clients.ecs.call('RevokeSecurityGroup', { ...query(current), ClientToken: clientToken(context, 'delete', current) }),
    };
  }

  /** Redis / RDS whitelists: ModifySecurityIps with Append / Delete on podreach's own group only. */
  private whitelist(): KindOperations {
    // ModifyMode defaults to Cover (replace everything): it is always set explicitly
    const modify = (target: string, cidr: string, modifyMode: 'Append' | 'Delete') => {
      const { service, instanceId } = whitelistTarget(target);
      return service === 'redis'
        ? this.clients.redis.modifySecurityIps(new RedisModels.ModifySecurityIpsRequest({ instanceId, securityIps: cidr, securityIpGroupName: PODREACH_WHITELIST_GROUP, modifyMode }))
        : this.clients.rds.modifySecurityIps(new RdsModels.ModifySecurityIpsRequest({ DBInstanceId: instanceId, securityIps: cidr, DBInstanceIPArrayName: PODREACH_WHITELIST_GROUP, modifyMode }));
    };
    return {
      prepare: (entry) => (whitelistTarget(entry.target), entry),
      list: async (target) => {
        const { service, instanceId } = whitelistTarget(target);
        const groups = await alibabaErrors.unlessNotFound(async () =>
          service === 'redis'
            ? ((await this.clients.redis.describeSecurityIps(new RedisModels.DescribeSecurityIpsRequest({ instanceId }))).body?.securityIpGroups?.securityIpGroup ?? []).map((g) => [g.securityIpGroupName, g.securityIpList])
            : ((await this.clients.rds.describeDBInstanceIPArrayList(new RdsModels.DescribeDBInstanceIPArrayListRequest({ DBInstanceId: instanceId }))).body?.items?.DBInstanceIPArray ?? []).map((g) => [g.DBInstanceIPArrayName, g.securityIPList]),
        );
        return (groups ?? []).flatMap(([group = 'default', ips]) =>
          splitList(ips).map((cidr): ProviderEntry => ({ kind: 'whitelist-entry', target, cidr, owner: group === PODREACH_WHITELIST_GROUP ? 'podreach' : 'foreign', description: group })),
        );
      },
      create: (entry) => modify(entry.target, need(entry, 'cidr'), 'Append'),
      delete: (current) => modify(current.target, need(current, 'cidr'), 'Delete'),
      // the same CIDR in another group is someone else's entry
      keep: (found) => found.owner !== 'podreach',
    };
  }

  /**
   * Every vSwitch starts on the VPC's system table, which is no association (as on AWS); podreach binds one away
   * from it and never re-binds a vSwitch someone bound to another custom table.
   */
  private associations(): KindOperations {
    return {
      list: async (vSwitchId) => {
        const response = await alibabaErrors.unlessNotFound(() => this.clients.vpc.describeVSwitchAttributes(new VpcModels.DescribeVSwitchAttributesRequest({ regionId: this.region, vSwitchId })));
        const table = response?.body?.routeTable;
        if (!table?.routeTableId || table.routeTableType === 'System') return [];
        return [{ kind: 'subnet-association', target: vSwitchId, nextHop: table.routeTableId, nextHopType: 'route-table', ...(table.routeTableType ? { description: table.routeTableType } : {}) }];
      },
      create: (entry, context) =>
        this.clients.vpc.associateRouteTable(new VpcModels.AssociateRouteTableRequest({ regionId: this.region, vSwitchId: entry.target, routeTableId: need(entry, 'nextHop'), clientToken: clientToken(context, 'associate', entry) })),
      delete: (current, _entry, context) =>
        this.clients.vpc.unassociateRouteTable(new VpcModels.UnassociateRouteTableRequest({ regionId: this.region, vSwitchId: current.target, routeTableId: current.nextHop, clientToken: clientToken(context, 'unassociate', current) })),
      eventual: true,
    };
  }
}
