// NetworkProvider for Alibaba Cloud: VPC / VBR route entries (asynchronous, polled), VPN connection subnets
// (whole-list API under a lease), VPN gateway routes, CEN transit router routes, ECS security group rules and
// the Redis / RDS IP whitelists. See docs/providers/alibaba.md for the mapping and its limits.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import * as VpcModels from '@alicloud/vpc20160428';
import * as RedisModels from '@alicloud/r-kvstore20150101';
import * as RdsModels from '@alicloud/rds20140815';
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import {
  EntryConflictError,
  InvalidInputError,
  LeaseHeldError,
  ResourceNotFoundError,
  TransientProviderError,
  UnsupportedChangeError,
  VerificationError,
} from '../../domain/errors.js';
import { hostCidr, normaliseCidr, parseCidr } from '../../domain/cidr.js';
import type { EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import type { StateStore } from '../../ports/state-store.js';
import { buildAlibabaClients, type AlibabaClients, type AlibabaCredentials } from './alibaba-clients.js';
import { hasCode, isNotFound, translateAlibabaError } from './alibaba-errors.js';

export interface AlibabaProviderOptions {
  region: string;
  credentials?: AlibabaCredentials;
  /** "127.0.0.1:PORT" (with protocol 'http') or "http://127.0.0.1:PORT": every product goes there (tests). */
  endpoint?: string;
  protocol?: 'http' | 'https';
  leases: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  /** Between reads of an asynchronous operation (route entries, transit router routes). Default 2000. */
  pollIntervalMs?: number;
  /** Give up waiting (TransientProviderError, retried by the flow) after this long. Default 60000. */
  pollTimeoutMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  throttleAttempts?: number;
  throttleBackoffMs?: number;
  /** Lease time for read-modify-write of whole-list APIs. Default 120 s. */
  leaseTtlSeconds?: number;
  /** Prebuilt clients (otherwise built from the options above). */
  clients?: AlibabaClients;
}

/** The whitelist group podreach appends to and deletes from; other groups are never written. */
export const PODREACH_WHITELIST_GROUP = 'podreach';
const DESCRIPTION_PREFIX = 'podreach';

const ROUTE_NEXT_HOP_TYPES: Partial<Record<NextHopType, string>> = {
  'vpn-gateway': 'VpnGateway',
  'transit-router': 'Attachment',
  'cloud-connect': 'Attachment',
  peering: 'VpcPeer',
  'border-router': 'RouterInterface',
  'dx-gateway': 'RouterInterface',
  node: 'Instance',
};

const NEUTRAL_NEXT_HOP_TYPES: Record<string, NextHopType> = {
  VpnGateway: 'vpn-gateway',
  Attachment: 'transit-router',
  VpcPeer: 'peering',
  RouterInterface: 'border-router',
  Instance: 'node',
};

// Id prefixes Alibaba uses, for entries that name a next hop without its type.
const NEXT_HOP_PREFIXES: Array<[string, string]> = [
  ['vpn-', 'VpnGateway'],
  ['tr-attach-', 'Attachment'],
  ['pcc-', 'VpcPeer'],
  ['ri-', 'RouterInterface'],
  ['i-', 'Instance'],
];

const READY_ROUTE_STATUSES = ['Available', 'Created'];
const READY_TRANSIT_STATUSES = ['Active'];
const PENDING_STATUSES = ['Creating', 'Pending', 'Modifying'];

const SUPPORTED: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  'route',
  'vpn-selector',
  'vpn-route',
  'dx-prefix',
  'transit-route',
  'cloud-connect-route',
  'sg-rule',
  'whitelist-entry',
  'subnet-association',
]);

// Responses of the products called through the generic RPC client (no SDK models for them here).
const transitRouteEntriesSchema = z.object({
  NextToken: z.string().optional(),
  TransitRouterRouteEntries: z
    .array(
      z.object({
        TransitRouterRouteEntryId: z.string(),
        TransitRouterRouteEntryDestinationCidrBlock: z.string(),
        TransitRouterRouteEntryNextHopType: z.string().optional(),
        TransitRouterRouteEntryNextHopId: z.string().optional(),
        TransitRouterRouteEntryStatus: z.string().optional(),
        TransitRouterRouteEntryType: z.string().optional(),
        TransitRouterRouteEntryDescription: z.string().optional(),
      }),
    )
    .default([]),
});
type TransitRouteEntry = z.infer<typeof transitRouteEntriesSchema>['TransitRouterRouteEntries'][number];

