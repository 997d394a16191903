// A local Alibaba Cloud contract server: node:http on 127.0.0.1, speaking the RPC style the SDKs send
// (openapi-core, ACS3 signature: action / version in x-acs-action / x-acs-version headers, parameters in the
// query string, POST; the older v2 style with Action / Version in the query is accepted too). Answers JSON
// with RequestId; errors are 4xx / 5xx JSON {Code, Message, RequestId}. It keeps state for route tables
// (asynchronous Creating -> Available), VPN connections and routes, transit router tables, security groups,
// Redis / RDS whitelists and vSwitches, and returns the documented error codes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RouteRecord {
  id: string;
  cidr: string;
  nextHopId: string;
  nextHopType: string;
  description: string;
  status: 'Creating' | 'Available' | 'Deleting';
  /** Reads left before the status settles. */
  pendingReads: number;
}

export interface TransitRecord {
  id: string;
  cidr: string;
  nextHopId?: string;
  nextHopType: string;
  description: string;
  type: 'Static' | 'Propagated';
  status: string;
  pendingReads: number;
}

export interface RuleRecord {
  protocol: string;
  portRange: string;
  cidr: string;
  policy: string;
  description: string;
  id: string;
}

class RpcError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Params = Record<string, string>;

export class AlibabaContractServer {
  readonly routeTables = new Map<string, Map<string, RouteRecord>>();
  readonly vpnConnections = new Map<string, { local: string[]; remote: string[] }>();
  readonly vpnGateways = new Map<string, Array<{ routeDest: string; nextHop: string; weight: number; description: string }>>();
  readonly transitTables = new Map<string, Map<string, TransitRecord>>();
  readonly securityGroups = new Map<string, RuleRecord[]>();
  /** key "redis:<id>" / "rds:<id>" -> group name -> IPs */
  readonly whitelists = new Map<string, Map<string, string[]>>();
  readonly vSwitches = new Map<string, { routeTableId: string; type: 'System' | 'Custom' }>();
  /** ECS elastic network interfaces: their private IPs and security groups (DescribeNetworkInterfaces). */
  readonly networkInterfaces = new Map<string, { vpcId: string; vSwitchId: string; ips: string[]; groups: string[]; description: string }>();
  /** Every call: action, version and parameters, in order. */
  readonly calls: Array<{ action: string; version: string; params: Params; signed: boolean }> = [];
  /** Reads a new route entry stays Creating (and a deleted one Deleting). */
  asyncReads = 1;
  private readonly injected: Array<{ action: string; status: number; code: string; times: number; effect?: () => void }> = [];
  private readonly clientTokens = new Map<string, unknown>();
  private server?: Server;
  private counter = 0;

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  // ---- seeding and fault injection --------------------------------------------------------------------

  seedRouteTable(routeTableId: string): void {
    if (!this.routeTables.has(routeTableId)) this.routeTables.set(routeTableId, new Map());
  }

  seedRoute(routeTableId: string, route: { cidr: string; nextHopId: string; nextHopType: string; description?: string; status?: RouteRecord['status'] }): void {
    this.seedRouteTable(routeTableId);
    this.routeTables.get(routeTableId)!.set(route.cidr, {
      id: this.id('rte'),
      cidr: route.cidr,
      nextHopId: route.nextHopId,
      nextHopType: route.nextHopType,
      description: route.description ?? 'added in the console',
      status: route.status ?? 'Available',
      pendingReads: route.status === 'Creating' ? Number.POSITIVE_INFINITY : 0,
    });
  }

  seedVpnConnection(connectionId: string, local: string[], remote: string[]): void {
    this.vpnConnections.set(connectionId, { local: [...local], remote: [...remote] });
  }

  seedVpnGateway(vpnGatewayId: string, routes: Array<{ routeDest: string; nextHop: string }> = []): void {
    this.vpnGateways.set(vpnGatewayId, routes.map((route) => ({ ...route, weight: 100, description: 'added in the console' })));
  }

