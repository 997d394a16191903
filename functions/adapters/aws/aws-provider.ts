// The AWS NetworkProvider: VPC routes, transit gateway routes, VPN static routes and selectors, Direct Connect
// gateway allowed prefixes, security-group ingress and subnet associations, on @aws-sdk/client-ec2 and
// @aws-sdk/client-direct-connect. EC2 route and rule actions take no ClientToken, so every write is
// describe -> act -> re-read, with duplicate / not-found codes decided after re-reading.
// Routes cannot be tagged: which entries podreach owns is kept in its ledger (docs/aws-adapter.md).
import {
  AssociateRouteTableCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateRouteCommand,
  CreateTransitGatewayRouteCommand,
  CreateVpnConnectionRouteCommand,
  DeleteRouteCommand,
  DeleteTransitGatewayRouteCommand,
  DeleteVpnConnectionRouteCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTransitGatewayAttachmentsCommand,
  DescribeTransitGatewayRouteTablesCommand,
  DescribeVpnConnectionsCommand,
  DisassociateRouteTableCommand,
  EC2Client,
  ModifyVpnConnectionOptionsCommand,
  ReplaceRouteCommand,
  ReplaceTransitGatewayRouteCommand,
  RevokeSecurityGroupIngressCommand,
  SearchTransitGatewayRoutesCommand,
  type CreateRouteCommandInput,
  type IpPermission,
  type Route,
  type SecurityGroup,
  type TransitGatewayRoute,
  type VpnConnection,
} from '@aws-sdk/client-ec2';
import {
  DescribeDirectConnectGatewayAssociationsCommand,
  DirectConnectClient,
  UpdateDirectConnectGatewayAssociationCommand,
  type DirectConnectGatewayAssociation,
} from '@aws-sdk/client-direct-connect';
import { cidrContains, parseCidr } from '../../domain/cidr.js';
import {
  EntryConflictError,
  InvalidInputError,
  QuotaExceededError,
  ResourceNotFoundError,
  TransientProviderError,
  UnsupportedChangeError,
  VerificationError,
} from '../../domain/errors.js';
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import type { EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import { awsErrorCode, hasAwsCode, translateAwsError } from './aws-errors.js';
import { formatSgPort, parseSgPort } from './sg-port.js';

export interface AwsProviderOptions {
  region?: string;
  /** LocalStack / moto; defaults to AWS_ENDPOINT_URL when set. */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** SDK attempts per call (adaptive retry mode, which also paces calls after throttling). */
  maxAttempts?: number;
  ec2?: EC2Client;
  directConnect?: DirectConnectClient;
}

/** Every rule podreach authorizes carries this description: the only ownership mark security groups have. */
export const RULE_DESCRIPTION_PREFIX = 'podreach:';
/** allowed prefixes toward on-premises per transit gateway association (AWS quota). */
export const TGW_ASSOCIATION_PREFIX_LIMIT = 20;
const ROUTE_BASED_SELECTOR = '0.0.0.0/0';

const SUPPORTED: ReadonlySet<ChangeKind> = new Set<ChangeKind>([
  'route',
  'transit-route',
  'sg-rule',
  'vpn-route',
  'vpn-selector',
  'dx-prefix',
  'subnet-association',
  'cloud-connect-route',
]);

const UNSUPPORTED_REASONS: Partial<Record<ChangeKind, string>> = {
  'whitelist-entry':
    'AWS managed databases and caches are reached through security groups, not IP whitelists: plan an sg-rule on the service security group instead',
  'bgp-peer': 'BGP peers are configured on the cluster (BGPPeer resources), not through an AWS API: podreach emits them as artifacts',
};

function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x && y ? x.cidr === y.cidr : a.trim() === b.trim();
}

function covers(outer: string, inner: string): boolean {
  return parseCidr(outer) !== undefined && parseCidr(inner) !== undefined && cidrContains(outer, inner);
}

function isIpv6(cidr: string): boolean {
  return cidr.includes(':');
}

function need(value: string | undefined, field: string, kind: ChangeKind): string {
  if (!value) throw new InvalidInputError(field, `a ${kind} entry needs ${field}`);
  return value;
}

function hopTypeOf(id: string): NextHopType | undefined {
  if (id.startsWith('tgw-')) return 'transit-router'; // tgw-... and tgw-attach-...
  if (id.startsWith('pcx-')) return 'peering';
  if (id.startsWith('vgw-')) return 'vpn-gateway';
  if (id === 'local') return 'vpc';
  if (id.startsWith('eni-') || id.startsWith('i-')) return 'node';
  return undefined;
}

function routeNextHop(route: Route): string | undefined {
  return (
    route.GatewayId ??
    route.TransitGatewayId ??
    route.VpcPeeringConnectionId ??
    route.NatGatewayId ??
    route.NetworkInterfaceId ??
    route.InstanceId ??
    route.LocalGatewayId ??
    route.CarrierGatewayId ??
    route.EgressOnlyInternetGatewayId ??
    route.CoreNetworkArn
  );
}

