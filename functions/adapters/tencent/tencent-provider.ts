// The Tencent Cloud NetworkProvider: VPC route tables, VPN SPD selectors and gateway routes, CCN routes,
// Direct Connect gateway CCN routes, security group policies and Redis / CDB security-group whitelists,
// through tencentcloud-sdk-nodejs (vpc 2017-03-12, redis 2018-04-12, cdb 2017-03-20).
// Replace-style APIs (ModifyVpnConnectionAttribute SPD, ModifyDBInstanceSecurityGroups) are read-modify-write
// under a per-resource lease and keep every entry they did not add.
import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { Client as VpcClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js';
import { Client as RedisClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/redis/v20180412/redis_client.js';
import { Client as CdbClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cdb/v20170320/cdb_client.js';
import { DefaultCredentialProvider } from 'tencentcloud-sdk-nodejs/tencentcloud/common/credential.js';
import type { ClientConfig, Credential, DynamicCredential } from 'tencentcloud-sdk-nodejs/tencentcloud/common/interface.js';
import type {
  CcnRoute,
  DirectConnectGatewayCcnRoute,
  Route,
  RouteTable,
  SecurityGroupPolicy,
  SecurityGroupPolicySet,
  SecurityPolicyDatabase,
  VpnGatewayRoute,
} from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_models.js';
import {
  ConcurrentUpdateError,
  EntryConflictError,
  InvalidInputError,
  LeaseHeldError,
  ResourceNotFoundError,
  ThrottlingError,
  UnsupportedChangeError,
  VerificationError,
} from '../../domain/errors.js';
import { isCidr, normaliseCidr } from '../../domain/cidr.js';
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import type { EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import type { StateStore } from '../../ports/state-store.js';
import { hasTencentCode, isNotFound, isThrottling, tencentErrorCode, translateTencentError, unlessNotFound } from './tencent-errors.js';
import { formatPolicyPort, parsePolicyPort, samePolicyPort } from './sg-policy.js';

export type TencentLeases = Pick<StateStore, 'acquireLease' | 'releaseLease'>;

export interface TencentProviderOptions {
  region: string;
  /** Default: the SDK's chain (TENCENTCLOUD_SECRET_ID / _KEY / _SESSION_TOKEN, ~/.tencentcloud/credentials [default], CVM role, OIDC). */
  credential?: Credential | DynamicCredential;
  /** "host:port" of a local contract server; spoken over plain http. Default: the public endpoints. */
  endpoint?: string;
  leases: TencentLeases;
  now?: () => Date;
  /** A security group podreach owns, bound to Redis / CDB instances to carry whitelist entries. Without it whitelist-entry is unsupported. */
  whitelistSecurityGroupId?: string;
  /** Tencent's SDK has no retry of its own: RequestLimitExceeded is retried here, then ThrottlingError. */
  retry?: { attempts?: number; baseDelayMs?: number };
  leaseTtlSeconds?: number;
  quotas?: Partial<ProviderQuotas>;
}

const OWNER_PREFIX = 'podreach';
const DEFAULT_QUOTAS: ProviderQuotas = {
  // Tencent defaults (DescribeVpcLimits can raise them per account).
  routesPerTable: 200,
  rulesPerSecurityGroup: 100,
  prefixesPerDxGateway: 100,
  selectorsPerConnection: 50,
  whitelistEntries: 100,
};

const SUPPORTED: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  'route',
  'vpn-selector',
  'vpn-route',
  'cloud-connect-route',
  'dx-prefix',
  'sg-rule',
  'subnet-association',
]);

const UNSUPPORTED_REASONS: Partial<Record<ChangeKind, string>> = {
  'transit-route':
    'Tencent Cloud has no transit-router route API: transit between VPCs, VPN and Direct Connect goes through CCN (use cloud-connect-route)',
  'bgp-peer': 'a BGPPeer is a Kubernetes (Calico) resource, not a Tencent Cloud API: it is delivered as an artifact',
  'whitelist-entry':
    'Redis / CDB whitelists are security groups on Tencent Cloud: configure whitelistSecurityGroupId (a group podreach owns) to apply them',
};

/** Our GatewayType for a neutral next hop type (CreateRoutes). */
const GATEWAY_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'VPN',
  'dx-gateway': 'DIRECTCONNECT',
  peering: 'PEERCONNECTION',
  'cloud-connect': 'USER_CCN',
};
const NEXT_HOP_TYPES: Record<string, NextHopType> = {
  VPN: 'vpn-gateway',
  DIRECTCONNECT: 'dx-gateway',
  PEERCONNECTION: 'peering',
  USER_CCN: 'cloud-connect',
  CCN: 'cloud-connect',
};
const CCN_INSTANCE_TYPES: Record<string, NextHopType> = {
  VPC: 'vpc',
  DIRECTCONNECT: 'dx-gateway',
  VPNGW: 'vpn-gateway',
};

const WHITELIST_SERVICES = {
  redis: { defaultPort: 'tcp:6379' },
  cdb: { defaultPort: 'tcp:3306' },
} as const;
type WhitelistService = keyof typeof WHITELIST_SERVICES;

function ownerOf(description: string | undefined): 'podreach' | 'foreign' {
  return description?.startsWith(OWNER_PREFIX) ? 'podreach' : 'foreign';
}

function describeFor(context: EntryContext): string {
  return `${OWNER_PREFIX}:${context.clusterId}`;
}

function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a === b) return true;
  return isCidr(a) && isCidr(b) && normaliseCidr(a) === normaliseCidr(b);
}

function requireCidr(entry: NetworkEntry): string {
  if (!entry.cidr || !isCidr(entry.cidr)) throw new InvalidInputError('cidr', `${entry.kind} on ${entry.target} needs a CIDR`);
  return normaliseCidr(entry.cidr);
}

function requireNextHop(entry: NetworkEntry): string {
  if (!entry.nextHop) throw new InvalidInputError('nextHop', `${entry.kind} ${entry.cidr ?? ''} on ${entry.target} needs a next hop`);
  return entry.nextHop;
}

function parseWhitelistTarget(target: string): { service: WhitelistService; instanceId: string } {
  const [service, instanceId] = target.split(':', 2);
  if ((service === 'redis' || service === 'cdb') && instanceId) return { service, instanceId };
  throw new UnsupportedChangeError(`whitelist target "${target}" is not "redis:<instanceId>" or "cdb:<instanceId>" (the Tencent services whose whitelists podreach manages)`);
}