  seedTransitTable(routeTableId: string, routes: Array<{ cidr: string; nextHopId?: string; type?: 'Static' | 'Propagated'; status?: string }> = []): void {
    const table = new Map<string, TransitRecord>();
    for (const route of routes) {
      table.set(route.cidr, {
        id: this.id('rte'),
        cidr: route.cidr,
        nextHopId: route.nextHopId,
        nextHopType: route.nextHopId ? 'Attachment' : 'BlackHole',
        description: 'added in the console',
        type: route.type ?? 'Static',
        status: route.status ?? 'Active',
        pendingReads: 0,
      });
    }
    this.transitTables.set(routeTableId, table);
  }

  seedSecurityGroup(groupId: string, rules: Array<{ protocol: string; portRange: string; cidr: string }> = []): void {
    this.securityGroups.set(
      groupId,
      rules.map((rule) => ({ ...rule, protocol: rule.protocol.toUpperCase(), policy: 'Accept', description: 'added in the console', id: this.id('sgr') })),
    );
  }

  seedWhitelist(target: string, groups: Record<string, string[]>): void {
    this.whitelists.set(target, new Map(Object.entries(groups).map(([name, ips]) => [name, [...ips]])));
  }

  seedNetworkInterface(networkInterfaceId: string, eni: { vpcId: string; vSwitchId: string; ips: string[]; groups: string[]; description?: string }): void {
    this.networkInterfaces.set(networkInterfaceId, { ...eni, ips: [...eni.ips], groups: [...eni.groups], description: eni.description ?? '' });
  }

  seedVSwitch(vSwitchId: string, routeTableId: string, type: 'System' | 'Custom' = 'System'): void {
    this.vSwitches.set(vSwitchId, { routeTableId, type });
  }

  /**
   * The next `times` calls of `action` fail with `code` (Throttling.User, VpnTask.CONFLICT, ServiceUnavailable...);
   * `effect` runs when the fault fires (another writer acting at that moment).
   */
  failNext(action: string, code: string, options: { times?: number; status?: number; effect?: () => void } = {}): void {
    const status = options.status ?? (code === 'ServiceUnavailable' ? 503 : 400);
    this.injected.push({ action, status, code, times: options.times ?? 1, effect: options.effect });
  }

  clearFaults(): void {
    this.injected.length = 0;
  }

  callsOf(action: string): number {
    return this.calls.filter((call) => call.action === action).length;
  }

  // ---- HTTP --------------------------------------------------------------------------------------------