/** CreateRoute / ReplaceRoute take the next hop in a field named after its type. */
function routeTargetParams(nextHop: string, nextHopType: NextHopType | undefined): Partial<CreateRouteCommandInput> {
  if (nextHop.startsWith('tgw-') || (nextHopType === 'transit-router' && !nextHop.startsWith('vgw-'))) return { TransitGatewayId: nextHop };
  if (nextHop.startsWith('pcx-') || nextHopType === 'peering') return { VpcPeeringConnectionId: nextHop };
  if (nextHop.startsWith('nat-')) return { NatGatewayId: nextHop };
  if (nextHop.startsWith('eni-')) return { NetworkInterfaceId: nextHop };
  if (nextHop.startsWith('i-')) return { InstanceId: nextHop };
  return { GatewayId: nextHop };
}

function destinationParams(cidr: string): { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string } {
  return isIpv6(cidr) ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr };
}

export class AwsProvider implements NetworkProvider {
  readonly name = 'aws' as const;
  private readonly ec2: EC2Client;
  private readonly directConnect: DirectConnectClient;

  constructor(options: AwsProviderOptions = {}) {
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
    const config = {
      ...(options.region ? { region: options.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: options.maxAttempts ?? 8,
      retryMode: 'adaptive',
    };
    this.ec2 = options.ec2 ?? new EC2Client(config);
    this.directConnect = options.directConnect ?? new DirectConnectClient(config);
  }

  supports(kind: ChangeKind): boolean {
    return SUPPORTED.has(kind);
  }

  quotas(): ProviderQuotas {
    return {
      routesPerTable: 50,
      rulesPerSecurityGroup: 60,
      prefixesPerDxGateway: TGW_ASSOCIATION_PREFIX_LIMIT,
      selectorsPerConnection: 1,
      whitelistEntries: 0,
    };
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    switch (kind) {
      case 'route':
        return this.listRoutes(target);
      case 'transit-route':
      case 'cloud-connect-route':
        return (await this.listTransitRoutes(target)).map((entry) => ({ ...entry, kind }));
      case 'sg-rule':
        return this.listRules(target);
      case 'vpn-route':
        return this.listVpnRoutes(target);
      case 'vpn-selector':
        return this.listSelectors(target);
      case 'dx-prefix':
        return this.listDxPrefixes(target);
      case 'subnet-association':
        return this.listSubnetAssociations(target);
      default:
        throw this.unsupported(kind);
    }
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    switch (entry.kind) {
      case 'route':
        return this.createRoute(entry);
      case 'transit-route':
        return this.createTransitRoute(entry, entry.kind);
      case 'cloud-connect-route':
        return this.createCloudConnectRoute(entry);
      case 'sg-rule':
        return this.createRule(entry, context);
      case 'vpn-route':
        return this.createVpnRoute(entry);
      case 'vpn-selector':
        return this.createSelector(entry);
      case 'dx-prefix':
        return this.createDxPrefix(entry);
      case 'subnet-association':
        return this.createSubnetAssociation(entry);
      default:
        throw this.unsupported(entry.kind);
    }
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    switch (entry.kind) {
      case 'route':
        return this.replaceRoute(entry);
      case 'transit-route':
        return this.replaceTransitRoute(entry, entry.kind);
      case 'cloud-connect-route':
        if (entry.enabled === false) throw this.disabledCloudConnect();
        return this.replaceTransitRoute(await this.resolveAttachmentHop(entry), entry.kind);
      case 'sg-rule':
      case 'vpn-route':
      case 'vpn-selector':
      case 'dx-prefix':
        // These entries have no value beyond their identity: updating one is making sure it exists.
        return this.createEntry(entry, context);
      case 'subnet-association':
        throw new UnsupportedChangeError(
          `subnet ${entry.target}: podreach never re-associates a subnet with another route table (AssociateRouteTable would silently replace the binding); change it by hand if intended`,
        );
      default:
        throw this.unsupported(entry.kind);
    }
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    switch (entry.kind) {
      case 'route':
        return this.deleteRoute(entry);
      case 'transit-route':
        return this.deleteTransitRoute(entry);
      case 'cloud-connect-route':
        return this.deleteTransitRoute(await this.resolveAttachmentHop(entry));
      case 'sg-rule':
        return this.deleteRule(entry, context);
      case 'vpn-route':
        return this.deleteVpnRoute(entry);
      case 'vpn-selector':
        return this.deleteSelector(entry);
      case 'dx-prefix':
        return this.deleteDxPrefix(entry);
      case 'subnet-association':
        return this.deleteSubnetAssociation(entry);
      default:
        throw this.unsupported(entry.kind);
    }
  }

  private unsupported(kind: ChangeKind): UnsupportedChangeError {
    return new UnsupportedChangeError(UNSUPPORTED_REASONS[kind] ?? `the aws provider cannot apply ${kind} entries`);
  }

  private async send<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw translateAwsError(error, action);
    }
  }

