// The AWS NetworkProvider: VPC routes, transit gateway routes, VPN static routes and selectors, Direct Connect
// gateway allowed prefixes, security-group ingress and subnet associations, on @aws-sdk/client-ec2 and
// @aws-sdk/client-direct-connect. Only AWS's calls live here: the kit (../kit) decides around them.
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
  DescribeNetworkInterfacesCommand,
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
  type VpnConnection,
} from '@aws-sdk/client-ec2';
import {
  DescribeDirectConnectGatewayAssociationsCommand,
  DirectConnectClient,
  UpdateDirectConnectGatewayAssociationCommand,
  type DirectConnectGatewayAssociation,
} from '@aws-sdk/client-direct-connect';
import { cidrContains, isCidr } from '../../domain/cidr.js';
import { InvalidInputError, QuotaExceededError, ResourceNotFoundError, TransientProviderError, UnsupportedChangeError } from '../../domain/errors.js';
import type { NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import { ownerOfDescription, ownershipMark, parseOwnershipMark } from '../../domain/ownership-mark.js';
import { KitProvider, need, type KindOperations } from '../kit/provider.js';
import type { AddressHolder } from '../../ports/network-provider.js';
import { parsePort, portText } from '../kit/port.js';
import { traceAwsClient } from '../tracing.js';
import { awsErrors } from './aws-errors.js';
import type { AwsCredentials } from './aws-credentials.js';
import { AWS_QUOTAS, AWS_UNSUPPORTED, TGW_ASSOCIATION_PREFIX_LIMIT, type AwsKind } from './kinds.js';

export interface AwsProviderOptions {
  region?: string;
  /** LocalStack / moto; defaults to AWS_ENDPOINT_URL when set. */
  endpoint?: string;
  /** Keys, or a provider of them (another account's assumed role: aws-credentials.ts). Default: the SDK's chain. */
  credentials?: AwsCredentials;
  /** SDK attempts per call (adaptive retry mode, which also paces calls after throttling). */
  maxAttempts?: number;
  ec2?: EC2Client;
  directConnect?: DirectConnectClient;
}

const ROUTE_BASED_SELECTOR = '0.0.0.0/0';
/** EC2 caps a rule description at 255 characters. */
const RULE_DESCRIPTION_LENGTH = 255;

/**
 * CreateRoute / ReplaceRoute name the target in a field of its type (EC2 API reference, CreateRoute). AWS ids say
 * what they are; the neutral type decides only where an id alone cannot. A route table cannot target a Direct
 * Connect gateway (nor a transit gateway attachment): traffic goes to the VGW or TGW associated with it.
 */
const TARGET_FIELDS: Array<[prefix: string, field: keyof CreateRouteCommandInput]> = [
  ['tgw-attach-', 'TransitGatewayId'], // refused below: a route targets the transit gateway itself
  ['tgw-', 'TransitGatewayId'],
  ['vgw-', 'GatewayId'],
  ['igw-', 'GatewayId'],
  ['pcx-', 'VpcPeeringConnectionId'],
  ['nat-', 'NatGatewayId'],
  ['eni-', 'NetworkInterfaceId'],
  ['i-', 'InstanceId'],
  ['lgw-', 'LocalGatewayId'],
  ['cagw-', 'CarrierGatewayId'],
  ['eigw-', 'EgressOnlyInternetGatewayId'],
  ['vpce-', 'VpcEndpointId'],
  ['arn:aws:networkmanager:', 'CoreNetworkArn'],
];
const HOP_TYPES: Array<[prefix: string, type: NextHopType]> = [
  ['tgw-', 'transit-router'],
  ['pcx-', 'peering'],
  ['vgw-', 'vpn-gateway'],
  ['eni-', 'node'],
  ['i-', 'node'],
];

function routeTarget(entry: NetworkEntry): Partial<CreateRouteCommandInput> {
  const hop = need(entry, 'nextHop');
  if (entry.nextHopType === 'dx-gateway' || hop.startsWith('tgw-attach-')) {
    throw new UnsupportedChangeError(
      `an AWS route table cannot target ${entry.nextHopType === 'dx-gateway' ? `the Direct Connect gateway ${hop}` : `the transit gateway attachment ${hop}`}: ` +
        'route to the virtual private gateway or transit gateway associated with it (directConnect[].association and associatedGatewayId in the profile)',
      'InvalidRouteTarget',
    );
  }
  const field = TARGET_FIELDS.find(([prefix]) => hop.startsWith(prefix))?.[1];
  if (!field) throw new InvalidInputError('nextHop', `${hop} is not an AWS route target (igw-, vgw-, tgw-, pcx-, nat-, eni-, i-, lgw-, cagw-, eigw-, vpce- or a core network ARN)`);
  return { [field]: hop };
}

function destination(cidr: string): { DestinationCidrBlock?: string; DestinationIpv6CidrBlock?: string } {
  return cidr.includes(':') ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr };
}