const securityGroupAttributeSchema = z.object({
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

interface RouteRow {
  id?: string;
  cidr: string;
  nextHop?: string;
  nextHopType?: string;
  status?: string;
  description?: string;
  type?: string;
}

interface SgRule {
  protocol: string;
  portRange: string;
}

function ownerOf(description: string | undefined): 'podreach' | 'foreign' {
  return description?.startsWith(DESCRIPTION_PREFIX) ? 'podreach' : 'foreign';
}

function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  // Whitelists and security groups list a single address without a prefix.
  const x = parseCidr(a.includes('/') ? a : hostCidr(a));
  const y = parseCidr(b.includes('/') ? b : hostCidr(b));
  return x !== undefined && y !== undefined ? x.cidr === y.cidr : a === b;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function requireField(entry: NetworkEntry, field: 'cidr' | 'nextHop' | 'peerCidr' | 'port'): string {
  const value = entry[field];
  if (value === undefined || value === '') throw new InvalidInputError(field, `${entry.kind} entries need ${field} on alibaba`);
  return value;
}

export class AlibabaProvider implements NetworkProvider {
  readonly name = 'alibaba' as const;
  private readonly clients: AlibabaClients;
  private readonly region: string;
  private readonly leases: Pick<StateStore, 'acquireLease' | 'releaseLease'>;
  private readonly pollIntervalMs: number;
  private readonly pollTimeoutMs: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly leaseTtlSeconds: number;

  constructor(options: AlibabaProviderOptions) {
    this.region = options.region;
    this.leases = options.leases;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.pollTimeoutMs = options.pollTimeoutMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.leaseTtlSeconds = options.leaseTtlSeconds ?? 120;
    this.clients =
      options.clients ??
      buildAlibabaClients({
        region: options.region,
        credentials: options.credentials,
        endpoint: options.endpoint,
        protocol: options.protocol,
        throttleAttempts: options.throttleAttempts,
        throttleBackoffMs: options.throttleBackoffMs,
      });
  }

  supports(kind: ChangeKind): boolean {
    return SUPPORTED.has(kind);
  }

  quotas(): ProviderQuotas {
    return {
      routesPerTable: 200,
      rulesPerSecurityGroup: 200,
      prefixesPerDxGateway: 200,
      // LocalSubnet / RemoteSubnet: the console and API accept up to 10 CIDRs per side (IKEv2).
      selectorsPerConnection: 10,
      whitelistEntries: 1000,
    };
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    switch (kind) {
      case 'route':
      case 'dx-prefix':
        return (await this.routeRows(target)).map((row) => this.routeEntry(kind, target, row));
      case 'vpn-selector':
        return this.listSelectors(target);
      case 'vpn-route':
        return (await this.vpnRoutes(target)).map((row) => ({
          kind,
          target,
          cidr: row.routeDest,
          nextHop: row.nextHop,
          owner: 'foreign' as const,
          description: row.state,
        }));
      case 'transit-route':
      case 'cloud-connect-route':
        return (await this.transitRoutes(target)).map((row) => this.transitEntry(kind, target, row));
      case 'sg-rule':
        return this.listRules(target);
      case 'whitelist-entry':
        return (await this.whitelist(target)).map((item) => ({
          kind,
          target,
          cidr: item.cidr,
          owner: item.group === PODREACH_WHITELIST_GROUP ? ('podreach' as const) : ('foreign' as const),
          description: item.group,
        }));
      case 'subnet-association':
        return this.listAssociation(target);
      default:
        throw this.unsupported(kind);
    }
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    switch (entry.kind) {
      case 'route':
        return this.createRoute(entry, context);
      case 'dx-prefix':
        if (!entry.nextHop) {
          throw new UnsupportedChangeError(
            'dx-prefix on alibaba is a route entry in the VBR route table: it needs the VBR router interface toward the VPC as nextHop (with a transit router, use transit-route instead)',
          );
        }
        return this.createRoute({ ...entry, nextHopType: entry.nextHopType ?? 'border-router' }, context);
      case 'vpn-selector':
        return this.changeSelectors(entry, context, 'add');
      case 'vpn-route':
        return this.createVpnRoute(entry, context);
      case 'transit-route':
      case 'cloud-connect-route':
        return this.createTransitRoute(entry, context);
      case 'sg-rule':
        return this.createRule(entry, context);
      case 'whitelist-entry':
        return this.createWhitelistEntry(entry);
      case 'subnet-association':
        return this.associate(entry, context);
      default:
        throw this.unsupported(entry.kind);
    }
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    if (entry.kind === 'route' || entry.kind === 'dx-prefix') return this.updateRoute(entry, context);
    if (entry.kind === 'transit-route' || entry.kind === 'cloud-connect-route') {
      // A transit router route's next hop cannot be modified in place: replace the entry podreach owns.
      await this.deleteTransitRoute({ ...entry, nextHop: undefined }, context);
      return this.createTransitRoute(entry, context);
    }
    if (!this.supports(entry.kind)) throw this.unsupported(entry.kind);
    throw new UnsupportedChangeError(`${entry.kind} entries on alibaba have no value to update; delete and create instead`);
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    switch (entry.kind) {
      case 'route':
      case 'dx-prefix':
        return this.deleteRoute(entry);
      case 'vpn-selector':
        await this.changeSelectors(entry, context, 'remove');
        return;
      case 'vpn-route':
        return this.deleteVpnRoute(entry, context);
      case 'transit-route':
      case 'cloud-connect-route':
        return this.deleteTransitRoute(entry, context);
      case 'sg-rule':
        return this.deleteRule(entry, context);
      case 'whitelist-entry':
        return this.deleteWhitelistEntry(entry);
      case 'subnet-association':
        return this.disassociate(entry, context);
      default:
        throw this.unsupported(entry.kind);
    }
  }

  // ---- shared ---------------------------------------------------------------------------------------

  private unsupported(kind: ChangeKind): UnsupportedChangeError {
    if (kind === 'bgp-peer') {
      return new UnsupportedChangeError(
        'bgp-peer: Alibaba VPN / VBR BGP sessions are set on the gateway, not per pod CIDR; the BGPPeer is a cluster-side artifact',
      );
    }
    return new UnsupportedChangeError(`${kind} is not supported by the alibaba provider`);
  }

  private async call<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw translateAlibabaError(error, what);
    }
  }

  /** Like call(), but `absent` when Alibaba answers that the thing named does not exist. */
  private async callOr<T, A>(what: string, action: () => Promise<T>, absent: A): Promise<T | A> {
    try {
      return await action();
    } catch (error) {
      if (isNotFound(error)) return absent;
      throw translateAlibabaError(error, what);
    }
  }

  private clientToken(context: EntryContext, operation: string, entry: NetworkEntry): string {
    const key = [context.clusterId, context.changeId, operation, entry.kind, entry.target, entry.cidr, entry.peerCidr, entry.port, entry.nextHop].join('|');
    return createHash('sha256').update(key).digest('hex').slice(0, 32);
  }

  private description(context: EntryContext): string {
    return `${DESCRIPTION_PREFIX}:${context.clusterId}:${context.changeId}`.slice(0, 256);
  }

  /** Reads until `done` says the state is reached; TransientProviderError when the bound passes. */
  private async pollUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = this.now().getTime() + this.pollTimeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (this.now().getTime() >= deadline) {
        throw new TransientProviderError(`${what}: still in progress after ${this.pollTimeoutMs} ms`);
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private async withLease<T>(resourceKey: string, context: EntryContext, work: () => Promise<T>): Promise<T> {
    const holder = `${context.clusterId}/${context.changeId}`;
    const acquired = await this.leases.acquireLease(resourceKey, holder, this.leaseTtlSeconds, this.now());
    if (!acquired) throw new LeaseHeldError(`${resourceKey} is being changed by another holder`);
    try {
      return await work();
    } finally {
      await this.leases.releaseLease(resourceKey, holder);
    }
  }

  // ---- route entries (VPC and VBR route tables) ------------------------------------------------------

  private routeNextHopType(entry: NetworkEntry): string {
    const nextHop = requireField(entry, 'nextHop');
    if (entry.nextHopType) {
      const mapped = ROUTE_NEXT_HOP_TYPES[entry.nextHopType];
      if (!mapped) throw new UnsupportedChangeError(`next hop type ${entry.nextHopType} has no Alibaba route entry equivalent`);
      return mapped;
    }
    const byPrefix = NEXT_HOP_PREFIXES.find(([prefix]) => nextHop.startsWith(prefix));
    if (!byPrefix) throw new InvalidInputError('nextHopType', `cannot tell the Alibaba next hop type of ${nextHop}`);
    return byPrefix[1];
  }

  private routeEntry(kind: ChangeKind, target: string, row: RouteRow): ProviderEntry {
    const neutral = row.nextHopType ? NEUTRAL_NEXT_HOP_TYPES[row.nextHopType] : undefined;
    return {
      kind,
      target,
      cidr: row.cidr,
      nextHop: row.nextHop,
      ...(neutral ? { nextHopType: neutral } : {}),
      resourceId: row.id,
      owner: ownerOf(row.description),
      description: row.status,
    };
  }

  private async routeRows(routeTableId: string, cidr?: string): Promise<RouteRow[]> {
    const rows: RouteRow[] = [];
    let nextToken: string | undefined;
    do {
      const request = new VpcModels.DescribeRouteEntryListRequest({
        regionId: this.region,
        routeTableId,
        destinationCidrBlock: cidr,
        maxResult: 100,
        nextToken,
      });
      let body: VpcModels.DescribeRouteEntryListResponseBody | undefined;
      try {
        body = (await this.clients.vpc.describeRouteEntryList(request)).body;
      } catch (error) {
        if (isNotFound(error)) return [];
        throw translateAlibabaError(error, `DescribeRouteEntryList ${routeTableId}`);
      }
      for (const item of body?.routeEntrys?.routeEntry ?? []) {
        if (!item.destinationCidrBlock) continue;
        const hop = item.nextHops?.nextHop?.[0];
        rows.push({
          id: item.routeEntryId,
          cidr: item.destinationCidrBlock,
          nextHop: hop?.nextHopId,
          nextHopType: hop?.nextHopType,
          status: item.status,
          description: item.description,
          type: item.type,
        });
      }
      nextToken = body?.nextToken || undefined;
    } while (nextToken);
    return cidr ? rows.filter((row) => sameCidr(row.cidr, cidr)) : rows;
  }

  private async createRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const nextHopType = this.routeNextHopType(entry);
    const existing = await this.settledRoute(entry.target, cidr);
    if (existing) return this.acceptExistingRoute(entry, existing);
    try {
      await this.clients.vpc.createRouteEntry(
        new VpcModels.CreateRouteEntryRequest({
          regionId: this.region,
          routeTableId: entry.target,
          destinationCidrBlock: cidr,
          nextHopType,
          nextHopId: entry.nextHop,
          clientToken: this.clientToken(context, 'create', entry),
          description: this.description(context),
          routeEntryName: DESCRIPTION_PREFIX,
        }),
      );
    } catch (error) {
      // Someone (or our own earlier attempt) holds this destination already: the re-read decides.
      if (!hasCode(error, 'RouterEntryConflict.Duplicated', 'InvalidCidrBlock.Duplicate')) {
        if (hasCode(error, 'InvalidRouteTableId.NotFound', 'InvalidRouteTable.NotFound')) {
          throw new ResourceNotFoundError(`route table ${entry.target} does not exist`, 'InvalidRouteTableId.NotFound');
        }
        throw translateAlibabaError(error, `CreateRouteEntry ${entry.target} ${cidr}`);
      }
    }
    const settled = await this.settledRoute(entry.target, cidr);
    if (!settled) throw new VerificationError(`route ${cidr} in ${entry.target} is not there after CreateRouteEntry`);
    return this.acceptExistingRoute(entry, settled);
  }

  private acceptExistingRoute(entry: NetworkEntry, row: RouteRow): ProviderEntry {
    if (row.nextHop !== entry.nextHop) {
      throw new EntryConflictError(
        `route ${row.cidr} in ${entry.target} already points to ${row.nextHop ?? 'nothing'} (${row.nextHopType ?? 'unknown type'}), not ${entry.nextHop}`,
        'RouterEntryConflict.Duplicated',
      );
    }
    return this.routeEntry(entry.kind, entry.target, row);
  }

  /** The entry for `cidr`, after waiting out Creating / Pending; undefined when there is none. */
  private async settledRoute(routeTableId: string, cidr: string): Promise<RouteRow | undefined> {
    const rows = await this.pollUntil(
      `route ${cidr} in ${routeTableId}`,
      () => this.routeRows(routeTableId, cidr),
      (found) => found.every((row) => !PENDING_STATUSES.includes(row.status ?? '')),
    );
    const row = rows[0];
    if (row && row.status && !READY_ROUTE_STATUSES.includes(row.status) && row.status !== 'Deleting') {
      throw new TransientProviderError(`route ${cidr} in ${routeTableId} is ${row.status}`);
    }
    return row?.status === 'Deleting' ? undefined : row;
  }

  private async deleteRoute(entry: NetworkEntry): Promise<void> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const rows = await this.routeRows(entry.target, cidr);
    // Only the entry described: another next hop at this destination is not ours to remove.
    const row = rows.find((candidate) => entry.nextHop === undefined || candidate.nextHop === entry.nextHop);
    if (!row || row.status === 'Deleting') return this.waitRouteGone(entry.target, cidr, entry.nextHop);
    try {
      await this.clients.vpc.deleteRouteEntry(
        new VpcModels.DeleteRouteEntryRequest({
          regionId: this.region,
          routeTableId: entry.target,
          destinationCidrBlock: cidr,
          nextHopId: row.nextHop,
          routeEntryId: row.id,
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw translateAlibabaError(error, `DeleteRouteEntry ${entry.target} ${cidr}`);
    }
    await this.waitRouteGone(entry.target, cidr, row.nextHop);
  }

  private async waitRouteGone(routeTableId: string, cidr: string, nextHop: string | undefined): Promise<void> {
    await this.pollUntil(
      `removal of route ${cidr} from ${routeTableId}`,
      () => this.routeRows(routeTableId, cidr),
      (rows) => !rows.some((row) => nextHop === undefined || row.nextHop === nextHop),
    );
  }

  private async updateRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const nextHopType = this.routeNextHopType(entry);
    const current = await this.settledRoute(entry.target, cidr);
    if (!current) return this.createRoute(entry, context);
    if (current.nextHop === entry.nextHop) return this.routeEntry(entry.kind, entry.target, current);
    if (ownerOf(current.description) !== 'podreach') {
      throw new EntryConflictError(`route ${cidr} in ${entry.target} was not created by podreach; it is not changed`);
    }
    await this.call(`ModifyRouteEntry ${entry.target} ${cidr}`, () =>
      this.clients.vpc.modifyRouteEntry(
        new VpcModels.ModifyRouteEntryRequest({
          regionId: this.region,
          routeEntryId: current.id,
          routeTableId: entry.target,
          destinationCidrBlock: cidr,
          newNextHopId: entry.nextHop,
          newNextHopType: nextHopType,
        }),
      ),
    );
    const settled = await this.settledRoute(entry.target, cidr);
    if (!settled || settled.nextHop !== entry.nextHop) {
      throw new VerificationError(`route ${cidr} in ${entry.target} does not point to ${entry.nextHop} after ModifyRouteEntry`);
    }
    return this.routeEntry(entry.kind, entry.target, settled);
  }

  // ---- VPN connection subnets (LocalSubnet / RemoteSubnet: whole lists) -----------------------------

  private async readSubnets(connectionId: string): Promise<{ local: string[]; remote: string[] } | undefined> {
    return this.callOr(
      `DescribeVpnConnection ${connectionId}`,
      async () => {
        const body = (await this.clients.vpc.describeVpnConnection(new VpcModels.DescribeVpnConnectionRequest({ regionId: this.region, vpnConnectionId: connectionId }))).body;
        return { local: splitList(body?.localSubnet), remote: splitList(body?.remoteSubnet) };
      },
      undefined,
    );
  }

  private async listSelectors(connectionId: string): Promise<ProviderEntry[]> {
    const subnets = await this.readSubnets(connectionId);
    if (!subnets) return [];
    // IKEv2 negotiates every local x remote pair, so that is the set of selectors in force.
    return subnets.local.flatMap((cidr) =>
      subnets.remote.map((peerCidr) => ({ kind: 'vpn-selector' as const, target: connectionId, cidr, peerCidr, owner: 'foreign' as const })),
    );
  }

  private async changeSelectors(entry: NetworkEntry, context: EntryContext, change: 'add' | 'remove'): Promise<ProviderEntry> {
    const local = normaliseCidr(requireField(entry, 'cidr'));
    const remote = normaliseCidr(requireField(entry, 'peerCidr'));
    const selector: ProviderEntry = { kind: 'vpn-selector', target: entry.target, cidr: local, peerCidr: remote };
    return this.withLease(`alibaba:${this.region}:vpn:${entry.target}`, context, async () => {
      const subnets = await this.readSubnets(entry.target);
      if (!subnets) {
        if (change === 'remove') return selector;
        throw new ResourceNotFoundError(`VPN connection ${entry.target} does not exist`);
      }
      const hasLocal = subnets.local.some((cidr) => sameCidr(cidr, local));
      const hasRemote = subnets.remote.some((cidr) => sameCidr(cidr, remote));
      let next: { local: string[]; remote: string[] };
      if (change === 'add') {
        if (hasLocal && hasRemote) return selector;
        next = {
          local: hasLocal ? subnets.local : [...subnets.local, local],
          remote: hasRemote ? subnets.remote : [...subnets.remote, remote],
        };
      } else {
        if (!hasLocal || !hasRemote) return selector;
        next = this.withoutSelector(entry.target, subnets, local, remote);
      }
      await this.call(`ModifyVpnConnectionAttribute ${entry.target}`, () =>
        this.clients.vpc.modifyVpnConnectionAttribute(
          new VpcModels.ModifyVpnConnectionAttributeRequest({
            regionId: this.region,
            vpnConnectionId: entry.target,
            localSubnet: next.local.join(','),
            remoteSubnet: next.remote.join(','),
            clientToken: this.clientToken(context, `selectors:${change}:${next.local.join(',')}:${next.remote.join(',')}`, entry),
          }),
        ),
      );
      const after = await this.readSubnets(entry.target);
      const present = !!after && after.local.some((c) => sameCidr(c, local)) && after.remote.some((c) => sameCidr(c, remote));
      if (present !== (change === 'add')) {
        throw new VerificationError(`VPN connection ${entry.target}: selector ${local} <-> ${remote} not ${change === 'add' ? 'added' : 'removed'}`);
      }
      return selector;
    });
  }

  /**
   * The lists without the pair local <-> remote. One side's CIDR must go, and with it every pair it is part
   * of: only a side whose other half is a single CIDR can go without taking another selector with it.
   */
  private withoutSelector(
    connectionId: string,
    subnets: { local: string[]; remote: string[] },
    local: string,
    remote: string,
  ): { local: string[]; remote: string[] } {
    const keepRemote = subnets.remote.filter((cidr) => !sameCidr(cidr, remote));
    const keepLocal = subnets.local.filter((cidr) => !sameCidr(cidr, local));
    if (subnets.local.length === 1 && keepRemote.length > 0) return { local: subnets.local, remote: keepRemote };
    if (subnets.remote.length === 1 && keepLocal.length > 0) return { local: keepLocal, remote: subnets.remote };
    throw new UnsupportedChangeError(
      subnets.local.length === 1 && subnets.remote.length === 1
        ? `VPN connection ${connectionId}: ${local} <-> ${remote} is its only selector; Alibaba needs at least one local and one remote subnet`
        : `VPN connection ${connectionId}: removing ${local} <-> ${remote} would also remove other selectors (Alibaba pairs every local with every remote subnet)`,
    );
  }

  // ---- VPN gateway routes ----------------------------------------------------------------------------

  private async vpnRoutes(vpnGatewayId: string): Promise<VpcModels.DescribeVpnRouteEntriesResponseBodyVpnRouteEntriesVpnRouteEntry[]> {
    const rows: VpcModels.DescribeVpnRouteEntriesResponseBodyVpnRouteEntriesVpnRouteEntry[] = [];
    for (let page = 1; ; page++) {
      let body: VpcModels.DescribeVpnRouteEntriesResponseBody | undefined;
      try {
        body = (
          await this.clients.vpc.describeVpnRouteEntries(
            new VpcModels.DescribeVpnRouteEntriesRequest({ regionId: this.region, vpnGatewayId, routeEntryType: 'custom', pageNumber: page, pageSize: 50 }),
          )
        ).body;
      } catch (error) {
        if (isNotFound(error)) return [];
        throw translateAlibabaError(error, `DescribeVpnRouteEntries ${vpnGatewayId}`);
      }
      const items = body?.vpnRouteEntries?.vpnRouteEntry ?? [];
      rows.push(...items);
      if (items.length === 0 || rows.length >= (body?.totalCount ?? 0)) return rows;
    }
  }

  private async createVpnRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const nextHop = requireField(entry, 'nextHop');
    const found = async () => (await this.vpnRoutes(entry.target)).find((row) => sameCidr(row.routeDest, cidr));
    const existing = await found();
    const accept = (row: VpcModels.DescribeVpnRouteEntriesResponseBodyVpnRouteEntriesVpnRouteEntry): ProviderEntry => {
      if (row.nextHop !== nextHop) {
        throw new EntryConflictError(`VPN gateway ${entry.target} already routes ${cidr} to ${row.nextHop}, not ${nextHop}`);
      }
      return { kind: 'vpn-route', target: entry.target, cidr, nextHop, description: row.state };
    };
    if (existing) return accept(existing);
    try {
      await this.clients.vpc.createVpnRouteEntry(
        new VpcModels.CreateVpnRouteEntryRequest({
          regionId: this.region,
          vpnGatewayId: entry.target,
          routeDest: cidr,
          nextHop,
          weight: 100,
          publishVpc: true,
          description: this.description(context),
          clientToken: this.clientToken(context, 'create', entry),
        }),
      );
    } catch (error) {
      if (!hasCode(error, 'VpnRouteEntry.AlreadyExists', 'VpnRouteEntry.Duplicated', 'VpnRouteEntry.Conflict')) {
        throw translateAlibabaError(error, `CreateVpnRouteEntry ${entry.target} ${cidr}`);
      }
    }
    const after = await found();
    if (!after) throw new VerificationError(`VPN gateway ${entry.target}: route ${cidr} not there after CreateVpnRouteEntry`);
    return accept(after);
  }

  private async deleteVpnRoute(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const row = (await this.vpnRoutes(entry.target)).find(
      (candidate) => sameCidr(candidate.routeDest, cidr) && (entry.nextHop === undefined || candidate.nextHop === entry.nextHop),
    );
    if (!row) return;
    await this.callOr(
      `DeleteVpnRouteEntry ${entry.target} ${cidr}`,
      () =>
        this.clients.vpc.deleteVpnRouteEntry(
          new VpcModels.DeleteVpnRouteEntryRequest({
            regionId: this.region,
            vpnGatewayId: entry.target,
            routeDest: row.routeDest,
            nextHop: row.nextHop,
            weight: row.weight ?? 100,
            clientToken: this.clientToken(context, 'delete', entry),
          }),
        ),
      undefined,
    );
  }

  // ---- CEN transit router routes (generic RPC, cbn 2017-09-12) --------------------------------------

  private transitEntry(kind: ChangeKind, target: string, row: TransitRouteEntry): ProviderEntry {
    return {
      kind,
      target,
      cidr: row.TransitRouterRouteEntryDestinationCidrBlock,
      nextHop: row.TransitRouterRouteEntryNextHopId,
      nextHopType: 'transit-router',
      resourceId: row.TransitRouterRouteEntryId,
      owner: ownerOf(row.TransitRouterRouteEntryDescription),
      description: row.TransitRouterRouteEntryStatus,
    };
  }

  private async transitRoutes(routeTableId: string, cidr?: string): Promise<TransitRouteEntry[]> {
    const rows: TransitRouteEntry[] = [];
    let nextToken: string | undefined;
    do {
      let body: z.infer<typeof transitRouteEntriesSchema>;
      try {
        body = transitRouteEntriesSchema.parse(
          await this.clients.cbn.call('ListTransitRouterRouteEntries', {
            TransitRouterRouteTableId: routeTableId,
            TransitRouterRouteEntryDestinationCidrBlock: cidr,
            MaxResults: 100,
            NextToken: nextToken,
          }),
        );
      } catch (error) {
        if (isNotFound(error)) return [];
        throw translateAlibabaError(error, `ListTransitRouterRouteEntries ${routeTableId}`);
      }
      rows.push(...body.TransitRouterRouteEntries);
      nextToken = body.NextToken || undefined;
    } while (nextToken);
    return cidr ? rows.filter((row) => sameCidr(row.TransitRouterRouteEntryDestinationCidrBlock, cidr)) : rows;
  }

  private async settledTransitRoute(routeTableId: string, cidr: string): Promise<TransitRouteEntry | undefined> {
    const rows = await this.pollUntil(
      `transit route ${cidr} in ${routeTableId}`,
      () => this.transitRoutes(routeTableId, cidr),
      (found) => found.every((row) => !PENDING_STATUSES.includes(row.TransitRouterRouteEntryStatus ?? '')),
    );
    return rows.find((row) => row.TransitRouterRouteEntryStatus !== 'Deleting');
  }

  private acceptTransitRoute(entry: NetworkEntry, row: TransitRouteEntry): ProviderEntry {
    if (row.TransitRouterRouteEntryNextHopId !== entry.nextHop) {
      throw new EntryConflictError(
        `transit router table ${entry.target} already routes ${row.TransitRouterRouteEntryDestinationCidrBlock} to ${row.TransitRouterRouteEntryNextHopId ?? row.TransitRouterRouteEntryNextHopType ?? 'nothing'} (${row.TransitRouterRouteEntryType ?? 'unknown'} route)`,
      );
    }
    const status = row.TransitRouterRouteEntryStatus;
    if (status && !READY_TRANSIT_STATUSES.includes(status)) {
      // A route the transit router holds but does not use (overridden, over quota, refused): say so, never succeed.
      throw new EntryConflictError(`transit route ${row.TransitRouterRouteEntryDestinationCidrBlock} in ${entry.target} is ${status}`, status);
    }
    return this.transitEntry(entry.kind, entry.target, row);
  }

  private async createTransitRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const nextHop = requireField(entry, 'nextHop');
    const existing = await this.settledTransitRoute(entry.target, cidr);
    if (existing) return this.acceptTransitRoute(entry, existing);
    try {
      await this.clients.cbn.call('CreateTransitRouterRouteEntry', {
        TransitRouterRouteTableId: entry.target,
        TransitRouterRouteEntryDestinationCidrBlock: cidr,
        TransitRouterRouteEntryNextHopType: 'Attachment',
        TransitRouterRouteEntryNextHopId: nextHop,
        TransitRouterRouteEntryName: DESCRIPTION_PREFIX,
        TransitRouterRouteEntryDescription: this.description(context),
        ClientToken: this.clientToken(context, 'create', entry),
      });
    } catch (error) {
      if (!hasCode(error, 'InvalidDestinationCidrBlock.Duplicated', 'Duplicated.TransitRouterRouteEntry', 'RouteEntry.AlreadyExist')) {
        throw translateAlibabaError(error, `CreateTransitRouterRouteEntry ${entry.target} ${cidr}`);
      }
    }
    const settled = await this.settledTransitRoute(entry.target, cidr);
    if (!settled) throw new VerificationError(`transit route ${cidr} in ${entry.target} is not there after CreateTransitRouterRouteEntry`);
    return this.acceptTransitRoute(entry, settled);
  }

  private async deleteTransitRoute(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const row = (await this.transitRoutes(entry.target, cidr)).find(
      (candidate) => (entry.nextHop === undefined || candidate.TransitRouterRouteEntryNextHopId === entry.nextHop) && candidate.TransitRouterRouteEntryType !== 'Propagated',
    );
    if (row && row.TransitRouterRouteEntryStatus !== 'Deleting') {
      try {
        await this.clients.cbn.call('DeleteTransitRouterRouteEntry', {
          TransitRouterRouteEntryId: row.TransitRouterRouteEntryId,
          ClientToken: this.clientToken(context, 'delete', entry),
        });
      } catch (error) {
        if (isNotFound(error)) return;
        throw translateAlibabaError(error, `DeleteTransitRouterRouteEntry ${entry.target} ${cidr}`);
      }
    }
    if (!row) return;
    await this.pollUntil(
      `removal of transit route ${cidr} from ${entry.target}`,
      () => this.transitRoutes(entry.target, cidr),
      (rows) => !rows.some((candidate) => candidate.TransitRouterRouteEntryId === row.TransitRouterRouteEntryId),
    );
  }

  // ---- ECS security group rules (generic RPC, ecs 2014-05-26) ---------------------------------------

  private parsePort(port: string): SgRule {
    const [protocolText, range] = port.toLowerCase().split(':');
    const protocol = protocolText === '-1' ? 'all' : (protocolText ?? '');
    if (protocol === 'icmp' || protocol === 'all' || protocol === 'gre') return { protocol, portRange: '-1/-1' };
    if (protocol !== 'tcp' && protocol !== 'udp') throw new InvalidInputError('port', `unknown protocol in ${port}`);
    const [from, to] = (range ?? '').split('-');
    if (!from || !/^\d+$/.test(from) || (to !== undefined && !/^\d+$/.test(to))) throw new InvalidInputError('port', `bad port range in ${port}`);
    return { protocol, portRange: `${from}/${to ?? from}` };
  }

  private formatPort(protocol: string, portRange: string): string {
    const lower = protocol.toLowerCase();
    if (lower === 'icmp' || lower === 'all' || lower === 'gre') return lower;
    const [from, to] = portRange.split('/');
    return from === to ? `${lower}:${from}` : `${lower}:${from}-${to}`;
  }

  private async readRules(groupId: string): Promise<z.infer<typeof securityGroupAttributeSchema>['Permissions']['Permission'] | undefined> {
    return this.callOr(
      `DescribeSecurityGroupAttribute ${groupId}`,
      async () => {
        const body = securityGroupAttributeSchema.parse(
          await this.clients.ecs.call('DescribeSecurityGroupAttribute', { RegionId: this.region, SecurityGroupId: groupId, Direction: 'ingress' }),
        );
        return body.Permissions.Permission.filter((rule) => (rule.Direction ?? 'ingress') === 'ingress' && (rule.Policy ?? 'Accept').toLowerCase() === 'accept');
      },
      undefined,
    );
  }

  private async listRules(groupId: string): Promise<ProviderEntry[]> {
    const rules = (await this.readRules(groupId)) ?? [];
    return rules
      .filter((rule) => rule.SourceCidrIp)
      .map((rule) => ({
        kind: 'sg-rule' as const,
        target: groupId,
        cidr: rule.SourceCidrIp,
        port: this.formatPort(rule.IpProtocol, rule.PortRange),
        resourceId: rule.SecurityGroupRuleId,
        owner: ownerOf(rule.Description),
      }));
  }

  private async findRule(entry: NetworkEntry, cidr: string, rule: SgRule): Promise<ProviderEntry | undefined | null> {
    const rules = await this.readRules(entry.target);
    if (!rules) return null;
    const found = rules.find(
      (candidate) =>
        candidate.IpProtocol.toLowerCase() === rule.protocol && candidate.PortRange === rule.portRange && sameCidr(candidate.SourceCidrIp, cidr),
    );
    return found
      ? { kind: 'sg-rule', target: entry.target, cidr, port: this.formatPort(rule.protocol, rule.portRange), resourceId: found.SecurityGroupRuleId, owner: ownerOf(found.Description) }
      : undefined;
  }

  private ruleQuery(entry: NetworkEntry, cidr: string, rule: SgRule): Record<string, string> {
    return {
      RegionId: this.region,
      SecurityGroupId: entry.target,
      IpProtocol: rule.protocol,
      PortRange: rule.portRange,
      SourceCidrIp: cidr,
      Policy: 'accept',
      NicType: 'intranet',
    };
  }

  private async createRule(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const rule = this.parsePort(requireField(entry, 'port'));
    const existing = await this.findRule(entry, cidr, rule);
    if (existing === null) throw new ResourceNotFoundError(`security group ${entry.target} does not exist`);
    if (existing) return existing;
    // AuthorizeSecurityGroup treats an identical rule as a no-op, so a retry after a lost answer is harmless.
    await this.call(`AuthorizeSecurityGroup ${entry.target}`, () =>
      this.clients.ecs.call('AuthorizeSecurityGroup', {
        ...this.ruleQuery(entry, cidr, rule),
        Priority: 1,
        Description: this.description(context),
        ClientToken: this.clientToken(context, 'create', entry),
      }),
    );
    const after = await this.findRule(entry, cidr, rule);
    if (!after) throw new VerificationError(`security group ${entry.target}: rule ${entry.port} from ${cidr} not there after AuthorizeSecurityGroup`);
    return after;
  }

  private async deleteRule(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const rule = this.parsePort(requireField(entry, 'port'));
    const existing = await this.findRule(entry, cidr, rule);
    if (!existing) return;
    await this.callOr(
      `RevokeSecurityGroup ${entry.target}`,
      () => this.clients.ecs.call('RevokeSecurityGroup', { ...this.ruleQuery(entry, cidr, rule), ClientToken: this.clientToken(context, 'delete', entry) }),
      undefined,
    );
  }

  // ---- Redis / RDS whitelists (ModifySecurityIps Append / Delete keep other entries by design) --------

  private whitelistTarget(target: string): { service: 'redis' | 'rds'; instanceId: string } {
    const [service, instanceId] = target.split(':', 2);
    if ((service !== 'redis' && service !== 'rds') || !instanceId) {
      throw new UnsupportedChangeError(`whitelist target ${target}: alibaba supports "redis:<instanceId>" and "rds:<instanceId>"`);
    }
    return { service, instanceId };
  }

  private async whitelist(target: string): Promise<Array<{ group: string; cidr: string }>> {
    const { service, instanceId } = this.whitelistTarget(target);
    const items: Array<{ group: string; cidr: string }> = [];
    try {
      if (service === 'redis') {
        const body = (await this.clients.redis.describeSecurityIps(new RedisModels.DescribeSecurityIpsRequest({ instanceId }))).body;
        for (const group of body?.securityIpGroups?.securityIpGroup ?? []) {
          for (const cidr of splitList(group.securityIpList)) items.push({ group: group.securityIpGroupName ?? 'default', cidr });
        }
      } else {
        const body = (await this.clients.rds.describeDBInstanceIPArrayList(new RdsModels.DescribeDBInstanceIPArrayListRequest({ DBInstanceId: instanceId }))).body;
        for (const group of body?.items?.DBInstanceIPArray ?? []) {
          for (const cidr of splitList(group.securityIPList)) items.push({ group: group.DBInstanceIPArrayName ?? 'default', cidr });
        }
      }
    } catch (error) {
      if (isNotFound(error)) return [];
      throw translateAlibabaError(error, `whitelist of ${target}`);
    }
    return items;
  }

  private async modifyWhitelist(target: string, cidr: string, mode: 'Append' | 'Delete'): Promise<void> {
    const { service, instanceId } = this.whitelistTarget(target);
    // ModifyMode defaults to Cover (replace everything): it is always set explicitly.
    if (service === 'redis') {
      await this.clients.redis.modifySecurityIps(
        new RedisModels.ModifySecurityIpsRequest({ instanceId, securityIps: cidr, securityIpGroupName: PODREACH_WHITELIST_GROUP, modifyMode: mode }),
      );
    } else {
      await this.clients.rds.modifySecurityIps(
        new RdsModels.ModifySecurityIpsRequest({ DBInstanceId: instanceId, securityIps: cidr, DBInstanceIPArrayName: PODREACH_WHITELIST_GROUP, modifyMode: mode }),
      );
    }
  }

  private async createWhitelistEntry(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    const toEntry = (item: { group: string; cidr: string }): ProviderEntry => ({
      kind: 'whitelist-entry',
      target: entry.target,
      cidr,
      owner: item.group === PODREACH_WHITELIST_GROUP ? 'podreach' : 'foreign',
      description: item.group,
    });
    const existing = (await this.whitelist(entry.target)).find((item) => sameCidr(item.cidr, cidr));
    if (existing) return toEntry(existing);
    try {
      await this.modifyWhitelist(entry.target, cidr, 'Append');
    } catch (error) {
      if (isNotFound(error)) throw new ResourceNotFoundError(`${entry.target} does not exist`);
      throw translateAlibabaError(error, `ModifySecurityIps Append ${entry.target}`);
    }
    const after = (await this.whitelist(entry.target)).find((item) => sameCidr(item.cidr, cidr));
    if (!after) throw new VerificationError(`${entry.target}: ${cidr} not in the whitelist after ModifySecurityIps`);
    return toEntry(after);
  }

  private async deleteWhitelistEntry(entry: NetworkEntry): Promise<void> {
    const cidr = normaliseCidr(requireField(entry, 'cidr'));
    // Only podreach's group is written: the same CIDR in another group is someone else's entry.
    const mine = (await this.whitelist(entry.target)).find((item) => item.group === PODREACH_WHITELIST_GROUP && sameCidr(item.cidr, cidr));
    if (!mine) return;
    await this.callOr(`ModifySecurityIps Delete ${entry.target}`, () => this.modifyWhitelist(entry.target, mine.cidr, 'Delete'), undefined);
  }

  // ---- vSwitch <-> route table association --------------------------------------------------------------

  private async boundTable(vSwitchId: string): Promise<{ routeTableId?: string; type?: string } | undefined> {
    return this.callOr(
      `DescribeVSwitchAttributes ${vSwitchId}`,
      async () => {
        const body = (await this.clients.vpc.describeVSwitchAttributes(new VpcModels.DescribeVSwitchAttributesRequest({ regionId: this.region, vSwitchId }))).body;
        return { routeTableId: body?.routeTable?.routeTableId, type: body?.routeTable?.routeTableType };
      },
      undefined,
    );
  }

  private async listAssociation(vSwitchId: string): Promise<ProviderEntry[]> {
    const bound = await this.boundTable(vSwitchId);
    if (!bound?.routeTableId) return [];
    return [{ kind: 'subnet-association', target: vSwitchId, nextHop: bound.routeTableId, nextHopType: 'route-table', description: bound.type }];
  }

  private async associate(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const routeTableId = requireField(entry, 'nextHop');
    const result: ProviderEntry = { kind: 'subnet-association', target: entry.target, cidr: entry.cidr, nextHop: routeTableId, nextHopType: 'route-table' };
    const bound = await this.boundTable(entry.target);
    if (!bound) throw new ResourceNotFoundError(`vSwitch ${entry.target} does not exist`);
    if (bound.routeTableId === routeTableId) return result;
    // Every vSwitch starts on the VPC's system table; a custom table someone else bound is never replaced.
    if (bound.routeTableId && bound.type !== 'System') {
      throw new EntryConflictError(`vSwitch ${entry.target} is bound to route table ${bound.routeTableId}; podreach does not re-bind it`);
    }
    await this.call(`AssociateRouteTable ${entry.target}`, () =>
      this.clients.vpc.associateRouteTable(
        new VpcModels.AssociateRouteTableRequest({ regionId: this.region, vSwitchId: entry.target, routeTableId, clientToken: this.clientToken(context, 'associate', entry) }),
      ),
    );
    const after = await this.pollUntil(`association of ${entry.target}`, () => this.boundTable(entry.target), (value) => value?.routeTableId === routeTableId);
    return { ...result, description: after?.type };
  }

  private async disassociate(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const routeTableId = requireField(entry, 'nextHop');
    const bound = await this.boundTable(entry.target);
    if (bound?.routeTableId !== routeTableId) return;
    try {
      await this.clients.vpc.unassociateRouteTable(
        new VpcModels.UnassociateRouteTableRequest({ regionId: this.region, vSwitchId: entry.target, routeTableId, clientToken: this.clientToken(context, 'unassociate', entry) }),
      );
    } catch (error) {
      if (isNotFound(error)) return;
      throw translateAlibabaError(error, `UnassociateRouteTable ${entry.target}`);
    }
    await this.pollUntil(`unassociation of ${entry.target}`, () => this.boundTable(entry.target), (value) => value?.routeTableId !== routeTableId);
  }
}