  /** Like send, but the listed codes mean "already so" here (gone, present): undefined instead of an error. */
  private async sendUnless<T>(action: string, codes: readonly string[], call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (hasAwsCode(error, ...codes)) return undefined;
      throw translateAwsError(error, action);
    }
  }

  // ---- VPC routes -------------------------------------------------------------------------------

  private async readRouteTable(routeTableId: string) {
    const output = await this.sendUnless('DescribeRouteTables', ['InvalidRouteTableID.NotFound'], () =>
      this.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] })),
    );
    return output?.RouteTables?.[0];
  }

  private routeEntry(routeTableId: string, route: Route): ProviderEntry | undefined {
    const cidr = route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock;
    if (!cidr) return undefined; // prefix-list destinations are not podreach's
    const nextHop = routeNextHop(route);
    const nextHopType = nextHop ? hopTypeOf(nextHop) : undefined;
    const foreignOrigin = route.Origin === 'CreateRouteTable' || route.Origin === 'EnableVgwRoutePropagation';
    return {
      kind: 'route',
      target: routeTableId,
      cidr,
      ...(nextHop ? { nextHop } : {}),
      ...(nextHopType ? { nextHopType } : {}),
      ...(foreignOrigin ? { owner: 'foreign' as const } : {}),
      ...(route.State === 'blackhole' ? { description: 'blackhole' } : {}),
    };
  }

  private async listRoutes(routeTableId: string): Promise<ProviderEntry[]> {
    const table = await this.readRouteTable(routeTableId);
    return (table?.Routes ?? []).flatMap((route) => this.routeEntry(routeTableId, route) ?? []);
  }

  private async findRoute(routeTableId: string, cidr: string): Promise<ProviderEntry | undefined> {
    return (await this.listRoutes(routeTableId)).find((entry) => sameCidr(entry.cidr, cidr));
  }

  private routeConflict(entry: NetworkEntry, existing: ProviderEntry): EntryConflictError {
    return new EntryConflictError(
      `route table ${entry.target} already routes ${entry.cidr} to ${existing.nextHop ?? 'another target'}, not ${entry.nextHop}: podreach never overwrites a route it did not create`,
      'RouteAlreadyExists',
    );
  }

  private async createRoute(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const nextHop = need(entry.nextHop, 'nextHop', entry.kind);
    const existing = await this.findRoute(entry.target, cidr);
    if (existing) {
      if (existing.nextHop === nextHop) return existing;
      throw this.routeConflict(entry, existing);
    }
    try {
      await this.ec2.send(
        new CreateRouteCommand({ RouteTableId: entry.target, ...destinationParams(cidr), ...routeTargetParams(nextHop, entry.nextHopType) }),
      );
    } catch (error) {
      if (!hasAwsCode(error, 'RouteAlreadyExists')) throw translateAwsError(error, 'CreateRoute');
      // Someone created it between our read and our write: decide on what is there now.
      const raced = await this.findRoute(entry.target, cidr);
      if (raced?.nextHop === nextHop) return raced;
      if (raced) throw this.routeConflict(entry, raced);
      throw translateAwsError(error, 'CreateRoute');
    }
    return this.verifyRoute(entry, cidr, nextHop);
  }

  private async verifyRoute(entry: NetworkEntry, cidr: string, nextHop: string): Promise<ProviderEntry> {
    const created = await this.findRoute(entry.target, cidr);
    if (created?.nextHop !== nextHop) {
      throw new VerificationError(`route ${cidr} -> ${nextHop} is not in ${entry.target} after writing it (found ${created?.nextHop ?? 'nothing'})`);
    }
    return created;
  }

  private async replaceRoute(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const nextHop = need(entry.nextHop, 'nextHop', entry.kind);
    const existing = await this.findRoute(entry.target, cidr);
    if (!existing) return this.createRoute(entry);
    if (existing.nextHop === nextHop) return existing;
    await this.send('ReplaceRoute', () =>
      this.ec2.send(new ReplaceRouteCommand({ RouteTableId: entry.target, ...destinationParams(cidr), ...routeTargetParams(nextHop, entry.nextHopType) })),
    );
    return this.verifyRoute(entry, cidr, nextHop);
  }

  private async deleteRoute(entry: NetworkEntry): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const existing = await this.findRoute(entry.target, cidr);
    // Gone, or now pointing elsewhere (someone else's route with the same destination): nothing of ours to remove.
    // EC2 has no conditional delete, so a replace between this read and the delete cannot be excluded.
    if (!existing || (entry.nextHop !== undefined && existing.nextHop !== entry.nextHop)) return;
    await this.sendUnless('DeleteRoute', ['InvalidRoute.NotFound', 'InvalidRouteTableID.NotFound'], () =>
      this.ec2.send(new DeleteRouteCommand({ RouteTableId: entry.target, ...destinationParams(cidr) })),
    );
  }

  // ---- transit gateway routes (transit-route, cloud-connect-route) ----------------------------------

  private transitEntry(routeTableId: string, route: TransitGatewayRoute): ProviderEntry | undefined {
    const cidr = route.DestinationCidrBlock;
    if (!cidr || route.State === 'deleted' || route.State === 'deleting') return undefined;
    const nextHop = route.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId;
    return {
      kind: 'transit-route',
      target: routeTableId,
      cidr,
      ...(nextHop ? { nextHop, nextHopType: 'transit-router' as const } : {}),
      ...(route.Type === 'propagated' ? { owner: 'foreign' as const } : {}),
      description: `${route.Type ?? 'static'}${route.State === 'blackhole' ? ' blackhole' : ''}`,
    };
  }

  private async listTransitRoutes(routeTableId: string, extraFilters: { Name: string; Values: string[] }[] = []): Promise<ProviderEntry[]> {
    const output = await this.sendUnless('SearchTransitGatewayRoutes', ['InvalidRouteTableID.NotFound', 'InvalidTransitGatewayRouteTableID.NotFound'], () =>
      // MaxResults is left out on purpose: moto 5.2 fails on it (slices a dict).
      this.ec2.send(
        new SearchTransitGatewayRoutesCommand({
          TransitGatewayRouteTableId: routeTableId,
          Filters: [{ Name: 'type', Values: ['static', 'propagated'] }, ...extraFilters],
        }),
      ),
    );
    return (output?.Routes ?? []).flatMap((route) => this.transitEntry(routeTableId, route) ?? []);
  }

  private async findTransitRoute(routeTableId: string, cidr: string): Promise<ProviderEntry | undefined> {
    const found = await this.listTransitRoutes(routeTableId, [{ Name: 'route-search.exact-match', Values: [cidr] }]);
    return found.find((entry) => sameCidr(entry.cidr, cidr));
  }

  private transitConflict(entry: NetworkEntry, existing: ProviderEntry): EntryConflictError {
    return new EntryConflictError(
      `transit gateway route table ${entry.target} already has a ${existing.description ?? ''} route for ${entry.cidr} to ${existing.nextHop ?? 'no attachment'}, not ${entry.nextHop}: podreach never overrides it`,
      'RouteAlreadyExists',
    );
  }

  private isOwnStatic(existing: ProviderEntry, nextHop: string): boolean {
    return existing.owner !== 'foreign' && existing.nextHop === nextHop;
  }

  private async createTransitRoute(entry: NetworkEntry, kind: 'transit-route' | 'cloud-connect-route'): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const nextHop = need(entry.nextHop, 'nextHop', entry.kind);
    // moto (and a racing writer) accept a duplicate silently and overwrite it: always read first.
    const existing = await this.findTransitRoute(entry.target, cidr);
    if (existing) {
      if (this.isOwnStatic(existing, nextHop)) return { ...existing, kind };
      throw this.transitConflict(entry, existing);
    }
    try {
      await this.ec2.send(
        new CreateTransitGatewayRouteCommand({ TransitGatewayRouteTableId: entry.target, DestinationCidrBlock: cidr, TransitGatewayAttachmentId: nextHop }),
      );
    } catch (error) {
      if (!hasAwsCode(error, 'RouteAlreadyExists')) throw translateAwsError(error, 'CreateTransitGatewayRoute');
      const raced = await this.findTransitRoute(entry.target, cidr);
      if (raced && this.isOwnStatic(raced, nextHop)) return { ...raced, kind };
      if (raced) throw this.transitConflict(entry, raced);
      throw translateAwsError(error, 'CreateTransitGatewayRoute');
    }
    return { ...(await this.verifyTransitRoute(entry, cidr, nextHop)), kind };
  }

  private async verifyTransitRoute(entry: NetworkEntry, cidr: string, nextHop: string): Promise<ProviderEntry> {
    const created = await this.findTransitRoute(entry.target, cidr);
    if (created?.nextHop !== nextHop) {
      throw new VerificationError(`transit route ${cidr} -> ${nextHop} is not in ${entry.target} after writing it (found ${created?.nextHop ?? 'nothing'})`);
    }
    return created;
  }

  private async replaceTransitRoute(entry: NetworkEntry, kind: 'transit-route' | 'cloud-connect-route'): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const nextHop = need(entry.nextHop, 'nextHop', entry.kind);
    const existing = await this.findTransitRoute(entry.target, cidr);
    if (!existing) return this.createTransitRoute(entry, kind);
    if (existing.nextHop === nextHop) return { ...existing, kind };
    if (existing.owner === 'foreign') throw this.transitConflict(entry, existing);
    await this.send('ReplaceTransitGatewayRoute', () =>
      this.ec2.send(new ReplaceTransitGatewayRouteCommand({ TransitGatewayRouteTableId: entry.target, DestinationCidrBlock: cidr, TransitGatewayAttachmentId: nextHop })),
    );
    return { ...(await this.verifyTransitRoute(entry, cidr, nextHop)), kind };
  }

  private async deleteTransitRoute(entry: NetworkEntry): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const existing = await this.findTransitRoute(entry.target, cidr);
    // moto fails with a 500 on deleting a missing TGW route, and a propagated or foreign static route is not ours.
    if (!existing || existing.owner === 'foreign' || (entry.nextHop !== undefined && existing.nextHop !== entry.nextHop)) return;
    await this.sendUnless('DeleteTransitGatewayRoute', ['InvalidRoute.NotFound', 'InvalidRouteTableID.NotFound'], () =>
      this.ec2.send(new DeleteTransitGatewayRouteCommand({ TransitGatewayRouteTableId: entry.target, DestinationCidrBlock: cidr })),
    );
  }

  private disabledCloudConnect(): UnsupportedChangeError {
    return new UnsupportedChangeError(
      'transit gateway routes have no disabled state: a cloud-connect route that must stay disabled (it overlaps an existing route) cannot be registered on AWS; resolve the overlap first',
    );
  }

  /** Cloud-connect on AWS is a transit gateway: target = TGW route table, nextHop = attachment (or the VPC it attaches). */
  private async resolveAttachmentHop(entry: NetworkEntry): Promise<NetworkEntry> {
    if (!entry.target.startsWith('tgw-rtb-')) {
      throw new UnsupportedChangeError(
        `cloud-connect on AWS means a transit gateway route table (tgw-rtb-...); ${entry.target} is not one, so the route cannot be registered`,
      );
    }
    const hop = entry.nextHop;
    if (!hop || !hop.startsWith('vpc-')) return entry;
    const tables = await this.send('DescribeTransitGatewayRouteTables', () =>
      this.ec2.send(new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: [entry.target] })),
    );
    const transitGatewayId = tables.TransitGatewayRouteTables?.[0]?.TransitGatewayId;
    if (!transitGatewayId) throw new ResourceNotFoundError(`transit gateway route table ${entry.target} not found`);
    const attachments = await this.send('DescribeTransitGatewayAttachments', () =>
      this.ec2.send(
        new DescribeTransitGatewayAttachmentsCommand({
          Filters: [
            { Name: 'resource-id', Values: [hop] },
            { Name: 'transit-gateway-id', Values: [transitGatewayId] },
          ],
        }),
      ),
    );
    const attachment = (attachments.TransitGatewayAttachments ?? []).find((a) => a.State !== 'deleted' && a.State !== 'deleting');
    if (!attachment?.TransitGatewayAttachmentId) {
      throw new ResourceNotFoundError(`${hop} is not attached to transit gateway ${transitGatewayId}`);
    }
    return { ...entry, nextHop: attachment.TransitGatewayAttachmentId, nextHopType: 'transit-router' };
  }

  private async createCloudConnectRoute(entry: NetworkEntry): Promise<ProviderEntry> {
    if (entry.enabled === false) throw this.disabledCloudConnect();
    const resolved = await this.resolveAttachmentHop(entry);
    return { ...(await this.createTransitRoute(resolved, 'cloud-connect-route')), enabled: true };
  }

  // ---- security-group ingress ------------------------------------------------------------------

  private async readGroup(groupId: string): Promise<SecurityGroup | undefined> {
    const output = await this.sendUnless('DescribeSecurityGroups', ['InvalidGroup.NotFound'], () =>
      this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
    );
    return output?.SecurityGroups?.[0];
  }

  private ruleEntries(groupId: string, permission: IpPermission): ProviderEntry[] {
    const port = formatSgPort(permission);
    const ranges = [
      ...(permission.IpRanges ?? []).map((range) => ({ cidr: range.CidrIp, description: range.Description })),
      ...(permission.Ipv6Ranges ?? []).map((range) => ({ cidr: range.CidrIpv6, description: range.Description })),
    ];
    return ranges.flatMap(({ cidr, description }) =>
      cidr
        ? [
            {
              kind: 'sg-rule' as const,
              target: groupId,
              cidr,
              port,
              owner: description?.startsWith(RULE_DESCRIPTION_PREFIX) ? ('podreach' as const) : ('foreign' as const),
              ...(description ? { description } : {}),
            },
          ]
        : [],
    );
  }

  private async listRules(groupId: string): Promise<ProviderEntry[]> {
    const group = await this.readGroup(groupId);
    return (group?.IpPermissions ?? []).flatMap((permission) => this.ruleEntries(groupId, permission));
  }

  private async findRule(entry: NetworkEntry, cidr: string): Promise<ProviderEntry | undefined> {
    const port = formatSgPort(parseSgPort(entry.port));
    return (await this.listRules(entry.target)).find((rule) => rule.port === port && sameCidr(rule.cidr, cidr));
  }

  private permission(entry: NetworkEntry, cidr: string, description?: string): IpPermission {
    const ports = parseSgPort(entry.port);
    const range = description ? { Description: description } : {};
    return isIpv6(cidr) ? { ...ports, Ipv6Ranges: [{ CidrIpv6: cidr, ...range }] } : { ...ports, IpRanges: [{ CidrIp: cidr, ...range }] };
  }

  private async createRule(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const existing = await this.findRule(entry, cidr);
    if (existing) return existing;
    await this.sendUnless('AuthorizeSecurityGroupIngress', ['InvalidPermission.Duplicate'], () =>
      this.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: entry.target,
          IpPermissions: [this.permission(entry, cidr, `${RULE_DESCRIPTION_PREFIX}${context.clusterId}`)],
        }),
      ),
    );
    const created = await this.findRule(entry, cidr);
    if (!created) throw new VerificationError(`ingress ${entry.port ?? 'all'} from ${cidr} is not in ${entry.target} after authorizing it`);
    return created;
  }

  private async deleteRule(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const existing = await this.findRule(entry, cidr);
    // EC2 keys a rule by protocol, ports and source only; the description says whose it is. Only this cluster's goes.
    if (!existing || existing.description !== `${RULE_DESCRIPTION_PREFIX}${context.clusterId}`) return;
    await this.sendUnless('RevokeSecurityGroupIngress', ['InvalidPermission.NotFound', 'InvalidGroup.NotFound'], () =>
      this.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: entry.target, IpPermissions: [this.permission(entry, cidr)] })),
    );
  }

  // ---- VPN connections: static routes and the selector pair -------------------------------------

  private async readVpnConnections(target: string): Promise<VpnConnection[]> {
    const output = await this.sendUnless('DescribeVpnConnections', ['InvalidVpnConnectionID.NotFound'], () =>
      this.ec2.send(
        target.startsWith('vgw-')
          ? new DescribeVpnConnectionsCommand({ Filters: [{ Name: 'vpn-gateway-id', Values: [target] }] })
          : new DescribeVpnConnectionsCommand({ VpnConnectionIds: [target] }),
      ),
    );
    return (output?.VpnConnections ?? []).filter((connection) => connection.State !== 'deleted' && connection.State !== 'deleting');
  }

  private async readVpnConnection(connectionId: string): Promise<VpnConnection> {
    const connection = (await this.readVpnConnections(connectionId))[0];
    if (!connection) throw new ResourceNotFoundError(`VPN connection ${connectionId} not found`, 'InvalidVpnConnectionID.NotFound');
    return connection;
  }

  /** target is the VPN connection (vpn-...), or its VPN gateway (vgw-...) with the connection as nextHop. */
  private vpnConnectionId(entry: NetworkEntry): string {
    if (entry.target.startsWith('vgw-')) return need(entry.nextHop, 'nextHop', entry.kind);
    return entry.target;
  }

  private async listVpnRoutes(target: string): Promise<ProviderEntry[]> {
    const connections = await this.readVpnConnections(target);
    return connections.flatMap((connection) =>
      (connection.Routes ?? []).flatMap((route) =>
        route.DestinationCidrBlock && route.State !== 'deleted' && route.State !== 'deleting'
          ? [
              {
                kind: 'vpn-route' as const,
                target,
                cidr: route.DestinationCidrBlock,
                ...(connection.VpnConnectionId ? { nextHop: connection.VpnConnectionId } : {}),
                ...(route.Source ? { description: route.Source } : {}),
              },
            ]
          : [],
      ),
    );
  }

  private async findVpnRoute(entry: NetworkEntry, cidr: string, connectionId: string): Promise<ProviderEntry | undefined> {
    return (await this.listVpnRoutes(entry.target)).find((route) => route.nextHop === connectionId && sameCidr(route.cidr, cidr));
  }

  private async createVpnRoute(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const connectionId = this.vpnConnectionId(entry);
    const existing = await this.findVpnRoute(entry, cidr, connectionId);
    if (existing) return existing;
    try {
      await this.ec2.send(new CreateVpnConnectionRouteCommand({ VpnConnectionId: connectionId, DestinationCidrBlock: cidr }));
    } catch (error) {
      if (!hasAwsCode(error, 'RouteAlreadyExists', 'InvalidParameterValue')) throw translateAwsError(error, 'CreateVpnConnectionRoute');
      const raced = await this.findVpnRoute(entry, cidr, connectionId);
      if (raced) return raced;
      throw translateAwsError(error, 'CreateVpnConnectionRoute');
    }
    const created = await this.findVpnRoute(entry, cidr, connectionId);
    if (!created) throw new VerificationError(`VPN route ${cidr} is not on ${connectionId} after creating it`);
    return created;
  }

  private async deleteVpnRoute(entry: NetworkEntry): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const connectionId = this.vpnConnectionId(entry);
    const existing = await this.findVpnRoute(entry, cidr, connectionId);
    if (!existing) return;
    await this.sendUnless('DeleteVpnConnectionRoute', ['InvalidRoute.NotFound', 'InvalidVpnConnectionID.NotFound'], () =>
      this.ec2.send(new DeleteVpnConnectionRouteCommand({ VpnConnectionId: connectionId, DestinationCidrBlock: cidr })),
    );
  }

  /** AWS side (RemoteIpv4NetworkCidr) is the entry's cidr; the customer side (LocalIpv4NetworkCidr) its peerCidr. */
  private selectorOf(connectionId: string, connection: VpnConnection): ProviderEntry {
    return {
      kind: 'vpn-selector',
      target: connectionId,
      cidr: connection.Options?.RemoteIpv4NetworkCidr ?? ROUTE_BASED_SELECTOR,
      peerCidr: connection.Options?.LocalIpv4NetworkCidr ?? ROUTE_BASED_SELECTOR,
    };
  }

  private async listSelectors(connectionId: string): Promise<ProviderEntry[]> {
    const connection = (await this.readVpnConnections(connectionId))[0];
    return connection ? [this.selectorOf(connectionId, connection)] : [];
  }

  private async createSelector(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const current = this.selectorOf(entry.target, await this.readVpnConnection(entry.target));
    const awsSide = current.cidr ?? ROUTE_BASED_SELECTOR;
    const customerSide = current.peerCidr ?? ROUTE_BASED_SELECTOR;
    const awsCovered = covers(awsSide, cidr);
    const customerCovered = entry.peerCidr === undefined || covers(customerSide, entry.peerCidr);
    if (awsCovered && customerCovered) return { ...current, description: `covered by ${awsSide} <-> ${customerSide}` };
    // Widening to a CIDR that contains the current one keeps every flow the connection carries today; the domain
    // plans such a covering CIDR only when it adds nothing outside the VPC and container CIDRs.
    const awsWidens = awsCovered || covers(cidr, awsSide);
    const customerWidens = customerCovered || (entry.peerCidr !== undefined && covers(entry.peerCidr, customerSide));
    if (!awsWidens || !customerWidens) {
      throw new UnsupportedChangeError(
        `VPN connection ${entry.target} carries one CIDR per side (AWS side ${awsSide}, customer side ${customerSide}); ` +
          `${cidr}${entry.peerCidr ? ` <-> ${entry.peerCidr}` : ''} is not inside them and does not cover them. ` +
          'Use a covering CIDR that adds nothing outside the VPC and container CIDRs, or switch the connection to route-based selectors (0.0.0.0/0 both sides) with VPN routes',
        'SingleCidrSelector',
      );
    }
    const remote = awsCovered ? awsSide : cidr;
    const local = customerCovered ? customerSide : (entry.peerCidr ?? customerSide);
    await this.send('ModifyVpnConnectionOptions', () =>
      this.ec2.send(new ModifyVpnConnectionOptionsCommand({ VpnConnectionId: entry.target, RemoteIpv4NetworkCidr: remote, LocalIpv4NetworkCidr: local })),
    );
    const after = this.selectorOf(entry.target, await this.readVpnConnection(entry.target));
    if (!sameCidr(after.cidr, remote) || !sameCidr(after.peerCidr, local)) {
      throw new VerificationError(`VPN connection ${entry.target} selectors are ${after.cidr} <-> ${after.peerCidr} after setting ${remote} <-> ${local}`);
    }
    return after;
  }

  private async deleteSelector(entry: NetworkEntry): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const connection = (await this.readVpnConnections(entry.target))[0];
    if (!connection) return;
    const current = this.selectorOf(entry.target, connection);
    const exact = sameCidr(current.cidr, cidr) && (entry.peerCidr === undefined || sameCidr(current.peerCidr, entry.peerCidr));
    // Only covered by a wider selector: that selector existed for other traffic too, and stays.
    if (!exact) return;
    throw new UnsupportedChangeError(
      `VPN connection ${entry.target} selector ${current.cidr} <-> ${current.peerCidr} is its only one; narrowing it back could cut traffic that now depends on it. Reset it by hand (ModifyVpnConnectionOptions) when nothing uses it`,
      'SingleCidrSelector',
    );
  }

  // ---- Direct Connect gateway allowed prefixes --------------------------------------------------

  private async readDxAssociations(gatewayId: string): Promise<DirectConnectGatewayAssociation[]> {
    const associations: DirectConnectGatewayAssociation[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      let output;
      try {
        output = await this.directConnect.send(
          new DescribeDirectConnectGatewayAssociationsCommand({ directConnectGatewayId: gatewayId, ...(token ? { nextToken: token } : {}) }),
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : '';
        if (awsErrorCode(error) === 'DirectConnectClientException' && /not (exist|found)/i.test(message)) return [];
        throw translateAwsError(error, 'DescribeDirectConnectGatewayAssociations');
      }
      associations.push(...(output.directConnectGatewayAssociations ?? []));
      nextToken = output.nextToken;
    } while (nextToken);
    return associations.filter((a) => a.associationState !== 'disassociated' && a.associationState !== 'disassociating');
  }

  private dxPrefixEntry(gatewayId: string, association: DirectConnectGatewayAssociation, cidr: string): ProviderEntry {
    return {
      kind: 'dx-prefix',
      target: gatewayId,
      cidr,
      ...(association.associatedGateway?.id ? { nextHop: association.associatedGateway.id } : {}),
      nextHopType: association.associatedGateway?.type === 'transitGateway' ? 'transit-router' : 'vpn-gateway',
      ...(association.associationId ? { resourceId: association.associationId } : {}),
    };
  }

  private async listDxPrefixes(gatewayId: string): Promise<ProviderEntry[]> {
    return (await this.readDxAssociations(gatewayId)).flatMap((association) =>
      (association.allowedPrefixesToDirectConnectGateway ?? []).flatMap((prefix) => (prefix.cidr ? [this.dxPrefixEntry(gatewayId, association, prefix.cidr)] : [])),
    );
  }

  /** The association the prefix belongs to: the one named by nextHop, else the only (transit gateway) one. */
  private pickAssociation(entry: NetworkEntry, associations: DirectConnectGatewayAssociation[]): DirectConnectGatewayAssociation | undefined {
    if (entry.nextHop) return associations.find((a) => a.associatedGateway?.id === entry.nextHop);
    if (associations.length <= 1) return associations[0];
    const transit = associations.filter((a) => a.associatedGateway?.type === 'transitGateway');
    if (transit.length === 1) return transit[0];
    throw new InvalidInputError('nextHop', `Direct Connect gateway ${entry.target} has ${associations.length} associations: name the associated gateway in nextHop`);
  }

  private async createDxPrefix(entry: NetworkEntry): Promise<ProviderEntry> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const association = this.pickAssociation(entry, await this.readDxAssociations(entry.target));
    if (!association?.associationId) {
      throw new ResourceNotFoundError(`Direct Connect gateway ${entry.target} has no association${entry.nextHop ? ` with ${entry.nextHop}` : ''}`);
    }
    const prefixes = (association.allowedPrefixesToDirectConnectGateway ?? []).flatMap((p) => (p.cidr ? [p.cidr] : []));
    if (prefixes.some((p) => sameCidr(p, cidr))) return this.dxPrefixEntry(entry.target, association, cidr);
    if (association.associatedGateway?.type === 'virtualPrivateGateway') {
      throw new UnsupportedChangeError(
        `Direct Connect gateway ${entry.target} is associated with virtual private gateway ${association.associatedGateway.id ?? ''}, which advertises VPC CIDRs only: ` +
          `add ${cidr} to the VPC as a secondary CIDR (it is then advertised), or associate a transit gateway instead`,
      );
    }
    if (association.associationState === 'associating' || association.associationState === 'updating') {
      throw new TransientProviderError(`Direct Connect gateway association ${association.associationId} is ${association.associationState}`);
    }
    if (prefixes.length >= TGW_ASSOCIATION_PREFIX_LIMIT) {
      throw new QuotaExceededError(
        `transit gateway association ${association.associationId} already advertises ${prefixes.length} prefixes (AWS allows ${TGW_ASSOCIATION_PREFIX_LIMIT}): summarise the container CIDRs into fewer prefixes`,
        'AllowedPrefixesLimit',
      );
    }
    const output = await this.send('UpdateDirectConnectGatewayAssociation', () =>
      this.directConnect.send(
        new UpdateDirectConnectGatewayAssociationCommand({ associationId: association.associationId, addAllowedPrefixesToDirectConnectGateway: [{ cidr }] }),
      ),
    );
    const updated = output.directConnectGatewayAssociation;
    if (!updated?.allowedPrefixesToDirectConnectGateway?.some((p) => p.cidr !== undefined && sameCidr(p.cidr, cidr))) {
      throw new VerificationError(`Direct Connect gateway association ${association.associationId} does not list ${cidr} after adding it`);
    }
    return this.dxPrefixEntry(entry.target, updated, cidr);
  }

  private async deleteDxPrefix(entry: NetworkEntry): Promise<void> {
    const cidr = need(entry.cidr, 'cidr', entry.kind);
    const association = this.pickAssociation(entry, await this.readDxAssociations(entry.target));
    const present = association?.allowedPrefixesToDirectConnectGateway?.some((p) => p.cidr !== undefined && sameCidr(p.cidr, cidr));
    if (!association?.associationId || !present) return;
    if (association.associatedGateway?.type === 'virtualPrivateGateway') {
      throw new UnsupportedChangeError(
        `Direct Connect gateway ${entry.target}: prefixes of a virtual private gateway association are the VPC's own CIDRs; podreach never removes them`,
      );
    }
    await this.send('UpdateDirectConnectGatewayAssociation', () =>
      this.directConnect.send(
        new UpdateDirectConnectGatewayAssociationCommand({ associationId: association.associationId, removeAllowedPrefixesToDirectConnectGateway: [{ cidr }] }),
      ),
    );
  }

  // ---- subnet <-> route table associations -------------------------------------------------------

  private async listSubnetAssociations(subnetId: string): Promise<ProviderEntry[]> {
    const output = await this.send('DescribeRouteTables', () =>
      this.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] })),
    );
    return (output.RouteTables ?? []).flatMap((table) =>
      (table.Associations ?? [])
        .filter((a) => a.SubnetId === subnetId && a.AssociationState?.State !== 'disassociated')
        .map((a) => ({
          kind: 'subnet-association' as const,
          target: subnetId,
          ...(table.RouteTableId ? { nextHop: table.RouteTableId, nextHopType: 'route-table' as const } : {}),
          ...(a.RouteTableAssociationId ? { resourceId: a.RouteTableAssociationId } : {}),
        })),
    );
  }

  private associationConflict(entry: NetworkEntry, current: ProviderEntry): EntryConflictError {
    return new EntryConflictError(
      `subnet ${entry.target} is explicitly associated with ${current.nextHop ?? 'another route table'}, not ${entry.nextHop}: podreach never re-associates a subnet`,
      'Resource.AlreadyAssociated',
    );
  }

  private async createSubnetAssociation(entry: NetworkEntry): Promise<ProviderEntry> {
    const routeTableId = need(entry.nextHop, 'nextHop', entry.kind);
    const current = (await this.listSubnetAssociations(entry.target))[0];
    if (current) {
      if (current.nextHop === routeTableId) return { ...current, ...(entry.cidr ? { cidr: entry.cidr } : {}) };
      throw this.associationConflict(entry, current);
    }
    await this.sendUnless('AssociateRouteTable', ['Resource.AlreadyAssociated'], () =>
      this.ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: entry.target })),
    );
    const after = (await this.listSubnetAssociations(entry.target))[0];
    if (!after) throw new VerificationError(`subnet ${entry.target} has no route table association after associating it with ${routeTableId}`);
    if (after.nextHop !== routeTableId) throw this.associationConflict(entry, after);
    return { ...after, ...(entry.cidr ? { cidr: entry.cidr } : {}) };
  }

  private async deleteSubnetAssociation(entry: NetworkEntry): Promise<void> {
    const current = (await this.listSubnetAssociations(entry.target))[0];
    // Associated elsewhere (not by podreach) or not at all: nothing of ours to undo.
    if (!current?.resourceId || (entry.nextHop !== undefined && current.nextHop !== entry.nextHop)) return;
    const associationId = current.resourceId;
    await this.sendUnless('DisassociateRouteTable', ['InvalidAssociationID.NotFound'], () =>
      this.ec2.send(new DisassociateRouteTableCommand({ AssociationId: associationId })),
    );
  }
}