function routeEntry(target: string, route: Route): ProviderEntry[] {
  const cidr = route.DestinationCidrBlock ?? route.DestinationIpv6CidrBlock;
  if (!cidr) return []; // prefix-list destinations are never podreach's
  const hop =
    route.GatewayId ?? route.TransitGatewayId ?? route.VpcPeeringConnectionId ?? route.NatGatewayId ?? route.NetworkInterfaceId ?? route.InstanceId ??
    route.LocalGatewayId ?? route.CarrierGatewayId ?? route.EgressOnlyInternetGatewayId ?? route.CoreNetworkArn;
  const type = hop === 'local' ? 'vpc' : HOP_TYPES.find(([prefix]) => hop?.startsWith(prefix))?.[1];
  const foreign = route.Origin === 'CreateRouteTable' || route.Origin === 'EnableVgwRoutePropagation';
  return [{ kind: 'route', target, cidr, ...(hop ? { nextHop: hop } : {}), ...(type ? { nextHopType: type } : {}), ...(foreign ? { owner: 'foreign' as const } : {}), ...(route.State === 'blackhole' ? { description: 'blackhole' } : {}) }];
}

function covers(outer: string | undefined, inner: string | undefined): boolean {
  return outer !== undefined && inner !== undefined && isCidr(outer) && isCidr(inner) && cidrContains(outer, inner);
}

export class AwsProvider extends KitProvider {
  readonly name = 'aws' as const;
  private readonly ec2: EC2Client;
  private readonly dx: DirectConnectClient;
  protected readonly operations: Record<AwsKind, KindOperations>;