/** The largest Limit Tencent's Offset/Limit describe calls accept. */
const PAGE_SIZE = 100;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TencentProvider implements NetworkProvider {
  readonly name = 'tencent' as const;
  private readonly region: string;
  private readonly vpc: VpcClient;
  private readonly redis: RedisClient;
  private readonly cdb: CdbClient;
  private readonly leases: TencentLeases;
  private readonly now: () => Date;
  private readonly whitelistSecurityGroupId: string | undefined;
  private readonly attempts: number;
  private readonly baseDelayMs: number;
  private readonly leaseTtlSeconds: number;
  private readonly quotaValues: ProviderQuotas;
  /** Distinguishes this process's lease holds from another's working on the same change. */
  private readonly holderId = randomUUID();

  constructor(options: TencentProviderOptions) {
    this.region = options.region;
    this.leases = options.leases;
    this.now = options.now ?? (() => new Date());
    this.whitelistSecurityGroupId = options.whitelistSecurityGroupId;
    this.attempts = Math.max(1, options.retry?.attempts ?? 4);
    this.baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.leaseTtlSeconds = options.leaseTtlSeconds ?? 60;
    this.quotaValues = { ...DEFAULT_QUOTAS, ...options.quotas };
    const config: ClientConfig = {
      credential: options.credential ?? new DefaultCredentialProvider(),
      region: options.region,
      profile: options.endpoint
        ? {
            // An explicit agent keeps the SDK from routing loopback test traffic through $http_proxy.
            httpProfile: { protocol: 'http://', endpoint: options.endpoint, agent: new Agent({ keepAlive: false }), reqTimeout: 10 },
          }
        : {},
    };
    this.vpc = new VpcClient(config);
    this.redis = new RedisClient(config);
    this.cdb = new CdbClient(config);
  }

  supports(kind: ChangeKind): boolean {
    if (kind === 'whitelist-entry') return this.whitelistSecurityGroupId !== undefined;
    return SUPPORTED.has(kind);
  }

  quotas(): ProviderQuotas {
    return { ...this.quotaValues };
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    try {
      switch (kind) {
        case 'route':
          return await this.listRoutes(target);
        case 'vpn-selector':
          return await this.listSelectors(target);
        case 'vpn-route':
          return await this.listVpnRoutes(target);
        case 'cloud-connect-route':
          return await this.listCcnRoutes(target);
        case 'dx-prefix':
          return await this.listDxPrefixes(target);
        case 'sg-rule':
          return await this.listSgRules(target);
        case 'whitelist-entry':
          return await this.listWhitelist(target);
        case 'subnet-association':
          return await this.listSubnetAssociations(target);
        default:
          throw this.unsupported(kind);
      }
    } catch (error) {
      throw translateTencentError(error, `list ${kind} ${target}`);
    }
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    if (!this.supports(entry.kind)) throw this.unsupported(entry.kind);
    try {
      switch (entry.kind) {
        case 'route':
          return await this.createRoute(entry, context);
        case 'vpn-selector':
          return await this.withLease(this.leaseKey('vpn', entry.target), context, () => this.addSelector(entry));
        case 'vpn-route':
          return await this.createVpnRoute(entry, context);
        case 'cloud-connect-route':
          return await this.ensureCcnRoute(entry, false);
        case 'dx-prefix':
          return await this.createDxPrefix(entry, context);
        case 'sg-rule':
          return await this.createSgRule(entry, context);
        case 'whitelist-entry':
          return await this.createWhitelistEntry(entry, context);
        case 'subnet-association':
          return await this.associateSubnet(entry);
        default:
          throw this.unsupported(entry.kind);
      }
    } catch (error) {
      throw translateTencentError(error, `create ${entry.kind} ${entry.cidr ?? ''} on ${entry.target}`);
    }
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    if (!this.supports(entry.kind)) throw this.unsupported(entry.kind);
    try {
      switch (entry.kind) {
        case 'route':
          return await this.updateRoute(entry, context);
        case 'vpn-route':
          return await this.updateVpnRoute(entry, context);
        case 'cloud-connect-route':
          return await this.ensureCcnRoute(entry, true);
        default:
          // Kinds whose entries carry no value beyond their identity: an update is an idempotent create.
          return await this.createEntry(entry, context);
      }
    } catch (error) {
      throw translateTencentError(error, `update ${entry.kind} ${entry.cidr ?? ''} on ${entry.target}`);
    }
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    if (!this.supports(entry.kind)) throw this.unsupported(entry.kind);
    try {
      switch (entry.kind) {
        case 'route':
          return await this.deleteRoute(entry);
        case 'vpn-selector':
          return await this.withLease(this.leaseKey('vpn', entry.target), context, () => this.removeSelector(entry));
        case 'vpn-route':
          return await this.deleteVpnRoute(entry);
        case 'cloud-connect-route':
          return await this.disableCcnRoute(entry);
        case 'dx-prefix':
          return await this.deleteDxPrefix(entry);
        case 'sg-rule':
          return await this.deleteSgRule(entry.target, entry, undefined);
        case 'whitelist-entry':
          return await this.deleteWhitelistEntry(entry);
        case 'subnet-association':
          return await this.dissociateSubnet(entry);
        default:
          throw this.unsupported(entry.kind);
      }
    } catch (error) {
      if (isNotFound(error)) return;
      throw translateTencentError(error, `delete ${entry.kind} ${entry.cidr ?? ''} on ${entry.target}`);
    }
  }

  // ---------------------------------------------------------------- plumbing

  private unsupported(kind: ChangeKind): UnsupportedChangeError {
    return new UnsupportedChangeError(UNSUPPORTED_REASONS[kind] ?? `the tencent provider cannot apply ${kind} changes`);
  }

  /** One API call, retried with backoff while Tencent answers RequestLimitExceeded (its SDK does not retry). */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (error) {
        if (!isThrottling(error)) throw error;
        if (attempt >= this.attempts) {
          throw new ThrottlingError(`${action}: ${tencentErrorCode(error)} after ${attempt} attempts`, tencentErrorCode(error));
        }
        await sleep(this.baseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  /** One lease per replace-style resource (a VPN connection's SPD, a database's group binding) in this region. */
  private leaseKey(resourceType: string, resourceId: string): string {
    return `tencent:${this.region}:${resourceType}:${resourceId}`;
  }

  private async withLease<T>(resourceKey: string, context: EntryContext, work: () => Promise<T>): Promise<T> {
    const holder = `${context.changeId}:${this.holderId}`;
    const acquired = await this.leases.acquireLease(resourceKey, holder, this.leaseTtlSeconds, this.now());
    if (!acquired) throw new LeaseHeldError(`${resourceKey} is being changed by another writer; retry later`);
    try {
      return await work();
    } finally {
      await this.leases.releaseLease(resourceKey, holder);
    }
  }

  private async verified<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
    const found = await read();
    if (found === undefined) throw new VerificationError(`${what} was not there after it was applied`);
    return found;
  }

  /** Every page of an Offset/Limit describe call; a missing resource reads as empty. */
  private async readAllPages<Page extends { TotalCount?: number }, T>(
    read: (offset: number, limit: number) => Promise<Page>,
    itemsOf: (page: Page) => T[] | undefined,
  ): Promise<T[]> {
    const items: T[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await unlessNotFound(() => read(offset, PAGE_SIZE));
      if (page === undefined) return [];
      const batch = itemsOf(page) ?? [];
      items.push(...batch);
      if (batch.length < PAGE_SIZE || (page.TotalCount !== undefined && items.length >= page.TotalCount)) return items;
    }
  }

  // ---------------------------------------------------------------- route tables

  private async describeRouteTable(routeTableId: string): Promise<RouteTable | undefined> {
    const response = await unlessNotFound(() => this.call('DescribeRouteTables', () => this.vpc.DescribeRouteTables({ RouteTableIds: [routeTableId] })));
    return response?.RouteTableSet?.find((table) => table.RouteTableId === routeTableId);
  }

  private routeEntry(routeTableId: string, route: Route): ProviderEntry {
    const nextHopType = NEXT_HOP_TYPES[route.GatewayType];
    return {
      kind: 'route',
      target: routeTableId,
      cidr: route.DestinationCidrBlock,
      nextHop: route.GatewayId,
      ...(nextHopType ? { nextHopType } : {}),
      ...(route.Enabled !== undefined ? { enabled: route.Enabled } : {}),
      resourceId: route.RouteItemId ?? (route.RouteId !== undefined ? String(route.RouteId) : undefined),
      owner: ownerOf(route.RouteDescription),
      ...(route.RouteDescription ? { description: route.RouteDescription } : {}),
    };
  }

  private async readRoutes(routeTableId: string): Promise<Route[]> {
    const table = await this.describeRouteTable(routeTableId);
    return (table?.RouteSet ?? []).filter((route) => typeof route.DestinationCidrBlock === 'string' && route.DestinationCidrBlock !== '');
  }

  private async listRoutes(routeTableId: string): Promise<ProviderEntry[]> {
    return (await this.readRoutes(routeTableId)).map((route) => this.routeEntry(routeTableId, route));
  }

  private gatewayType(entry: NetworkEntry): string {
    const type = entry.nextHopType ? GATEWAY_TYPES[entry.nextHopType] : undefined;
    if (!type) {
      throw new UnsupportedChangeError(
        `a Tencent route cannot have next hop type "${entry.nextHopType ?? 'none'}": podreach routes to VPN, DIRECTCONNECT, PEERCONNECTION or USER_CCN gateways`,
      );
    }
    return type;
  }

  /** The route at this destination: ours when the gateway matches, a conflict otherwise. */
  private matchRoute(routes: Route[], cidr: string, gatewayType: string, gatewayId: string, routeTableId: string): Route | undefined {
    const same = routes.filter((route) => sameCidr(route.DestinationCidrBlock, cidr));
    const mine = same.find((route) => route.GatewayId === gatewayId && route.GatewayType === gatewayType);
    if (mine) return mine;
    const other = same[0];
    if (other) {
      throw new EntryConflictError(
        `route ${cidr} in ${routeTableId} already goes to ${other.GatewayType} ${other.GatewayId} (${ownerOf(other.RouteDescription)}); it is not overwritten`,
        'RouteConflict',
      );
    }
    return undefined;
  }

  private async createRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const gatewayId = requireNextHop(entry);
    const gatewayType = this.gatewayType(entry);
    const existing = this.matchRoute(await this.readRoutes(entry.target), cidr, gatewayType, gatewayId, entry.target);
    if (existing) return this.routeEntry(entry.target, existing);
    try {
      await this.call('CreateRoutes', () =>
        this.vpc.CreateRoutes({
          RouteTableId: entry.target,
          Routes: [{ DestinationCidrBlock: cidr, GatewayType: gatewayType, GatewayId: gatewayId, RouteDescription: describeFor(context) }],
        }),
      );
    } catch (error) {
      if (hasTencentCode(error, 'UnsupportedOperation.ConflictWithDockerRoute')) {
        throw new EntryConflictError(
          `route ${cidr} in ${entry.target} overlaps a TKE container (docker) route: ${(error as Error).message}`,
          'UnsupportedOperation.ConflictWithDockerRoute',
        );
      }
      if (!hasTencentCode(error, 'InvalidParameterValue.Duplicate')) throw error;
      // Someone (maybe our own earlier attempt) wrote it between our read and write: re-read decides.
    }
    const route = await this.verified(`route ${cidr} in ${entry.target}`, async () =>
      this.matchRoute(await this.readRoutes(entry.target), cidr, gatewayType, gatewayId, entry.target),
    );
    return this.routeEntry(entry.target, route);
  }

  private async updateRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const gatewayId = requireNextHop(entry);
    const gatewayType = this.gatewayType(entry);
    const routes = await this.readRoutes(entry.target);
    const current = routes.find((route) => sameCidr(route.DestinationCidrBlock, cidr));
    if (!current) return this.createRoute(entry, context);
    if (current.GatewayId === gatewayId && current.GatewayType === gatewayType) return this.routeEntry(entry.target, current);
    if (ownerOf(current.RouteDescription) !== 'podreach') {
      throw new EntryConflictError(`route ${cidr} in ${entry.target} goes to ${current.GatewayId}, which podreach did not create; it is not changed`, 'RouteConflict');
    }
    await this.call('ReplaceRoutes', () =>
      this.vpc.ReplaceRoutes({
        RouteTableId: entry.target,
        Routes: [
          {
            RouteId: current.RouteId,
            DestinationCidrBlock: cidr,
            GatewayType: gatewayType,
            GatewayId: gatewayId,
            RouteDescription: current.RouteDescription ?? describeFor(context),
          },
        ],
      }),
    );
    const route = await this.verified(`route ${cidr} in ${entry.target}`, async () =>
      this.matchRoute(await this.readRoutes(entry.target), cidr, gatewayType, gatewayId, entry.target),
    );
    return this.routeEntry(entry.target, route);
  }

  private async deleteRoute(entry: NetworkEntry): Promise<void> {
    const cidr = requireCidr(entry);
    const routes = await this.readRoutes(entry.target);
    // Only the route described (same destination and, when given, the same gateway) is removed.
    const route = routes.find((candidate) => sameCidr(candidate.DestinationCidrBlock, cidr) && (!entry.nextHop || candidate.GatewayId === entry.nextHop));
    if (!route || route.RouteId === undefined) return;
    await this.call('DeleteRoutes', () =>
      this.vpc.DeleteRoutes({
        RouteTableId: entry.target,
        Routes: [{ RouteId: route.RouteId, DestinationCidrBlock: route.DestinationCidrBlock, GatewayType: route.GatewayType, GatewayId: route.GatewayId }],
      }),
    );
  }

  // ---------------------------------------------------------------- VPN selectors (SPD, a replace-whole-list API)

  private async readSpd(vpnConnectionId: string): Promise<SecurityPolicyDatabase[] | undefined> {
    const response = await unlessNotFound(() =>
      this.call('DescribeVpnConnections', () => this.vpc.DescribeVpnConnections({ VpnConnectionIds: [vpnConnectionId] })),
    );
    const connection = response?.VpnConnectionSet?.find((candidate) => candidate.VpnConnectionId === vpnConnectionId);
    return connection ? (connection.SecurityPolicyDatabaseSet ?? []) : undefined;
  }

  private selectorEntries(vpnConnectionId: string, spd: SecurityPolicyDatabase[]): ProviderEntry[] {
    return spd.flatMap((policy) =>
      (policy.RemoteCidrBlock ?? []).map((remote) => ({ kind: 'vpn-selector' as const, target: vpnConnectionId, cidr: policy.LocalCidrBlock, peerCidr: remote })),
    );
  }

  private async listSelectors(vpnConnectionId: string): Promise<ProviderEntry[]> {
    return this.selectorEntries(vpnConnectionId, (await this.readSpd(vpnConnectionId)) ?? []);
  }

  private selectorSides(entry: NetworkEntry): { local: string; remote: string } {
    const local = requireCidr(entry);
    if (!entry.peerCidr || !isCidr(entry.peerCidr)) throw new InvalidInputError('peerCidr', `vpn-selector ${local} on ${entry.target} needs the remote CIDR`);
    return { local, remote: normaliseCidr(entry.peerCidr) };
  }

  private findSelector(spd: SecurityPolicyDatabase[], local: string, remote: string): boolean {
    return spd.some((policy) => sameCidr(policy.LocalCidrBlock, local) && (policy.RemoteCidrBlock ?? []).some((candidate) => sameCidr(candidate, remote)));
  }

  private async writeSpd(vpnConnectionId: string, spd: SecurityPolicyDatabase[]): Promise<void> {
    await this.call('ModifyVpnConnectionAttribute', () =>
      this.vpc.ModifyVpnConnectionAttribute({ VpnConnectionId: vpnConnectionId, SecurityPolicyDatabases: spd }),
    );
  }

  private async addSelector(entry: NetworkEntry): Promise<ProviderEntry> {
    const { local, remote } = this.selectorSides(entry);
    const spd = await this.readSpd(entry.target);
    if (spd === undefined) throw new ResourceNotFoundError(`VPN connection ${entry.target} does not exist`, 'ResourceNotFound');
    const result: ProviderEntry = { kind: 'vpn-selector', target: entry.target, cidr: local, peerCidr: remote };
    if (this.findSelector(spd, local, remote)) return result;
    // The whole set is replaced: start from what is there now, so every entry we did not add survives.
    const next = spd.map((policy) => ({ LocalCidrBlock: policy.LocalCidrBlock, RemoteCidrBlock: [...(policy.RemoteCidrBlock ?? [])] }));
    const sameLocal = next.find((policy) => sameCidr(policy.LocalCidrBlock, local));
    if (sameLocal) sameLocal.RemoteCidrBlock.push(remote);
    else next.push({ LocalCidrBlock: local, RemoteCidrBlock: [remote] });
    await this.writeSpd(entry.target, next);
    await this.verified(`SPD ${local} -> ${remote} on ${entry.target}`, async () => {
      const after = await this.readSpd(entry.target);
      return after && this.findSelector(after, local, remote) ? true : undefined;
    });
    return result;
  }

  private async removeSelector(entry: NetworkEntry): Promise<void> {
    const { local, remote } = this.selectorSides(entry);
    const spd = await this.readSpd(entry.target);
    if (spd === undefined || !this.findSelector(spd, local, remote)) return;
    const next = spd
      .map((policy) => ({
        LocalCidrBlock: policy.LocalCidrBlock,
        RemoteCidrBlock: sameCidr(policy.LocalCidrBlock, local) ? (policy.RemoteCidrBlock ?? []).filter((candidate) => !sameCidr(candidate, remote)) : [...(policy.RemoteCidrBlock ?? [])],
      }))
      .filter((policy) => policy.RemoteCidrBlock.length > 0);
    await this.writeSpd(entry.target, next);
  }

  // ---------------------------------------------------------------- VPN gateway routes

  private readVpnRoutes(vpnGatewayId: string): Promise<VpnGatewayRoute[]> {
    return this.readAllPages(
      (Offset, Limit) => this.call('DescribeVpnGatewayRoutes', () => this.vpc.DescribeVpnGatewayRoutes({ VpnGatewayId: vpnGatewayId, Offset, Limit })),
      (page) => page.Routes,
    );
  }

  private vpnRouteEntry(vpnGatewayId: string, route: VpnGatewayRoute): ProviderEntry {
    return {
      kind: 'vpn-route',
      target: vpnGatewayId,
      cidr: route.DestinationCidrBlock,
      nextHop: route.InstanceId,
      nextHopType: route.InstanceType === 'CCN' ? 'cloud-connect' : 'vpn-gateway',
      enabled: route.Status !== 'DISABLE',
      ...(route.RouteId ? { resourceId: route.RouteId } : {}),
      owner: ownerOf(route.Description),
      ...(route.Description ? { description: route.Description } : {}),
    };
  }

  private async listVpnRoutes(vpnGatewayId: string): Promise<ProviderEntry[]> {
    return (await this.readVpnRoutes(vpnGatewayId)).map((route) => this.vpnRouteEntry(vpnGatewayId, route));
  }

  private matchVpnRoute(routes: VpnGatewayRoute[], cidr: string, instanceId: string, vpnGatewayId: string): VpnGatewayRoute | undefined {
    const same = routes.filter((route) => sameCidr(route.DestinationCidrBlock, cidr));
    const mine = same.find((route) => route.InstanceId === instanceId);
    if (mine) return mine;
    const other = same[0];
    if (other) {
      throw new EntryConflictError(`VPN gateway ${vpnGatewayId} already routes ${cidr} to ${other.InstanceType} ${other.InstanceId}; it is not overwritten`, 'RouteConflict');
    }
    return undefined;
  }

  private async createVpnRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const instanceId = requireNextHop(entry);
    const existing = this.matchVpnRoute(await this.readVpnRoutes(entry.target), cidr, instanceId, entry.target);
    if (existing) return this.vpnRouteEntry(entry.target, existing);
    try {
      await this.call('CreateVpnGatewayRoutes', () =>
        this.vpc.CreateVpnGatewayRoutes({
          VpnGatewayId: entry.target,
          Routes: [
            {
              DestinationCidrBlock: cidr,
              InstanceType: entry.nextHopType === 'cloud-connect' ? 'CCN' : 'VPNCONN',
              InstanceId: instanceId,
              Priority: 0,
              Status: entry.enabled === false ? 'DISABLE' : 'ENABLE',
              Description: describeFor(context),
            },
          ],
        }),
      );
    } catch (error) {
      if (!hasTencentCode(error, 'InvalidParameterValue.Duplicate')) throw error;
    }
    const route = await this.verified(`VPN gateway route ${cidr} on ${entry.target}`, async () =>
      this.matchVpnRoute(await this.readVpnRoutes(entry.target), cidr, instanceId, entry.target),
    );
    return this.vpnRouteEntry(entry.target, route);
  }

  private async updateVpnRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const instanceId = requireNextHop(entry);
    const routes = await this.readVpnRoutes(entry.target);
    const current = routes.find((route) => sameCidr(route.DestinationCidrBlock, cidr));
    if (!current) return this.createVpnRoute(entry, context);
    if (ownerOf(current.Description) !== 'podreach') {
      throw new EntryConflictError(`VPN gateway route ${cidr} on ${entry.target} was not created by podreach; it is not changed`, 'RouteConflict');
    }
    if (current.InstanceId !== instanceId) {
      // The API cannot move a route to another next hop: replace our own route.
      await this.deleteVpnRoute({ ...entry, nextHop: current.InstanceId });
      return this.createVpnRoute(entry, context);
    }
    const status = entry.enabled === false ? 'DISABLE' : 'ENABLE';
    if (current.Status !== status && current.RouteId) {
      const routeId = current.RouteId;
      await this.call('ModifyVpnGatewayRoutes', () => this.vpc.ModifyVpnGatewayRoutes({ VpnGatewayId: entry.target, Routes: [{ RouteId: routeId, Status: status }] }));
    }
    const route = await this.verified(`VPN gateway route ${cidr} on ${entry.target}`, async () =>
      this.matchVpnRoute(await this.readVpnRoutes(entry.target), cidr, instanceId, entry.target),
    );
    return this.vpnRouteEntry(entry.target, route);
  }

  private async deleteVpnRoute(entry: NetworkEntry): Promise<void> {
    const cidr = requireCidr(entry);
    const routes = await this.readVpnRoutes(entry.target);
    const route = routes.find((candidate) => sameCidr(candidate.DestinationCidrBlock, cidr) && (!entry.nextHop || candidate.InstanceId === entry.nextHop));
    if (!route?.RouteId) return;
    const routeId = route.RouteId;
    await this.call('DeleteVpnGatewayRoutes', () => this.vpc.DeleteVpnGatewayRoutes({ VpnGatewayId: entry.target, RouteIds: [routeId] }));
  }

  // ---------------------------------------------------------------- CCN routes

  private readCcnRoutes(ccnId: string): Promise<CcnRoute[]> {
    return this.readAllPages(
      (Offset, Limit) => this.call('DescribeCcnRoutes', () => this.vpc.DescribeCcnRoutes({ CcnId: ccnId, Offset, Limit })),
      (page) => page.RouteSet,
    );
  }

  private ccnEntry(ccnId: string, route: CcnRoute): ProviderEntry {
    const nextHopType = route.InstanceType ? CCN_INSTANCE_TYPES[route.InstanceType] : undefined;
    return {
      kind: 'cloud-connect-route',
      target: ccnId,
      ...(route.DestinationCidrBlock ? { cidr: route.DestinationCidrBlock } : {}),
      ...(route.InstanceId ? { nextHop: route.InstanceId } : {}),
      ...(nextHopType ? { nextHopType } : {}),
      enabled: route.Enabled === true,
      ...(route.RouteId ? { resourceId: route.RouteId } : {}),
    };
  }

  private async listCcnRoutes(ccnId: string): Promise<ProviderEntry[]> {
    return (await this.readCcnRoutes(ccnId)).map((route) => this.ccnEntry(ccnId, route));
  }

  private findCcnRoute(routes: CcnRoute[], entry: NetworkEntry, cidr: string): CcnRoute | undefined {
    return routes.find((route) => sameCidr(route.DestinationCidrBlock, cidr) && (!entry.nextHop || route.InstanceId === entry.nextHop));
  }

  /**
   * CCN routes are registered by the CCN itself when an instance (VPC, DX gateway, VPN gateway) is attached:
   * podreach only enables or disables them. `enabled` undefined on create leaves the state as registered,
   * because an overlapping route must stay disabled unless the plan says otherwise.
   */
  private async ensureCcnRoute(entry: NetworkEntry, isUpdate: boolean): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const route = this.findCcnRoute(await this.readCcnRoutes(entry.target), entry, cidr);
    if (!route?.RouteId) {
      throw new UnsupportedChangeError(
        `CCN ${entry.target} has no route ${cidr}${entry.nextHop ? ` via ${entry.nextHop}` : ''}: CCN routes are registered by attaching the instance to the CCN (and publishing its routes), which podreach does not do; attach it and re-run`,
      );
    }
    const wanted = entry.enabled ?? (isUpdate ? true : undefined);
    if (wanted === undefined || wanted === (route.Enabled === true)) return this.ccnEntry(entry.target, route);
    const routeIds = [route.RouteId];
    if (wanted) {
      try {
        await this.call('EnableCcnRoutes', () => this.vpc.EnableCcnRoutes({ CcnId: entry.target, RouteIds: routeIds }));
      } catch (error) {
        if (hasTencentCode(error, 'UnsupportedOperation.CcnRouteCidrOverlap')) {
          throw new EntryConflictError(
            `CCN route ${cidr} on ${entry.target} overlaps another enabled CCN route; it stays disabled: ${(error as Error).message}`,
            'UnsupportedOperation.CcnRouteCidrOverlap',
          );
        }
        throw error;
      }
    } else {
      await this.call('DisableCcnRoutes', () => this.vpc.DisableCcnRoutes({ CcnId: entry.target, RouteIds: routeIds }));
    }
    const after = await this.verified(`CCN route ${cidr} on ${entry.target}`, async () => {
      const found = this.findCcnRoute(await this.readCcnRoutes(entry.target), entry, cidr);
      return found && (found.Enabled === true) === wanted ? found : undefined;
    });
    return this.ccnEntry(entry.target, after);
  }

  /** A CCN route cannot be deregistered through the API: "deleting" ours disables it. */
  private async disableCcnRoute(entry: NetworkEntry): Promise<void> {
    const cidr = requireCidr(entry);
    const route = this.findCcnRoute(await this.readCcnRoutes(entry.target), entry, cidr);
    if (!route?.RouteId || route.Enabled !== true) return;
    const routeIds = [route.RouteId];
    await this.call('DisableCcnRoutes', () => this.vpc.DisableCcnRoutes({ CcnId: entry.target, RouteIds: routeIds }));
  }

  // ---------------------------------------------------------------- Direct Connect gateway CCN routes (IDC prefixes)

  private readDxRoutes(gatewayId: string): Promise<DirectConnectGatewayCcnRoute[]> {
    return this.readAllPages(
      (Offset, Limit) =>
        this.call('DescribeDirectConnectGatewayCcnRoutes', () =>
          this.vpc.DescribeDirectConnectGatewayCcnRoutes({ DirectConnectGatewayId: gatewayId, CcnRouteType: 'STATIC', Offset, Limit }),
        ),
      (page) => page.RouteSet,
    );
  }

  private dxEntry(gatewayId: string, route: DirectConnectGatewayCcnRoute): ProviderEntry {
    return {
      kind: 'dx-prefix',
      target: gatewayId,
      ...(route.DestinationCidrBlock ? { cidr: route.DestinationCidrBlock } : {}),
      ...(route.RouteId ? { resourceId: route.RouteId } : {}),
      owner: ownerOf(route.Description),
      ...(route.Description ? { description: route.Description } : {}),
    };
  }

  private async listDxPrefixes(gatewayId: string): Promise<ProviderEntry[]> {
    return (await this.readDxRoutes(gatewayId)).map((route) => this.dxEntry(gatewayId, route));
  }

  private async createDxPrefix(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const find = async () => (await this.readDxRoutes(entry.target)).find((route) => sameCidr(route.DestinationCidrBlock, cidr));
    const existing = await find();
    if (existing) return this.dxEntry(entry.target, existing);
    try {
      await this.call('CreateDirectConnectGatewayCcnRoutes', () =>
        this.vpc.CreateDirectConnectGatewayCcnRoutes({
          DirectConnectGatewayId: entry.target,
          Routes: [{ DestinationCidrBlock: cidr, Description: describeFor(context) }],
        }),
      );
    } catch (error) {
      if (!hasTencentCode(error, 'InvalidParameterValue.Duplicate')) throw error;
    }
    return this.dxEntry(entry.target, await this.verified(`DX gateway prefix ${cidr} on ${entry.target}`, find));
  }

  private async deleteDxPrefix(entry: NetworkEntry): Promise<void> {
    const cidr = requireCidr(entry);
    const route = (await this.readDxRoutes(entry.target)).find((candidate) => sameCidr(candidate.DestinationCidrBlock, cidr));
    if (!route?.RouteId) return;
    const routeIds = [route.RouteId];
    await this.call('DeleteDirectConnectGatewayCcnRoutes', () => this.vpc.DeleteDirectConnectGatewayCcnRoutes({ DirectConnectGatewayId: entry.target, RouteIds: routeIds }));
  }

  // ---------------------------------------------------------------- security group policies

  private async readPolicies(securityGroupId: string): Promise<SecurityGroupPolicySet | undefined> {
    const response = await unlessNotFound(() =>
      this.call('DescribeSecurityGroupPolicies', () => this.vpc.DescribeSecurityGroupPolicies({ SecurityGroupId: securityGroupId })),
    );
    return response && (response.SecurityGroupPolicySet ?? {});
  }

  private acceptIngress(set: SecurityGroupPolicySet | undefined): SecurityGroupPolicy[] {
    return (set?.Ingress ?? []).filter((policy) => (policy.Action ?? '').toUpperCase() === 'ACCEPT' && typeof policy.CidrBlock === 'string' && policy.CidrBlock !== '');
  }

  private findPolicy(set: SecurityGroupPolicySet | undefined, cidr: string, port: string | undefined): SecurityGroupPolicy | undefined {
    return this.acceptIngress(set).find((policy) => sameCidr(policy.CidrBlock, cidr) && samePolicyPort(formatPolicyPort(policy), port));
  }

  private sgEntry(securityGroupId: string, policy: SecurityGroupPolicy): ProviderEntry {
    return {
      kind: 'sg-rule',
      target: securityGroupId,
      ...(policy.CidrBlock ? { cidr: policy.CidrBlock } : {}),
      port: formatPolicyPort(policy),
      ...(policy.PolicyIndex !== undefined ? { resourceId: String(policy.PolicyIndex) } : {}),
      owner: ownerOf(policy.PolicyDescription),
      ...(policy.PolicyDescription ? { description: policy.PolicyDescription } : {}),
    };
  }

  private async listSgRules(securityGroupId: string): Promise<ProviderEntry[]> {
    return this.acceptIngress(await this.readPolicies(securityGroupId)).map((policy) => this.sgEntry(securityGroupId, policy));
  }

  /** Adds an ingress ACCEPT policy, using the group's Version so a concurrent change is noticed, not overwritten. */
  private async ensurePolicy(securityGroupId: string, cidr: string, port: string, context: EntryContext): Promise<SecurityGroupPolicy> {
    const { Protocol, Port } = parsePolicyPort(port);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const set = await this.readPolicies(securityGroupId);
      if (set === undefined) throw new ResourceNotFoundError(`security group ${securityGroupId} does not exist`, 'ResourceNotFound');
      const existing = this.findPolicy(set, cidr, port);
      if (existing) return existing;
      try {
        await this.call('CreateSecurityGroupPolicies', () =>
          this.vpc.CreateSecurityGroupPolicies({
            SecurityGroupId: securityGroupId,
            SecurityGroupPolicySet: {
              ...(set.Version !== undefined ? { Version: set.Version } : {}),
              Ingress: [{ Protocol, Port, CidrBlock: cidr, Action: 'ACCEPT', PolicyDescription: describeFor(context) }],
            },
          }),
        );
      } catch (error) {
        if (hasTencentCode(error, 'UnsupportedOperation.VersionMismatch')) continue;
        if (!hasTencentCode(error, 'UnsupportedOperation.DuplicatePolicy')) throw error;
      }
      return this.verified(`ingress ${cidr} ${port} in ${securityGroupId}`, async () => this.findPolicy(await this.readPolicies(securityGroupId), cidr, port));
    }
    throw new ConcurrentUpdateError(`security group ${securityGroupId} kept changing (Version mismatch) while adding ${cidr} ${port}`);
  }

  private async createSgRule(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = requireCidr(entry);
    const port = formatPolicyPort(parsePolicyPort(entry.port));
    return this.sgEntry(entry.target, await this.ensurePolicy(entry.target, cidr, port, context));
  }

  private async deleteSgRule(securityGroupId: string, entry: NetworkEntry, defaultPort: string | undefined): Promise<void> {
    const cidr = requireCidr(entry);
    const port = entry.port ?? defaultPort;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const set = await this.readPolicies(securityGroupId);
      const policy = this.findPolicy(set, cidr, port);
      if (!set || !policy || policy.PolicyIndex === undefined) return;
      const policyIndex = policy.PolicyIndex;
      try {
        await this.call('DeleteSecurityGroupPolicies', () =>
          this.vpc.DeleteSecurityGroupPolicies({
            SecurityGroupId: securityGroupId,
            SecurityGroupPolicySet: { ...(set.Version !== undefined ? { Version: set.Version } : {}), Ingress: [{ PolicyIndex: policyIndex }] },
          }),
        );
        return;
      } catch (error) {
        if (!hasTencentCode(error, 'UnsupportedOperation.VersionMismatch')) throw error;
      }
    }
    throw new ConcurrentUpdateError(`security group ${securityGroupId} kept changing (Version mismatch) while removing ${cidr}`);
  }

  // ---------------------------------------------------------------- Redis / CDB whitelists (security groups)

  private async boundGroups(service: WhitelistService, instanceId: string): Promise<string[] | undefined> {
    const response = await unlessNotFound(() =>
      service === 'redis'
        ? this.call('DescribeDBSecurityGroups', () => this.redis.DescribeDBSecurityGroups({ Product: 'redis', InstanceId: instanceId }))
        : this.call('DescribeDBSecurityGroups', () => this.cdb.DescribeDBSecurityGroups({ InstanceId: instanceId })),
    );
    return response && (response.Groups ?? []).flatMap((group) => (group.SecurityGroupId ? [group.SecurityGroupId] : []));
  }

  private async bindGroups(service: WhitelistService, instanceId: string, groupIds: string[]): Promise<void> {
    if (service === 'redis') {
      await this.call('ModifyDBInstanceSecurityGroups', () => this.redis.ModifyDBInstanceSecurityGroups({ Product: 'redis', InstanceId: instanceId, SecurityGroupIds: groupIds }));
    } else {
      await this.call('ModifyDBInstanceSecurityGroups', () => this.cdb.ModifyDBInstanceSecurityGroups({ InstanceId: instanceId, SecurityGroupIds: groupIds }));
    }
  }

  private whitelistEntry(target: string, service: WhitelistService, securityGroupId: string, policy: SecurityGroupPolicy): ProviderEntry {
    const port = formatPolicyPort(policy);
    const ours = securityGroupId === this.whitelistSecurityGroupId && ownerOf(policy.PolicyDescription) === 'podreach';
    return {
      kind: 'whitelist-entry',
      target,
      ...(policy.CidrBlock ? { cidr: policy.CidrBlock } : {}),
      // The service's own port is implied by a whitelist entry; only another port is reported.
      ...(samePolicyPort(port, WHITELIST_SERVICES[service].defaultPort) || port === 'all' ? {} : { port }),
      resourceId: `${securityGroupId}#${policy.PolicyIndex ?? ''}`,
      owner: ours ? 'podreach' : 'foreign',
      ...(policy.PolicyDescription ? { description: policy.PolicyDescription } : {}),
    };
  }

  private async listWhitelist(target: string): Promise<ProviderEntry[]> {
    const { service, instanceId } = parseWhitelistTarget(target);
    const groups = (await this.boundGroups(service, instanceId)) ?? [];
    const entries: ProviderEntry[] = [];
    for (const groupId of groups) {
      for (const policy of this.acceptIngress(await this.readPolicies(groupId))) {
        const entry = this.whitelistEntry(target, service, groupId, policy);
        if (!entries.some((seen) => sameCidr(seen.cidr, entry.cidr) && (seen.port ?? '') === (entry.port ?? ''))) entries.push(entry);
      }
    }
    return entries;
  }

  private async createWhitelistEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const groupId = this.whitelistSecurityGroupId;
    if (!groupId) throw this.unsupported('whitelist-entry');
    const { service, instanceId } = parseWhitelistTarget(entry.target);
    const cidr = requireCidr(entry);
    const port = entry.port ?? WHITELIST_SERVICES[service].defaultPort;
    const bound = await this.boundGroups(service, instanceId);
    if (bound === undefined) throw new ResourceNotFoundError(`${service} instance ${instanceId} does not exist`, 'ResourceNotFound');
    for (const boundId of bound) {
      const allowed = this.findPolicy(await this.readPolicies(boundId), cidr, port);
      if (allowed) return this.whitelistEntry(entry.target, service, boundId, allowed);
    }
    const policy = await this.ensurePolicy(groupId, cidr, port, context);
    if (!bound.includes(groupId)) {
      // ModifyDBInstanceSecurityGroups replaces the whole binding: re-read under the lease, append ours, keep the rest.
      await this.withLease(this.leaseKey(service, instanceId), context, async () => {
        const current = await this.boundGroups(service, instanceId);
        if (current === undefined) throw new ResourceNotFoundError(`${service} instance ${instanceId} does not exist`, 'ResourceNotFound');
        if (current.includes(groupId)) return;
        await this.bindGroups(service, instanceId, [...current, groupId]);
      });
      await this.verified(`security group ${groupId} bound to ${service} ${instanceId}`, async () =>
        (await this.boundGroups(service, instanceId))?.includes(groupId) ? true : undefined,
      );
    }
    return this.whitelistEntry(entry.target, service, groupId, policy);
  }

  /** Removes the rule from podreach's group only; a rule in another group is not ours to remove. The binding stays. */
  private async deleteWhitelistEntry(entry: NetworkEntry): Promise<void> {
    const groupId = this.whitelistSecurityGroupId;
    if (!groupId) throw this.unsupported('whitelist-entry');
    const { service } = parseWhitelistTarget(entry.target);
    await this.deleteSgRule(groupId, entry, WHITELIST_SERVICES[service].defaultPort);
  }

  // ---------------------------------------------------------------- subnet associations

  private async readSubnet(subnetId: string): Promise<{ vpcId?: string; cidr?: string; routeTableId?: string } | undefined> {
    const response = await unlessNotFound(() => this.call('DescribeSubnets', () => this.vpc.DescribeSubnets({ SubnetIds: [subnetId] })));
    const subnet = response?.SubnetSet?.find((candidate) => candidate.SubnetId === subnetId);
    if (!subnet) return undefined;
    return {
      ...(subnet.VpcId ? { vpcId: subnet.VpcId } : {}),
      ...(subnet.CidrBlock ? { cidr: subnet.CidrBlock } : {}),
      ...(subnet.RouteTableId ? { routeTableId: subnet.RouteTableId } : {}),
    };
  }

  private async listSubnetAssociations(subnetId: string): Promise<ProviderEntry[]> {
    const subnet = await this.readSubnet(subnetId);
    if (!subnet?.routeTableId) return [];
    return [
      {
        kind: 'subnet-association',
        target: subnetId,
        ...(subnet.cidr ? { cidr: subnet.cidr } : {}),
        nextHop: subnet.routeTableId,
        nextHopType: 'route-table',
      },
    ];
  }

  private async mainRouteTable(vpcId: string): Promise<string | undefined> {
    const response = await this.call('DescribeRouteTables', () =>
      this.vpc.DescribeRouteTables({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      }),
    );
    return response.RouteTableSet?.find((table) => table.Main === true)?.RouteTableId;
  }

  /**
   * Every Tencent subnet is bound to exactly one route table (the VPC's default one at creation), and
   * ReplaceRouteTableAssociation moves it silently. podreach binds a subnet only away from the VPC's default
   * table; a subnet someone bound to another custom table is a conflict, never re-bound.
   */
  private async associateSubnet(entry: NetworkEntry): Promise<ProviderEntry> {
    const routeTableId = requireNextHop(entry);
    const subnet = await this.readSubnet(entry.target);
    if (!subnet?.vpcId) throw new ResourceNotFoundError(`subnet ${entry.target} does not exist`, 'ResourceNotFound');
    const result: ProviderEntry = {
      kind: 'subnet-association',
      target: entry.target,
      ...(subnet.cidr ? { cidr: subnet.cidr } : {}),
      nextHop: routeTableId,
      nextHopType: 'route-table',
    };
    if (subnet.routeTableId === routeTableId) return result;
    const main = await this.mainRouteTable(subnet.vpcId);
    if (subnet.routeTableId !== undefined && subnet.routeTableId !== main) {
      throw new EntryConflictError(
        `subnet ${entry.target} is bound to route table ${subnet.routeTableId}, not the VPC's default ${main ?? '(unknown)'}; podreach does not re-bind it`,
        'SubnetAssociated',
      );
    }
    await this.call('ReplaceRouteTableAssociation', () => this.vpc.ReplaceRouteTableAssociation({ RouteTableId: routeTableId, SubnetId: entry.target }));
    await this.verified(`subnet ${entry.target} bound to ${routeTableId}`, async () => ((await this.readSubnet(entry.target))?.routeTableId === routeTableId ? true : undefined));
    return result;
  }

  /** Undoing our binding returns the subnet to the VPC's default table; a subnet bound elsewhere is left alone. */
  private async dissociateSubnet(entry: NetworkEntry): Promise<void> {
    const routeTableId = requireNextHop(entry);
    const subnet = await this.readSubnet(entry.target);
    if (!subnet?.vpcId || subnet.routeTableId !== routeTableId) return;
    const main = await this.mainRouteTable(subnet.vpcId);
    if (!main || main === routeTableId) return;
    await this.call('ReplaceRouteTableAssociation', () => this.vpc.ReplaceRouteTableAssociation({ RouteTableId: main, SubnetId: entry.target }));
  }
}