  private id(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${this.counter.toString(36).padStart(8, '0')}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID().toUpperCase();
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
      res.end(JSON.stringify(body));
    };
    try {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const params: Params = Object.fromEntries(url.searchParams.entries());
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      if (raw && String(req.headers['content-type'] ?? '').includes('x-www-form-urlencoded')) {
        Object.assign(params, Object.fromEntries(new URLSearchParams(raw).entries()));
      }
      const action = String(req.headers['x-acs-action'] ?? params.Action ?? '');
      const version = String(req.headers['x-acs-version'] ?? params.Version ?? '');
      const signed = typeof req.headers.authorization === 'string' || typeof params.Signature === 'string';
      this.calls.push({ action, version, params, signed });
      if (!signed) throw new RpcError(400, 'MissingSignature', 'The request is not signed.');
      const fault = this.injected.find((item) => item.action === action && item.times > 0);
      if (fault) {
        fault.times -= 1;
        fault.effect?.();
        throw new RpcError(fault.status, fault.code, `injected ${fault.code}`);
      }
      const token = params.ClientToken ? `${action}:${params.ClientToken}` : undefined;
      if (token && this.clientTokens.has(token)) return send(200, { ...(this.clientTokens.get(token) as object), RequestId: requestId });
      const body = this.dispatch(action, version, params);
      if (token) this.clientTokens.set(token, body);
      send(200, { ...body, RequestId: requestId });
    } catch (error) {
      if (error instanceof RpcError) return send(error.status, { Code: error.code, Message: error.message, RequestId: requestId });
      send(500, { Code: 'InternalError', Message: String(error), RequestId: requestId });
    }
  }

  private dispatch(action: string, version: string, p: Params): Record<string, unknown> {
    const key = `${version}/${action}`;
    switch (key) {
      case '2016-04-28/DescribeRouteEntryList':
        return this.describeRouteEntryList(p);
      case '2016-04-28/CreateRouteEntry':
        return this.createRouteEntry(p);
      case '2016-04-28/DeleteRouteEntry':
        return this.deleteRouteEntry(p);
      case '2016-04-28/ModifyRouteEntry':
        return this.modifyRouteEntry(p);
      case '2016-04-28/DescribeVpnConnection':
        return this.describeVpnConnection(p);
      case '2016-04-28/ModifyVpnConnectionAttribute':
        return this.modifyVpnConnectionAttribute(p);
      case '2016-04-28/DescribeVpnRouteEntries':
        return this.describeVpnRouteEntries(p);
      case '2016-04-28/CreateVpnRouteEntry':
        return this.createVpnRouteEntry(p);
      case '2016-04-28/DeleteVpnRouteEntry':
        return this.deleteVpnRouteEntry(p);
      case '2016-04-28/DescribeVSwitchAttributes':
        return this.describeVSwitchAttributes(p);
      case '2016-04-28/AssociateRouteTable':
        return this.associateRouteTable(p, true);
      case '2016-04-28/UnassociateRouteTable':
        return this.associateRouteTable(p, false);
      case '2017-09-12/ListTransitRouterRouteEntries':
        return this.listTransitRouterRouteEntries(p);
      case '2017-09-12/CreateTransitRouterRouteEntry':
        return this.createTransitRouterRouteEntry(p);
      case '2017-09-12/DeleteTransitRouterRouteEntry':
        return this.deleteTransitRouterRouteEntry(p);
      case '2014-05-26/DescribeSecurityGroupAttribute':
        return this.describeSecurityGroupAttribute(p);
      case '2014-05-26/AuthorizeSecurityGroup':
        return this.authorizeSecurityGroup(p);
      case '2014-05-26/RevokeSecurityGroup':
        return this.revokeSecurityGroup(p);
      case '2014-05-26/DescribeNetworkInterfaces':
        return this.describeNetworkInterfaces(p);
      case '2015-01-01/DescribeSecurityIps':
        return this.describeSecurityIps(`redis:${p.InstanceId}`);
      case '2015-01-01/ModifySecurityIps':
        return this.modifySecurityIps(`redis:${p.InstanceId}`, p.SecurityIpGroupName ?? 'default', p);
      case '2014-08-15/DescribeDBInstanceIPArrayList':
        return this.describeDBInstanceIPArrayList(`rds:${p.DBInstanceId}`);
      case '2014-08-15/ModifySecurityIps':
        return this.modifySecurityIps(`rds:${p.DBInstanceId}`, p.DBInstanceIPArrayName ?? 'default', p);
      default:
        throw new RpcError(404, 'InvalidAction.NotFound', `Specified api ${action} (${version}) is not found.`);
    }
  }

  // ---- ECS network interfaces ----------------------------------------------------------------------------

  /**
   * RegionId is required; PrimaryIpAddress matches an ENI's primary private IP, PrivateIpAddress.N (1-100) its
   * secondary ones, as the API reference describes them (whether the live API also matches a primary IP by
   * PrivateIpAddress.N is not documented: this server does not).
   */
  private describeNetworkInterfaces(p: Params): Record<string, unknown> {
    if (!p.RegionId) throw new RpcError(400, 'MissingRegionId', 'RegionId is mandatory for this action.');
    const wanted = Object.entries(p)
      .filter(([key]) => /^PrivateIpAddress\.\d+$/.test(key))
      .map(([, value]) => value);
    const primary = p.PrimaryIpAddress;
    const set = [...this.networkInterfaces.entries()]
      .filter(([, eni]) => primary === undefined || eni.ips[0] === primary)
      .filter(([, eni]) => wanted.length === 0 || eni.ips.slice(1).some((ip) => wanted.includes(ip)))
      .map(([id, eni]) => ({
        NetworkInterfaceId: id,
        VpcId: eni.vpcId,
        VSwitchId: eni.vSwitchId,
        Description: eni.description,
        PrivateIpAddress: eni.ips[0],
        PrivateIpSets: { PrivateIpSet: eni.ips.map((ip, index) => ({ PrivateIpAddress: ip, Primary: index === 0 })) },
        SecurityGroupIds: { SecurityGroupId: [...eni.groups] },
      }));
    return { TotalCount: set.length, NetworkInterfaceSets: { NetworkInterfaceSet: set } };
  }

  // ---- VPC route entries --------------------------------------------------------------------------------

  private table(routeTableId: string | undefined): Map<string, RouteRecord> {
    const table = routeTableId ? this.routeTables.get(routeTableId) : undefined;
    if (!table) throw new RpcError(404, 'InvalidRouteTableId.NotFound', `The specified route table ${routeTableId} does not exist.`);
    return table;
  }

  private describeRouteEntryList(p: Params): Record<string, unknown> {
    const table = this.table(p.RouteTableId);
    // Each read moves asynchronous work one step on, as the real control plane does over time.
    for (const [cidr, route] of [...table]) {
      if (route.pendingReads > 0) {
        route.pendingReads -= 1;
        continue;
      }
      if (route.status === 'Creating') route.status = 'Available';
      if (route.status === 'Deleting') table.delete(cidr);
    }
    const rows = [...table.values()].filter((route) => !p.DestinationCidrBlock || route.cidr === p.DestinationCidrBlock);
    const start = Number(p.NextToken ?? 0);
    const size = Number(p.MaxResult ?? 50);
    const page = rows.slice(start, start + size);
    return {
      TotalCount: rows.length,
      NextToken: start + size < rows.length ? String(start + size) : '',
      RouteEntrys: {
        RouteEntry: page.map((route) => ({
          RouteEntryId: route.id,
          RouteTableId: p.RouteTableId,
          DestinationCidrBlock: route.cidr,
          Type: 'Custom',
          Status: route.status,
          Description: route.description,
          IpVersion: 'ipv4',
          NextHops: { NextHop: [{ NextHopId: route.nextHopId, NextHopType: route.nextHopType, Enabled: 1, Weight: 100 }] },
        })),
      },
    };
  }

  private busy(table: Map<string, RouteRecord>): void {
    if ([...table.values()].some((route) => route.status !== 'Available')) {
      throw new RpcError(400, 'OperationConflict', 'The operation conflicts with another operation on this route table.');
    }
  }

  private createRouteEntry(p: Params): Record<string, unknown> {
    const table = this.table(p.RouteTableId);
    if (!p.DestinationCidrBlock || !p.NextHopId) throw new RpcError(400, 'MissingParameter', 'DestinationCidrBlock and NextHopId are required.');
    if (table.has(p.DestinationCidrBlock)) throw new RpcError(400, 'RouterEntryConflict.Duplicated', 'A route entry with the specified destination CIDR block already exists.');
    this.busy(table);
    if (table.size >= 200) throw new RpcError(400, 'QuotaExceeded.RouteEntryNum', 'The route entry quota is exceeded.');
    const route: RouteRecord = {
      id: this.id('rte'),
      cidr: p.DestinationCidrBlock,
      nextHopId: p.NextHopId,
      nextHopType: p.NextHopType ?? 'Instance',
      description: p.Description ?? '',
      status: 'Creating',
      pendingReads: this.asyncReads,
    };
    table.set(route.cidr, route);
    return { RouteEntryId: route.id };
  }

  private deleteRouteEntry(p: Params): Record<string, unknown> {
    const table = this.table(p.RouteTableId);
    const route = [...table.values()].find((candidate) => candidate.id === p.RouteEntryId || (candidate.cidr === p.DestinationCidrBlock && (!p.NextHopId || candidate.nextHopId === p.NextHopId)));
    if (!route) throw new RpcError(404, 'InvalidRouteEntry.NotFound', 'The specified route entry does not exist.');
    this.busy(table);
    route.status = 'Deleting';
    route.pendingReads = this.asyncReads;
    return {};
  }

  private modifyRouteEntry(p: Params): Record<string, unknown> {
    const table = this.table(p.RouteTableId);
    const route = [...table.values()].find((candidate) => candidate.id === p.RouteEntryId);
    if (!route) throw new RpcError(404, 'InvalidRouteEntry.NotFound', 'The specified route entry does not exist.');
    this.busy(table);
    if (p.NewNextHopId) route.nextHopId = p.NewNextHopId;
    if (p.NewNextHopType) route.nextHopType = p.NewNextHopType;
    return {};
  }

  // ---- VPN ----------------------------------------------------------------------------------------------

  private connection(id: string | undefined): { local: string[]; remote: string[] } {
    const connection = id ? this.vpnConnections.get(id) : undefined;
    if (!connection) throw new RpcError(404, 'InvalidVpnConnectionInstanceId.NotFound', `The VPN connection ${id} does not exist.`);
    return connection;
  }

  private describeVpnConnection(p: Params): Record<string, unknown> {
    const connection = this.connection(p.VpnConnectionId);
    return { VpnConnectionId: p.VpnConnectionId, LocalSubnet: connection.local.join(','), RemoteSubnet: connection.remote.join(','), Status: 'ike_sa_not_established' };
  }

  private modifyVpnConnectionAttribute(p: Params): Record<string, unknown> {
    const connection = this.connection(p.VpnConnectionId);
    const split = (text: string | undefined) => (text ?? '').split(',').filter((item) => item !== '');
    if (p.LocalSubnet !== undefined) {
      if (split(p.LocalSubnet).length === 0) throw new RpcError(400, 'InvalidLocalSubnet.Malformed', 'LocalSubnet must not be empty.');
      connection.local = split(p.LocalSubnet);
    }
    if (p.RemoteSubnet !== undefined) {
      if (split(p.RemoteSubnet).length === 0) throw new RpcError(400, 'InvalidRemoteSubnet.Malformed', 'RemoteSubnet must not be empty.');
      connection.remote = split(p.RemoteSubnet);
    }
    return { VpnConnectionId: p.VpnConnectionId, LocalSubnet: connection.local.join(','), RemoteSubnet: connection.remote.join(',') };
  }

  private gateway(id: string | undefined) {
    const gateway = id ? this.vpnGateways.get(id) : undefined;
    if (!gateway) throw new RpcError(404, 'VpnGateway.NotFound', `The VPN gateway ${id} does not exist.`);
    return gateway;
  }

  private describeVpnRouteEntries(p: Params): Record<string, unknown> {
    const routes = this.gateway(p.VpnGatewayId);
    const page = Number(p.PageNumber ?? 1);
    const size = Number(p.PageSize ?? 10);
    return {
      TotalCount: routes.length,
      PageNumber: page,
      PageSize: size,
      VpnRouteEntries: {
        VpnRouteEntry: routes.slice((page - 1) * size, page * size).map((route) => ({
          RouteDest: route.routeDest,
          NextHop: route.nextHop,
          Weight: route.weight,
          State: 'published',
          RouteEntryType: 'custom',
          VpnInstanceId: p.VpnGatewayId,
        })),
      },
    };
  }

  private createVpnRouteEntry(p: Params): Record<string, unknown> {
    const routes = this.gateway(p.VpnGatewayId);
    if (routes.some((route) => route.routeDest === p.RouteDest && route.nextHop === p.NextHop)) {
      throw new RpcError(400, 'VpnRouteEntry.AlreadyExists', 'The specified route entry already exists.');
    }
    routes.push({ routeDest: p.RouteDest ?? '', nextHop: p.NextHop ?? '', weight: Number(p.Weight ?? 100), description: p.Description ?? '' });
    return { RouteDest: p.RouteDest, NextHop: p.NextHop, Weight: Number(p.Weight ?? 100), State: 'published' };
  }

  private deleteVpnRouteEntry(p: Params): Record<string, unknown> {
    const routes = this.gateway(p.VpnGatewayId);
    const index = routes.findIndex((route) => route.routeDest === p.RouteDest && route.nextHop === p.NextHop);
    if (index < 0) throw new RpcError(404, 'VpnRouteEntry.NotFound', 'The specified route entry does not exist.');
    routes.splice(index, 1);
    return {};
  }

  // ---- vSwitch association ----------------------------------------------------------------------------

  private describeVSwitchAttributes(p: Params): Record<string, unknown> {
    const vSwitch = p.VSwitchId ? this.vSwitches.get(p.VSwitchId) : undefined;
    if (!vSwitch) throw new RpcError(404, 'InvalidVSwitchId.NotFound', `The vSwitch ${p.VSwitchId} does not exist.`);
    return { VSwitchId: p.VSwitchId, RouteTable: { RouteTableId: vSwitch.routeTableId, RouteTableType: vSwitch.type } };
  }

  private associateRouteTable(p: Params, bind: boolean): Record<string, unknown> {
    const vSwitch = p.VSwitchId ? this.vSwitches.get(p.VSwitchId) : undefined;
    if (!vSwitch) throw new RpcError(404, 'InvalidVSwitchId.NotFound', `The vSwitch ${p.VSwitchId} does not exist.`);
    if (bind) {
      if (vSwitch.type === 'Custom') throw new RpcError(400, 'InvalidStatus.RouteTableAssociated', 'The vSwitch is already associated with a custom route table.');
      this.vSwitches.set(p.VSwitchId!, { routeTableId: p.RouteTableId ?? '', type: 'Custom' });
    } else {
      this.vSwitches.set(p.VSwitchId!, { routeTableId: 'vtb-system', type: 'System' });
    }
    return {};
  }

  // ---- CEN transit router routes ----------------------------------------------------------------------

  private transitTable(id: string | undefined): Map<string, TransitRecord> {
    const table = id ? this.transitTables.get(id) : undefined;
    if (!table) throw new RpcError(404, 'InvalidTransitRouterRouteTableId.NotFound', `The route table ${id} does not exist.`);
    return table;
  }

  private listTransitRouterRouteEntries(p: Params): Record<string, unknown> {
    const table = this.transitTable(p.TransitRouterRouteTableId);
    for (const [cidr, route] of [...table]) {
      if (route.pendingReads > 0) {
        route.pendingReads -= 1;
        continue;
      }
      if (route.status === 'Creating') route.status = 'Active';
      if (route.status === 'Deleting') table.delete(cidr);
    }
    const rows = [...table.values()].filter((route) => !p.TransitRouterRouteEntryDestinationCidrBlock || route.cidr === p.TransitRouterRouteEntryDestinationCidrBlock);
    return {
      TotalCount: rows.length,
      MaxResults: Number(p.MaxResults ?? 50),
      NextToken: '',
      TransitRouterRouteEntries: rows.map((route) => ({
        TransitRouterRouteEntryId: route.id,
        TransitRouterRouteEntryDestinationCidrBlock: route.cidr,
        TransitRouterRouteEntryNextHopType: route.nextHopType,
        TransitRouterRouteEntryNextHopId: route.nextHopId,
        TransitRouterRouteEntryStatus: route.status,
        TransitRouterRouteEntryType: route.type,
        TransitRouterRouteEntryDescription: route.description,
      })),
    };
  }

  private createTransitRouterRouteEntry(p: Params): Record<string, unknown> {
    const table = this.transitTable(p.TransitRouterRouteTableId);
    const cidr = p.TransitRouterRouteEntryDestinationCidrBlock ?? '';
    const existing = table.get(cidr);
    if (existing && existing.type === 'Static') {
      throw new RpcError(400, 'InvalidDestinationCidrBlock.Duplicated', 'A static route with the same destination CIDR block already exists.');
    }
    const route: TransitRecord = {
      id: this.id('rte'),
      cidr,
      nextHopId: p.TransitRouterRouteEntryNextHopId,
      nextHopType: p.TransitRouterRouteEntryNextHopType ?? 'Attachment',
      description: p.TransitRouterRouteEntryDescription ?? '',
      type: 'Static',
      status: 'Creating',
      pendingReads: this.asyncReads,
    };
    table.set(cidr, route);
    return { TransitRouterRouteEntryId: route.id };
  }

  private deleteTransitRouterRouteEntry(p: Params): Record<string, unknown> {
    for (const table of this.transitTables.values()) {
      for (const route of table.values()) {
        if (route.id === p.TransitRouterRouteEntryId) {
          if (route.status === 'Creating') throw new RpcError(400, 'IncorrectStatus.RouteEntry', 'The route entry is being created.');
          route.status = 'Deleting';
          route.pendingReads = this.asyncReads;
          return {};
        }
      }
    }
    throw new RpcError(404, 'InvalidTransitRouterRouteEntryId.NotFound', 'The specified route entry does not exist.');
  }

  // ---- ECS security groups ----------------------------------------------------------------------------

  private group(id: string | undefined): RuleRecord[] {
    const group = id ? this.securityGroups.get(id) : undefined;
    if (!group) throw new RpcError(404, 'InvalidSecurityGroupId.NotFound', `The security group ${id} does not exist.`);
    return group;
  }

  private describeSecurityGroupAttribute(p: Params): Record<string, unknown> {
    const group = this.group(p.SecurityGroupId);
    return {
      SecurityGroupId: p.SecurityGroupId,
      RegionId: p.RegionId,
      Permissions: {
        Permission: group.map((rule) => ({
          IpProtocol: rule.protocol,
          PortRange: rule.portRange,
          SourceCidrIp: rule.cidr,
          Policy: rule.policy,
          Direction: 'ingress',
          Description: rule.description,
          SecurityGroupRuleId: rule.id,
          NicType: 'intranet',
          Priority: 1,
        })),
      },
    };
  }

  private matches(rule: RuleRecord, p: Params): boolean {
    return rule.protocol === (p.IpProtocol ?? '').toUpperCase() && rule.portRange === p.PortRange && rule.cidr === p.SourceCidrIp;
  }

  private authorizeSecurityGroup(p: Params): Record<string, unknown> {
    const group = this.group(p.SecurityGroupId);
    // An identical rule is a no-op, as ECS documents.
    if (!group.some((rule) => this.matches(rule, p))) {
      if (group.length >= 200) throw new RpcError(400, 'QuotaExceed.AuthorizationRule', 'The maximum number of rules is exceeded.');
      group.push({ protocol: (p.IpProtocol ?? '').toUpperCase(), portRange: p.PortRange ?? '', cidr: p.SourceCidrIp ?? '', policy: 'Accept', description: p.Description ?? '', id: this.id('sgr') });
    }
    return {};
  }

  private revokeSecurityGroup(p: Params): Record<string, unknown> {
    const group = this.group(p.SecurityGroupId);
    const index = group.findIndex((rule) => this.matches(rule, p));
    if (index >= 0) group.splice(index, 1);
    return {};
  }

  // ---- Redis / RDS whitelists -------------------------------------------------------------------------

  private whitelist(target: string): Map<string, string[]> {
    const whitelist = this.whitelists.get(target);
    if (!whitelist) {
      throw new RpcError(404, target.startsWith('rds:') ? 'InvalidDBInstanceId.NotFound' : 'InvalidInstanceId.NotFound', `The instance ${target} does not exist.`);
    }
    return whitelist;
  }

  private describeSecurityIps(target: string): Record<string, unknown> {
    const groups = [...this.whitelist(target)].map(([name, ips]) => ({ SecurityIpGroupName: name, SecurityIpGroupAttribute: '', SecurityIpList: ips.join(',') }));
    return { SecurityIpGroups: { SecurityIpGroup: groups } };
  }

  private describeDBInstanceIPArrayList(target: string): Record<string, unknown> {
    const groups = [...this.whitelist(target)].map(([name, ips]) => ({ DBInstanceIPArrayName: name, DBInstanceIPArrayAttribute: '', SecurityIPType: 'IPv4', SecurityIPList: ips.join(',') }));
    return { Items: { DBInstanceIPArray: groups } };
  }

  private modifySecurityIps(target: string, groupName: string, p: Params): Record<string, unknown> {
    const whitelist = this.whitelist(target);
    const ips = (p.SecurityIps ?? '').split(',').filter((ip) => ip !== '');
    const current = whitelist.get(groupName) ?? [];
    const mode = p.ModifyMode ?? 'Cover';
    let next: string[];
    if (mode === 'Append') next = [...current, ...ips.filter((ip) => !current.includes(ip))];
    else if (mode === 'Delete') next = current.filter((ip) => !ips.includes(ip));
    else next = ips;
    if (next.length === 0 && groupName === 'default') {
      throw new RpcError(400, 'InvalidSecurityIps.Empty', 'At least one IP address must remain in the default whitelist.');
    }
    if (next.length === 0) whitelist.delete(groupName);
    else whitelist.set(groupName, next);
    return {};
  }
}