  constructor(options: AwsProviderOptions = {}) {
    super({ quotas: AWS_QUOTAS, unsupported: AWS_UNSUPPORTED, errors: awsErrors });
    const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
    const config = {
      ...(options.region ? { region: options.region } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
      // the SDK's own jittered retry; adaptive mode also paces later calls after throttling
      maxAttempts: options.maxAttempts ?? 8,
      retryMode: 'adaptive',
    };
    this.ec2 = traceAwsClient(options.ec2 ?? new EC2Client(config));
    this.dx = traceAwsClient(options.directConnect ?? new DirectConnectClient(config));
    const transit = this.transitRoutes();
    this.operations = {
      route: this.routes(),
      'transit-route': transit,
      'cloud-connect-route': {
        ...transit,
        prepare: (entry) => this.attachmentHop(entry),
        // a TGW route has no disabled state: every one listed is in force
        list: async (target) => (await transit.list(target)).map((found) => ({ ...found, kind: 'cloud-connect-route' as const, enabled: true })),
      },
      'sg-rule': this.rules(),
      'vpn-route': this.vpnRoutes(),
      'vpn-selector': this.selectors(),
      'dx-prefix': this.dxPrefixes(),
      'subnet-association': this.associations(),
    };
  }

  /** The network interface holding the address (an instance's, a database's, a load balancer's) and its groups. */
  protected async lookupAddress(ip: string): Promise<AddressHolder | undefined> {
    const output = await this.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: [ip] }] }));
    const found = (output.NetworkInterfaces ?? []).find((eni) => eni.PrivateIpAddresses?.some((address) => address.PrivateIpAddress === ip) || eni.PrivateIpAddress === ip);
    if (!found) return undefined;
    return {
      ip,
      securityGroups: (found.Groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : [])),
      ...(found.NetworkInterfaceId ? { resourceId: found.NetworkInterfaceId } : {}),
      ...(found.VpcId ? { vpcId: found.VpcId } : {}),
      ...(found.SubnetId ? { subnetId: found.SubnetId } : {}),
      ...(found.Description ? { description: found.Description } : {}),
    };
  }

  private routes(): KindOperations {
    const input = (entry: NetworkEntry) => ({ RouteTableId: entry.target, ...destination(need(entry, 'cidr')), ...routeTarget(entry) });
    return {
      prepare: (entry) => (routeTarget(entry), entry),
      list: async (target) => {
        const output = await awsErrors.unlessNotFound(() => this.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [target] })));
        return (output?.RouteTables?.[0]?.Routes ?? []).flatMap((route) => routeEntry(target, route));
      },
      create: (entry) => this.ec2.send(new CreateRouteCommand(input(entry))),
      update: (entry) => this.ec2.send(new ReplaceRouteCommand(input(entry))),
      delete: (current) => this.ec2.send(new DeleteRouteCommand({ RouteTableId: current.target, ...destination(need(current, 'cidr')) })),
      raced: (error) => awsErrors.has(error, 'RouteAlreadyExists'),
      // CreateRoute refuses a destination that is taken (RouteAlreadyExists); ReplaceRoute is the only overwrite
      writeFirst: true,
    };
  }

  /** TGW routes; a propagated route (or a static one to another attachment) is never overridden. */
  private transitRoutes(): KindOperations {
    const input = (entry: NetworkEntry) => ({ TransitGatewayRouteTableId: entry.target, DestinationCidrBlock: need(entry, 'cidr') });
    return {
      list: async (target) => {
        // MaxResults is left out on purpose: moto 5.2 fails on it (slices a dict).
        const output = await awsErrors.unlessNotFound(() =>
          this.ec2.send(new SearchTransitGatewayRoutesCommand({ TransitGatewayRouteTableId: target, Filters: [{ Name: 'type', Values: ['static', 'propagated'] }] })),
        );
        return (output?.Routes ?? []).flatMap((route): ProviderEntry[] => {
          if (!route.DestinationCidrBlock || route.State === 'deleted' || route.State === 'deleting') return [];
          const hop = route.TransitGatewayAttachments?.[0]?.TransitGatewayAttachmentId;
          return [{
            kind: 'transit-route', target, cidr: route.DestinationCidrBlock,
            ...(hop ? { nextHop: hop, nextHopType: 'transit-router' as const } : {}),
            ...(route.Type === 'propagated' ? { owner: 'foreign' as const } : {}),
            description: `${route.Type ?? 'static'}${route.State === 'blackhole' ? ' blackhole' : ''}`,
          }];
        });
      },
      create: (entry) => this.ec2.send(new CreateTransitGatewayRouteCommand({ ...input(entry), TransitGatewayAttachmentId: need(entry, 'nextHop') })),
      update: (entry) => this.ec2.send(new ReplaceTransitGatewayRouteCommand({ ...input(entry), TransitGatewayAttachmentId: need(entry, 'nextHop') })),
      delete: (current) => this.ec2.send(new DeleteTransitGatewayRouteCommand(input(current))),
      raced: (error) => awsErrors.has(error, 'RouteAlreadyExists'),
      keep: (found) => found.owner === 'foreign',
    };
  }

  /** Cloud-connect on AWS is a transit gateway: target = TGW route table, nextHop = attachment (or the VPC it attaches). */
  private async attachmentHop(entry: NetworkEntry): Promise<NetworkEntry> {
    if (entry.enabled === false) {
      throw new UnsupportedChangeError(
        'transit gateway routes have no disabled state: a cloud-connect route that must stay disabled (it overlaps an existing route) cannot be registered on AWS; resolve the overlap first',
      );
    }
    if (!entry.target.startsWith('tgw-rtb-')) {
      throw new UnsupportedChangeError(`cloud-connect on AWS means a transit gateway route table (tgw-rtb-...); ${entry.target} is not one, so the route cannot be registered`);
    }
    const vpcId = entry.nextHop;
    if (!vpcId?.startsWith('vpc-')) return entry;
    const tables = await this.ec2.send(new DescribeTransitGatewayRouteTablesCommand({ TransitGatewayRouteTableIds: [entry.target] }));
    const transitGatewayId = tables.TransitGatewayRouteTables?.[0]?.TransitGatewayId;
    if (!transitGatewayId) throw new ResourceNotFoundError(`transit gateway route table ${entry.target} not found`);
    const attachments = await this.ec2.send(
      new DescribeTransitGatewayAttachmentsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }, { Name: 'transit-gateway-id', Values: [transitGatewayId] }] }),
    );
    const attachment = attachments.TransitGatewayAttachments?.find((a) => a.State !== 'deleted' && a.State !== 'deleting')?.TransitGatewayAttachmentId;
    if (!attachment) throw new ResourceNotFoundError(`${vpcId} is not attached to transit gateway ${transitGatewayId}`);
    return { ...entry, nextHop: attachment, nextHopType: 'transit-router', enabled: undefined };
  }

  /** Ingress rules carry the ownership mark; EC2 keys a rule by protocol, ports and source, so two clusters share one. */
  private rules(): KindOperations {
    const permission = (entry: NetworkEntry, description?: string): IpPermission => {
      const port = parsePort(entry.port);
      const cidr = need(entry, 'cidr');
      const ports = port.protocol === 'all' ? { IpProtocol: '-1' } : { IpProtocol: port.protocol, FromPort: port.from ?? (port.protocol === 'icmp' ? -1 : 0), ToPort: port.to ?? (port.protocol === 'icmp' ? -1 : 65535) };
      const range = description ? { Description: description } : {};
      return cidr.includes(':') ? { ...ports, Ipv6Ranges: [{ CidrIpv6: cidr, ...range }] } : { ...ports, IpRanges: [{ CidrIp: cidr, ...range }] };
    };
    return {
      prepare: (entry) => (permission(entry), entry),
      list: async (target) => {
        const output = await awsErrors.unlessNotFound(() => this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [target] })));
        return (output?.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((p) => {
          const port = portText(p.IpProtocol, p.FromPort, p.ToPort);
          const ranges = [...(p.IpRanges ?? []).map((r) => [r.CidrIp, r.Description]), ...(p.Ipv6Ranges ?? []).map((r) => [r.CidrIpv6, r.Description])];
          return ranges.flatMap(([cidr, description]): ProviderEntry[] =>
            cidr ? [{ kind: 'sg-rule', target, cidr, port, owner: ownerOfDescription(description), ...(description ? { description } : {}) }] : [],
          );
        });
      },
      create: (entry, context) =>
        this.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: entry.target, IpPermissions: [permission(entry, ownershipMark(context, RULE_DESCRIPTION_LENGTH))] })),
      delete: (current) => this.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: current.target, IpPermissions: [permission(current)] })),
      raced: (error) => awsErrors.has(error, 'InvalidPermission.Duplicate'),
      writeFirst: true,
      // only a rule this cluster authorized is revoked
      keep: (found, context) => parseOwnershipMark(found.description)?.clusterId !== context.clusterId,
    };
  }

  private async connections(target: string): Promise<VpnConnection[]> {
    const command = target.startsWith('vgw-')
      ? new DescribeVpnConnectionsCommand({ Filters: [{ Name: 'vpn-gateway-id', Values: [target] }] })
      : new DescribeVpnConnectionsCommand({ VpnConnectionIds: [target] });
    const output = await awsErrors.unlessNotFound(() => this.ec2.send(command));
    return (output?.VpnConnections ?? []).filter((c) => c.State !== 'deleted' && c.State !== 'deleting');
  }

  /** target is the VPN connection (vpn-...), or its VPN gateway (vgw-...) with the connection as nextHop. */
  private vpnRoutes(): KindOperations {
    const input = (entry: NetworkEntry) => ({ VpnConnectionId: entry.target.startsWith('vgw-') ? need(entry, 'nextHop') : entry.target, DestinationCidrBlock: need(entry, 'cidr') });
    return {
      list: async (target) =>
        (await this.connections(target)).flatMap((connection) =>
          (connection.Routes ?? []).flatMap((route): ProviderEntry[] =>
            route.DestinationCidrBlock && route.State !== 'deleted' && route.State !== 'deleting'
              ? [{ kind: 'vpn-route', target, cidr: route.DestinationCidrBlock, ...(connection.VpnConnectionId ? { nextHop: connection.VpnConnectionId } : {}), ...(route.Source ? { description: route.Source } : {}) }]
              : [],
          ),
        ),
      create: (entry) => this.ec2.send(new CreateVpnConnectionRouteCommand(input(entry))),
      delete: (current) => this.ec2.send(new DeleteVpnConnectionRouteCommand(input(current))),
      raced: (error) => awsErrors.has(error, 'RouteAlreadyExists', 'InvalidParameterValue'),
    };
  }

  /**
   * One CIDR per side (RemoteIpv4NetworkCidr = AWS side = cidr, LocalIpv4NetworkCidr = customer side = peerCidr). A
   * selector the pair covers is in place; a CIDR that contains the current one widens it; anything else is blocked.
   */
  private selectors(): KindOperations {
    const pair = async (target: string): Promise<ProviderEntry[]> =>
      (await this.connections(target)).slice(0, 1).map((c) => ({
        kind: 'vpn-selector',
        target,
        cidr: c.Options?.RemoteIpv4NetworkCidr ?? ROUTE_BASED_SELECTOR,
        peerCidr: c.Options?.LocalIpv4NetworkCidr ?? ROUTE_BASED_SELECTOR,
      }));
    return {
      list: pair,
      verify: (found, wanted) => covers(found.cidr, wanted.cidr) && (wanted.peerCidr === undefined || covers(found.peerCidr, wanted.peerCidr)),
      create: async (entry, _context, held) => {
        const current = held[0];
        if (!current) throw new ResourceNotFoundError(`VPN connection ${entry.target} not found`, 'InvalidVpnConnectionID.NotFound');
        const cidr = need(entry, 'cidr');
        const awsSide = covers(current.cidr, cidr) ? current.cidr : covers(cidr, current.cidr) ? cidr : undefined;
        const customerSide = entry.peerCidr === undefined || covers(current.peerCidr, entry.peerCidr) ? current.peerCidr : covers(entry.peerCidr, current.peerCidr) ? entry.peerCidr : undefined;
        // Widening to a CIDR that contains the current one keeps every flow the connection carries; the domain plans
        // such a covering CIDR only when it adds nothing outside the VPC and container CIDRs.
        if (!awsSide || !customerSide) {
          throw new UnsupportedChangeError(
            `VPN connection ${entry.target} carries one CIDR per side (AWS side ${current.cidr}, customer side ${current.peerCidr}); ` +
              `${cidr}${entry.peerCidr ? ` <-> ${entry.peerCidr}` : ''} is not inside them and does not cover them. ` +
              'Use a covering CIDR that adds nothing outside the VPC and container CIDRs, or switch the connection to route-based selectors (0.0.0.0/0 both sides) with VPN routes',
            'SingleCidrSelector',
          );
        }
        return this.ec2.send(new ModifyVpnConnectionOptionsCommand({ VpnConnectionId: entry.target, RemoteIpv4NetworkCidr: awsSide, LocalIpv4NetworkCidr: customerSide }));
      },
      delete: (current) => {
        throw new UnsupportedChangeError(
          `VPN connection ${current.target} selector ${current.cidr} <-> ${current.peerCidr} is its only one; narrowing it back could cut traffic that now depends on it. Reset it by hand (ModifyVpnConnectionOptions) when nothing uses it`,
          'SingleCidrSelector',
        );
      },
    };
  }

  private async associationsOf(gatewayId: string): Promise<DirectConnectGatewayAssociation[]> {
    const found: DirectConnectGatewayAssociation[] = [];
    // the Direct Connect client ships no paginator
    const read = async () => {
      let nextToken: string | undefined;
      do {
        const page = await this.dx.send(new DescribeDirectConnectGatewayAssociationsCommand({ directConnectGatewayId: gatewayId, ...(nextToken ? { nextToken } : {}) }));
        found.push(...(page.directConnectGatewayAssociations ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      return found;
    };
    return ((await awsErrors.unlessNotFound(read)) ?? []).filter((a) => a.associationState !== 'disassociated' && a.associationState !== 'disassociating');
  }

  /** The association a prefix belongs to: the one with the gateway named by nextHop, else the only (transit) one. */
  private pickAssociation(entry: NetworkEntry, associations: DirectConnectGatewayAssociation[]): DirectConnectGatewayAssociation {
    const transit = associations.filter((a) => a.associatedGateway?.type === 'transitGateway');
    const picked = entry.nextHop ? associations.find((a) => a.associatedGateway?.id === entry.nextHop) : associations.length <= 1 ? associations[0] : transit.length === 1 ? transit[0] : undefined;
    if (!picked && !entry.nextHop && associations.length > 1) {
      throw new InvalidInputError('nextHop', `Direct Connect gateway ${entry.target} has ${associations.length} associations: name the associated gateway (associatedGatewayId)`);
    }
    if (!picked?.associationId) throw new ResourceNotFoundError(`Direct Connect gateway ${entry.target} has no association${entry.nextHop ? ` with ${entry.nextHop}` : ''}`);
    return picked;
  }

  /** Allowed prefixes on the gateway's association: what the DX gateway advertises toward on-premises. */
  private dxPrefixes(): KindOperations {
    const update = (associationId: string | undefined, change: 'add' | 'remove', cidr: string) =>
      this.dx.send(
        new UpdateDirectConnectGatewayAssociationCommand({
          associationId,
          ...(change === 'add' ? { addAllowedPrefixesToDirectConnectGateway: [{ cidr }] } : { removeAllowedPrefixesToDirectConnectGateway: [{ cidr }] }),
        }),
      );
    return {
      list: async (target) =>
        (await this.associationsOf(target)).flatMap((a) =>
          (a.allowedPrefixesToDirectConnectGateway ?? []).flatMap((prefix): ProviderEntry[] =>
            prefix.cidr
              ? [{
                  kind: 'dx-prefix', target, cidr: prefix.cidr,
                  ...(a.associatedGateway?.id ? { nextHop: a.associatedGateway.id } : {}),
                  nextHopType: a.associatedGateway?.type === 'transitGateway' ? 'transit-router' : 'vpn-gateway',
                  ...(a.associationId ? { resourceId: a.associationId } : {}),
                }]
              : [],
          ),
        ),
      create: async (entry) => {
        const cidr = need(entry, 'cidr');
        const association = this.pickAssociation(entry, await this.associationsOf(entry.target));
        const gateway = association.associatedGateway;
        if (gateway?.type === 'virtualPrivateGateway') {
          throw new UnsupportedChangeError(
            `Direct Connect gateway ${entry.target} is associated with virtual private gateway ${gateway.id ?? ''}, which advertises VPC CIDRs only: ` +
              `add ${cidr} to the VPC as a secondary CIDR (it is then advertised), or associate a transit gateway instead`,
          );
        }
        if (association.associationState === 'associating' || association.associationState === 'updating') {
          throw new TransientProviderError(`Direct Connect gateway association ${association.associationId} is ${association.associationState}`);
        }
        const prefixes = association.allowedPrefixesToDirectConnectGateway ?? [];
        if (prefixes.length >= TGW_ASSOCIATION_PREFIX_LIMIT) {
          throw new QuotaExceededError(
            `transit gateway association ${association.associationId} already advertises ${prefixes.length} prefixes (AWS allows ${TGW_ASSOCIATION_PREFIX_LIMIT}): summarise the container CIDRs into fewer prefixes`,
            'AllowedPrefixesLimit',
          );
        }
        return update(association.associationId, 'add', cidr);
      },
      delete: (current) => {
        if (current.nextHopType === 'vpn-gateway') {
          throw new UnsupportedChangeError(`Direct Connect gateway ${current.target}: prefixes of a virtual private gateway association are the VPC's own CIDRs; podreach never removes them`);
        }
        return update(current.resourceId, 'remove', need(current, 'cidr'));
      },
    };
  }

  /** A subnet explicitly associated elsewhere is never re-associated (AssociateRouteTable would replace the binding). */
  private associations(): KindOperations {
    return {
      list: async (subnetId) => {
        const output = await this.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [subnetId] }] }));
        return (output.RouteTables ?? []).flatMap((table) =>
          (table.Associations ?? [])
            .filter((a) => a.SubnetId === subnetId && a.AssociationState?.State !== 'disassociated')
            .map((a): ProviderEntry => ({
              kind: 'subnet-association',
              target: subnetId,
              ...(table.RouteTableId ? { nextHop: table.RouteTableId, nextHopType: 'route-table' as const } : {}),
              ...(a.RouteTableAssociationId ? { resourceId: a.RouteTableAssociationId } : {}),
            })),
        );
      },
      create: (entry) => this.ec2.send(new AssociateRouteTableCommand({ RouteTableId: need(entry, 'nextHop'), SubnetId: entry.target })),
      delete: (current) => this.ec2.send(new DisassociateRouteTableCommand({ AssociationId: current.resourceId })),
      raced: (error) => awsErrors.has(error, 'Resource.AlreadyAssociated'),
    };
  }
}
