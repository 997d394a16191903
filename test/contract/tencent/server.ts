// A local Tencent Cloud API server for contract tests: speaks TC3 (JSON POST, X-TC-Action / X-TC-Version,
// Authorization TC3-HMAC-SHA256 required but not verified), answers `{Response:{...,RequestId}}` and errors
// as HTTP 200 `{Response:{Error:{Code,Message},RequestId}}`, and keeps state for the VPC (2017-03-12),
// Redis (2018-04-12) and CDB (2017-03-20) actions the tencent adapter uses, with Tencent's error codes.
// Listens on 127.0.0.1 only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cidrsOverlap, isCidr, normaliseCidr } from '../../../functions/domain/cidr.js';
import type { NetworkEntry } from '../../../functions/domain/model.js';

type Json = Record<string, unknown>;

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface StoredRoute {
  RouteId: number;
  RouteItemId: string;
  DestinationCidrBlock: string;
  GatewayType: string;
  GatewayId: string;
  RouteDescription: string;
  Enabled: boolean;
  RouteType: string;
  RouteTableId: string;
}
interface RouteTableState {
  vpcId: string;
  main: boolean;
  routes: StoredRoute[];
  /** TKE container CIDRs routed in this table: a user route overlapping one fails ConflictWithDockerRoute. */
  containerCidrs: string[];
}
interface SubnetState {
  vpcId: string;
  cidr: string;
  routeTableId: string;
}
export interface Spd {
  LocalCidrBlock: string;
  RemoteCidrBlock: string[];
}
interface VpnConnectionState {
  vpnGatewayId: string;
  state: string;
  spd: Spd[];
}
interface VpnGatewayRouteState {
  RouteId: string;
  DestinationCidrBlock: string;
  InstanceType: string;
  InstanceId: string;
  Priority: number;
  Status: string;
  Type: string;
  Description: string;
}
interface CcnRouteState {
  RouteId: string;
  DestinationCidrBlock: string;
  InstanceType: string;
  InstanceId: string;
  InstanceRegion: string;
  Enabled: boolean;
}
interface DxRouteState {
  RouteId: string;
  DestinationCidrBlock: string;
  Description: string;
}
export interface StoredPolicy {
  Protocol: string;
  Port: string;
  CidrBlock: string;
  Action: string;
  PolicyDescription: string;
}
/** An elastic network interface (a CVM's primary one included) and what diagnose reads of it. */
export interface NetworkInterfaceState {
  vpcId: string;
  subnetId: string;
  ips: string[];
  groups: string[];
  description: string;
}
interface SecurityGroupState {
  version: number;
  ingress: StoredPolicy[];
  egress: StoredPolicy[];
}

const VERSIONS = { vpc: '2017-03-12', redis: '2018-04-12', cdb: '2017-03-20' } as const;
const STS_VERSION = '2018-08-13';

function str(body: Json, key: string, required = true): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${key}\`.`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ApiError('InvalidParameter', `\`${key}\` must be a string.`);
  return value;
}

function list(body: Json, key: string, required = true): unknown[] {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new ApiError('MissingParameter', `The request is missing a required parameter \`${key}\`.`);
    return [];
  }
  if (!Array.isArray(value)) throw new ApiError('InvalidParameter', `\`${key}\` must be an array.`);
  return value;
}

function obj(value: unknown, key: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ApiError('InvalidParameter', `\`${key}\` must be an object.`);
  return value as Json;
}

function strings(body: Json, key: string, required = true): string[] {
  return list(body, key, required).map((value) => {
    if (typeof value !== 'string') throw new ApiError('InvalidParameter', `\`${key}\` must hold strings.`);
    return value;
  });
}

function cidr(text: string | undefined, key: string): string {
  if (!text || !isCidr(text)) throw new ApiError('InvalidParameterValue.Malformed', `\`${key}\` "${text ?? ''}" is not a valid CIDR.`);
  return normaliseCidr(text);
}

function page<T>(items: T[], body: Json): T[] {
  const offset = Number(body.Offset ?? 0);
  const limit = Number(body.Limit ?? 20);
  return items.slice(offset, offset + limit);
}

function filters(body: Json): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const raw of list(body, 'Filters', false)) {
    const filter = obj(raw, 'Filters');
    result.set(String(filter.Name), strings(filter, 'Values'));
  }
  return result;
}

export class TencentContractServer {
  readonly routeTables = new Map<string, RouteTableState>();
  readonly subnets = new Map<string, SubnetState>();
  readonly vpnConnections = new Map<string, VpnConnectionState>();
  readonly vpnGateways = new Map<string, VpnGatewayRouteState[]>();
  readonly ccns = new Map<string, CcnRouteState[]>();
  readonly dxGateways = new Map<string, DxRouteState[]>();
  /** What each Direct Connect gateway is attached to: a VPC (the default) or a CCN. */
  readonly dxNetworks = new Map<string, { networkType: 'VPC' | 'CCN'; networkInstanceId: string }>();
  readonly securityGroups = new Map<string, SecurityGroupState>();
  readonly networkInterfaces = new Map<string, NetworkInterfaceState>();
  /** "redis:crs-1" / "cdb:cdb-1" -> bound security group ids. */
  readonly dbInstances = new Map<string, string[]>();
  /** Every request: action, API version and whether it was signed. */
  readonly calls: { action: string; version: string; authorization: string }[] = [];
  /** Most SPD entries a connection accepts (LimitExceeded.SpdAclLimit past it). */
  spdLimit = 50;

  /** The roles AssumeRole was asked for, in order (with the external id when one was sent). */
  readonly assumedRoles: { roleArn: string; externalId?: string }[] = [];
  private readonly accounts = new Map<string, TencentContractServer>();
  /** Temporary SecretId -> the UIN of the account its role belongs to. */
  private readonly temporaryKeys = new Map<string, string>();
  private readonly failures = new Map<string, { code: string; message: string; remaining: number }[]>();
  private readonly hooks = new Map<string, (() => void)[]>();
  private counter = 0;
  private server: Server | undefined;
  private port = 0;

  get endpoint(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(0, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    this.server = undefined;
  }

  // ---------------------------------------------------------------- fault injection

  /** The next `times` calls of `action` answer RequestLimitExceeded. */
  throttle(action: string, times: number): void {
    this.failNext(action, 'RequestLimitExceeded', 'Your current request times equals to `20` in a second, which exceeds the frequency limit.', times);
  }

  /** The next `times` calls of `action` answer this error code. */
  failNext(action: string, code: string, message = `injected ${code}`, times = 1): void {
    const queue = this.failures.get(action) ?? [];
    queue.push({ code, message, remaining: times });
    this.failures.set(action, queue);
  }

  /** Runs `hook` just before the next call of `action` is served: a writer racing the adapter's read and write. */
  beforeNext(action: string, hook: () => void): void {
    const hooks = this.hooks.get(action) ?? [];
    hooks.push(hook);
    this.hooks.set(action, hooks);
  }

  callsOf(action: string): number {
    return this.calls.filter((call) => call.action === action).length;
  }

  // ---------------------------------------------------------------- seeds (the account as others left it)

  seedRouteTable(routeTableId: string, options: { vpcId?: string; main?: boolean; containerCidrs?: string[] } = {}): void {
    this.routeTables.set(routeTableId, { vpcId: options.vpcId ?? 'vpc-contract', main: options.main ?? false, routes: [], containerCidrs: options.containerCidrs ?? [] });
  }

  seedRoute(routeTableId: string, route: { cidr: string; gatewayType: string; gatewayId: string; description?: string }): StoredRoute {
    const table = this.mustTable(routeTableId);
    const stored: StoredRoute = {
      RouteId: ++this.counter,
      RouteItemId: `rti-${this.counter}`,
      DestinationCidrBlock: normaliseCidr(route.cidr),
      GatewayType: route.gatewayType,
      GatewayId: route.gatewayId,
      RouteDescription: route.description ?? '',
      Enabled: true,
      RouteType: 'USER',
      RouteTableId: routeTableId,
    };
    table.routes.push(stored);
    return stored;
  }

  seedSubnet(subnetId: string, subnet: SubnetState): void {
    this.subnets.set(subnetId, { ...subnet });
  }

  seedVpnConnection(vpnConnectionId: string, options: { vpnGatewayId?: string; state?: string; spd?: Spd[] } = {}): void {
    this.vpnConnections.set(vpnConnectionId, {
      vpnGatewayId: options.vpnGatewayId ?? 'vpngw-contract',
      state: options.state ?? 'AVAILABLE',
      spd: (options.spd ?? []).map((policy) => ({ LocalCidrBlock: policy.LocalCidrBlock, RemoteCidrBlock: [...policy.RemoteCidrBlock] })),
    });
  }

  seedVpnGateway(vpnGatewayId: string): void {
    if (!this.vpnGateways.has(vpnGatewayId)) this.vpnGateways.set(vpnGatewayId, []);
  }

  seedVpnGatewayRoute(vpnGatewayId: string, route: { cidr: string; instanceId: string; instanceType?: string; description?: string }): void {
    this.seedVpnGateway(vpnGatewayId);
    this.vpnGateways.get(vpnGatewayId)?.push({
      RouteId: `vpngwr-${++this.counter}`,
      DestinationCidrBlock: normaliseCidr(route.cidr),
      InstanceType: route.instanceType ?? 'VPNCONN',
      InstanceId: route.instanceId,
      Priority: 0,
      Status: 'ENABLE',
      Type: 'Static',
      Description: route.description ?? '',
    });
  }

  seedCcn(ccnId: string): void {
    if (!this.ccns.has(ccnId)) this.ccns.set(ccnId, []);
  }

  /** A route the CCN registered when an instance was attached. */
  seedCcnRoute(ccnId: string, route: { cidr: string; instanceId: string; instanceType?: string; enabled?: boolean }): string {
    this.seedCcn(ccnId);
    const routeId = `ccnr-${++this.counter}`;
    this.ccns.get(ccnId)?.push({
      RouteId: routeId,
      DestinationCidrBlock: normaliseCidr(route.cidr),
      InstanceType: route.instanceType ?? 'VPC',
      InstanceId: route.instanceId,
      InstanceRegion: 'ap-guangzhou',
      Enabled: route.enabled ?? false,
    });
    return routeId;
  }

  seedDxGateway(gatewayId: string, network: { networkType: 'VPC' | 'CCN'; networkInstanceId: string } = { networkType: 'VPC', networkInstanceId: 'vpc-unknown' }): void {
    if (!this.dxGateways.has(gatewayId)) this.dxGateways.set(gatewayId, []);
    if (!this.dxNetworks.has(gatewayId) || network.networkType === 'CCN') this.dxNetworks.set(gatewayId, network);
  }

  seedDxRoute(gatewayId: string, cidrText: string, description = ''): void {
    this.seedDxGateway(gatewayId);
    this.dxGateways.get(gatewayId)?.push({ RouteId: `ccnr-${++this.counter}`, DestinationCidrBlock: normaliseCidr(cidrText), Description: description });
  }

  seedSecurityGroup(securityGroupId: string, ingress: StoredPolicy[] = []): void {
    this.securityGroups.set(securityGroupId, { version: 1, ingress: ingress.map((policy) => ({ ...policy })), egress: [] });
  }

  seedSecurityGroupPolicy(securityGroupId: string, policy: StoredPolicy): void {
    const group = this.securityGroups.get(securityGroupId);
    if (!group) throw new Error(`seed the security group ${securityGroupId} first`);
    group.ingress.push({ ...policy });
    group.version++;
  }

  seedNetworkInterface(networkInterfaceId: string, eni: NetworkInterfaceState): void {
    this.networkInterfaces.set(networkInterfaceId, { ...eni, ips: [...eni.ips], groups: [...eni.groups] });
  }

  seedDbInstance(product: 'redis' | 'cdb', instanceId: string, securityGroupIds: string[]): void {
    this.dbInstances.set(`${product}:${instanceId}`, [...securityGroupIds]);
  }

  /** A foreign entry, in the neutral words of the conformance suite. */
  seedNetworkEntry(entry: NetworkEntry): void {
    const description = 'created by hand';
    switch (entry.kind) {
      case 'route':
        this.seedRoute(entry.target, {
          cidr: entry.cidr ?? '',
          gatewayType: { 'vpn-gateway': 'VPN', 'dx-gateway': 'DIRECTCONNECT', peering: 'PEERCONNECTION', 'cloud-connect': 'USER_CCN' }[entry.nextHopType as string] ?? 'VPN',
          gatewayId: entry.nextHop ?? '',
          description,
        });
        return;
      case 'vpn-selector': {
        const connection = this.vpnConnections.get(entry.target);
        if (!connection) throw new Error(`seed the VPN connection ${entry.target} first`);
        const local = normaliseCidr(entry.cidr ?? '');
        const remote = normaliseCidr(entry.peerCidr ?? '');
        const policy = connection.spd.find((candidate) => candidate.LocalCidrBlock === local);
        if (policy) policy.RemoteCidrBlock.push(remote);
        else connection.spd.push({ LocalCidrBlock: local, RemoteCidrBlock: [remote] });
        return;
      }
      case 'vpn-route':
        this.seedVpnGatewayRoute(entry.target, { cidr: entry.cidr ?? '', instanceId: entry.nextHop ?? '', description });
        return;
      case 'cloud-connect-route':
        this.seedCcnRoute(entry.target, { cidr: entry.cidr ?? '', instanceId: entry.nextHop ?? '', enabled: entry.enabled ?? true });
        return;
      case 'dx-prefix':
        this.seedDxRoute(entry.target, entry.cidr ?? '', description);
        return;
      case 'sg-rule': {
        const [protocol, port] = (entry.port ?? 'all').split(':');
        this.seedSecurityGroupPolicy(entry.target, {
          Protocol: (protocol ?? 'all').toUpperCase(),
          Port: port ?? 'ALL',
          CidrBlock: normaliseCidr(entry.cidr ?? ''),
          Action: 'ACCEPT',
          PolicyDescription: description,
        });
        return;
      }
      default:
        throw new Error(`no seed for ${entry.kind}`);
    }
  }

  // ---------------------------------------------------------------- wire

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const requestId = `req-${++this.counter}`;
    const send = (payload: Json) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ Response: { ...payload, RequestId: requestId } }));
    };
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    try {
      if (request.method !== 'POST') throw new ApiError('UnsupportedProtocol', 'only POST is served here');
      const action = request.headers['x-tc-action'];
      const version = request.headers['x-tc-version'];
      const authorization = request.headers.authorization;
      if (typeof authorization !== 'string' || !authorization.startsWith('TC3-HMAC-SHA256 ')) {
        throw new ApiError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated: a TC3-HMAC-SHA256 Authorization header is required.');
      }
      if (typeof action !== 'string' || typeof version !== 'string') throw new ApiError('MissingParameter', 'X-TC-Action and X-TC-Version are required.');
      const text = Buffer.concat(chunks).toString('utf8');
      const parsed: unknown = text ? JSON.parse(text) : {};
      const body = obj(parsed, 'body');
      // a temporary key AssumeRole issued signs in its role's account (a token must come with it)
      const secretId = /Credential=([^/]+)\//.exec(authorization)?.[1] ?? '';
      const uin = this.temporaryKeys.get(secretId);
      if (uin !== undefined) {
        if (typeof request.headers['x-tc-token'] !== 'string') throw new ApiError('AuthFailure.TokenFailure', 'A temporary key needs its token (X-TC-Token).');
        this.calls.push({ action, version, authorization });
        send(this.accountOf(uin).answer(action, version, authorization, body));
        return;
      }
      send(this.answer(action, version, authorization, body));
    } catch (error) {
      if (error instanceof ApiError) send({ Error: { Code: error.code, Message: error.message } });
      else send({ Error: { Code: 'InternalError', Message: error instanceof Error ? error.message : String(error) } });
    }
  }

  /** One call of this account: logged, hooks and injected failures first, then served. */
  answer(action: string, version: string, authorization: string, body: Json): Json {
    this.calls.push({ action, version, authorization });
    this.hooks.get(action)?.shift()?.();
    const injected = this.failures.get(action)?.[0];
    if (injected) {
      injected.remaining--;
      if (injected.remaining <= 0) this.failures.get(action)?.shift();
      throw new ApiError(injected.code, injected.message);
    }
    if (version === STS_VERSION && action === 'AssumeRole') return this.assumeRole(body);
    return this.dispatch(version, action, body);
  }

  // ---------------------------------------------------------------- other accounts (STS AssumeRole)

  /**
   * Another account (its UIN), reached with keys STS AssumeRole issues for one of its roles (qcs::cam::uin/<UIN>:
   * roleName/<name>). Its resources are its own: seed them on the server returned.
   */
  addAccount(uin: string): TencentContractServer {
    const account = new TencentContractServer();
    this.accounts.set(uin, account);
    return account;
  }

  private accountOf(uin: string): TencentContractServer {
    const account = this.accounts.get(uin);
    if (!account) throw new ApiError('AuthFailure.SecretIdNotFound', `No account ${uin} here.`);
    return account;
  }

  private assumeRole(body: Json): Json {
    const roleArn = str(body, 'RoleArn') ?? '';
    str(body, 'RoleSessionName');
    const uin = /^qcs::cam::uin\/(\d+):roleName\/[\w+=,.@-]+$/.exec(roleArn)?.[1];
    if (!uin) throw new ApiError('InvalidParameterValue.RoleArnInvalid', `RoleArn ${roleArn} is not qcs::cam::uin/<UIN>:roleName/<name>.`);
    if (!this.accounts.has(uin)) throw new ApiError('ResourceNotFound.RoleNotExist', `The role ${roleArn} does not exist.`);
    this.assumedRoles.push({ roleArn, ...(typeof body.ExternalId === 'string' ? { externalId: body.ExternalId } : {}) });
    const tmpSecretId = `AKIDtmp${uin}x${++this.counter}`;
    this.temporaryKeys.set(tmpSecretId, uin);
    const expires = Math.floor(Date.now() / 1000) + 7200;
    return {
      Credentials: { Token: `token-${tmpSecretId}`, TmpSecretId: tmpSecretId, TmpSecretKey: `secret-${tmpSecretId}` },
      ExpiredTime: expires,
      Expiration: new Date(expires * 1000).toISOString(),
    };
  }

  private dispatch(version: string, action: string, body: Json): Json {
    if (version === VERSIONS.vpc) {
      switch (action) {
        case 'DescribeRouteTables':
          return this.describeRouteTables(body);
        case 'CreateRoutes':
          return this.createRoutes(body);
        case 'DeleteRoutes':
          return this.deleteRoutes(body);
        case 'ReplaceRoutes':
          return this.replaceRoutes(body);
        case 'DescribeSubnets':
          return this.describeSubnets(body);
        case 'ReplaceRouteTableAssociation':
          return this.replaceRouteTableAssociation(body);
        case 'DescribeVpnConnections':
          return this.describeVpnConnections(body);
        case 'ModifyVpnConnectionAttribute':
          return this.modifyVpnConnectionAttribute(body);
        case 'DescribeVpnGatewayRoutes':
          return this.describeVpnGatewayRoutes(body);
        case 'CreateVpnGatewayRoutes':
          return this.createVpnGatewayRoutes(body);
        case 'DeleteVpnGatewayRoutes':
          return this.deleteVpnGatewayRoutes(body);
        case 'ModifyVpnGatewayRoutes':
          return this.modifyVpnGatewayRoutes(body);
        case 'DescribeCcnRoutes':
          return this.describeCcnRoutes(body);
        case 'EnableCcnRoutes':
          return this.setCcnRoutes(body, true);
        case 'DisableCcnRoutes':
          return this.setCcnRoutes(body, false);
        case 'DescribeDirectConnectGateways':
          return this.describeDxGateways(body);
        case 'DescribeDirectConnectGatewayCcnRoutes':
          return this.describeDxRoutes(body);
        case 'CreateDirectConnectGatewayCcnRoutes':
          return this.createDxRoutes(body);
        case 'DeleteDirectConnectGatewayCcnRoutes':
          return this.deleteDxRoutes(body);
        case 'DescribeSecurityGroupPolicies':
          return this.describeSecurityGroupPolicies(body);
        case 'DescribeNetworkInterfaces':
          return this.describeNetworkInterfaces(body);
        case 'CreateSecurityGroupPolicies':
          return this.createSecurityGroupPolicies(body);
        case 'DeleteSecurityGroupPolicies':
          return this.deleteSecurityGroupPolicies(body);
      }
    }
    if (version === VERSIONS.redis && (action === 'DescribeDBSecurityGroups' || action === 'ModifyDBInstanceSecurityGroups')) {
      if (str(body, 'Product') !== 'redis') throw new ApiError('InvalidParameterValue', 'Product must be redis.');
      return action === 'DescribeDBSecurityGroups' ? this.describeDbGroups('redis', body) : this.modifyDbGroups('redis', body);
    }
    if (version === VERSIONS.cdb && (action === 'DescribeDBSecurityGroups' || action === 'ModifyDBInstanceSecurityGroups')) {
      return action === 'DescribeDBSecurityGroups' ? this.describeDbGroups('cdb', body) : this.modifyDbGroups('cdb', body);
    }
    throw new ApiError('InvalidAction', `The action ${action} (version ${version}) does not exist here.`);
  }

  // ---------------------------------------------------------------- route tables

  private mustTable(routeTableId: string): RouteTableState {
    const table = this.routeTables.get(routeTableId);
    if (!table) throw new ApiError('ResourceNotFound', `The route table ${routeTableId} does not exist.`);
    return table;
  }

  private tableJson(routeTableId: string, table: RouteTableState): Json {
    return {
      RouteTableId: routeTableId,
      VpcId: table.vpcId,
      Main: table.main,
      RouteSet: table.routes.map((route) => ({ ...route })),
      AssociationSet: [...this.subnets.entries()].filter(([, subnet]) => subnet.routeTableId === routeTableId).map(([subnetId]) => ({ SubnetId: subnetId, RouteTableId: routeTableId })),
    };
  }

  private describeRouteTables(body: Json): Json {
    const ids = strings(body, 'RouteTableIds', false);
    const byFilter = filters(body);
    if (ids.length > 0 && byFilter.size > 0) throw new ApiError('InvalidParameter.Coexist', 'RouteTableIds and Filters cannot be given together.');
    let tables: [string, RouteTableState][];
    if (ids.length > 0) {
      tables = ids.map((id) => [id, this.mustTable(id)]);
    } else {
      tables = [...this.routeTables.entries()].filter(([id, table]) => {
        for (const [name, values] of byFilter) {
          if (name === 'route-table-id' && !values.includes(id)) return false;
          if (name === 'vpc-id' && !values.includes(table.vpcId)) return false;
          if (name === 'association.main' && !values.includes(String(table.main))) return false;
        }
        return true;
      });
    }
    return { TotalCount: tables.length, RouteTableSet: page(tables, body).map(([id, table]) => this.tableJson(id, table)) };
  }

  private parseRoute(raw: unknown): { cidr: string; gatewayType: string; gatewayId: string; description: string; routeId: number | undefined } {
    const route = obj(raw, 'Routes');
    return {
      cidr: cidr(str(route, 'DestinationCidrBlock'), 'DestinationCidrBlock'),
      gatewayType: str(route, 'GatewayType') ?? '',
      gatewayId: str(route, 'GatewayId') ?? '',
      description: str(route, 'RouteDescription', false) ?? '',
      routeId: typeof route.RouteId === 'number' ? route.RouteId : undefined,
    };
  }

  private createRoutes(body: Json): Json {
    const routeTableId = str(body, 'RouteTableId') ?? '';
    const table = this.mustTable(routeTableId);
    const wanted = list(body, 'Routes').map((raw) => this.parseRoute(raw));
    for (const route of wanted) {
      if (!['VPN', 'DIRECTCONNECT', 'PEERCONNECTION', 'USER_CCN', 'CVM', 'NAT', 'HAVIP', 'NORMAL_CVM', 'EIP', 'LOCAL_GATEWAY', 'INTRANAT', 'GWLB_ENDPOINT'].includes(route.gatewayType)) {
        throw new ApiError('InvalidParameterValue', `GatewayType ${route.gatewayType} is not valid.`);
      }
      if (table.routes.some((existing) => existing.DestinationCidrBlock === route.cidr)) {
        throw new ApiError('InvalidParameterValue.Duplicate', `The destination ${route.cidr} already exists in ${routeTableId}.`);
      }
      const container = table.containerCidrs.find((containerCidr) => cidrsOverlap(containerCidr, route.cidr));
      if (container) throw new ApiError('UnsupportedOperation.ConflictWithDockerRoute', `The destination ${route.cidr} conflicts with the container route ${container}.`);
    }
    for (const route of wanted) this.seedRoute(routeTableId, { cidr: route.cidr, gatewayType: route.gatewayType, gatewayId: route.gatewayId, description: route.description });
    return { TotalCount: 1, RouteTableSet: [this.tableJson(routeTableId, table)] };
  }

  private deleteRoutes(body: Json): Json {
    const routeTableId = str(body, 'RouteTableId') ?? '';
    const table = this.mustTable(routeTableId);
    const ids = list(body, 'Routes').map((raw) => {
      const route = obj(raw, 'Routes');
      if (typeof route.RouteId !== 'number' && typeof route.RouteItemId !== 'string') throw new ApiError('MissingParameter', 'Routes.RouteId is required to delete a route.');
      return { routeId: route.RouteId, routeItemId: route.RouteItemId };
    });
    for (const id of ids) {
      if (!table.routes.some((route) => route.RouteId === id.routeId || route.RouteItemId === id.routeItemId)) {
        throw new ApiError('ResourceNotFound', `The route ${String(id.routeId ?? id.routeItemId)} does not exist in ${routeTableId}.`);
      }
    }
    table.routes = table.routes.filter((route) => !ids.some((id) => route.RouteId === id.routeId || route.RouteItemId === id.routeItemId));
    return {};
  }

  private replaceRoutes(body: Json): Json {
    const routeTableId = str(body, 'RouteTableId') ?? '';
    const table = this.mustTable(routeTableId);
    for (const raw of list(body, 'Routes')) {
      const route = this.parseRoute(raw);
      const stored = table.routes.find((candidate) => candidate.RouteId === route.routeId);
      if (!stored) throw new ApiError('ResourceNotFound', `The route ${String(route.routeId)} does not exist in ${routeTableId}.`);
      Object.assign(stored, { DestinationCidrBlock: route.cidr, GatewayType: route.gatewayType, GatewayId: route.gatewayId, RouteDescription: route.description });
    }
    return {};
  }

  private describeSubnets(body: Json): Json {
    const ids = strings(body, 'SubnetIds', false);
    const found = (ids.length > 0 ? ids : [...this.subnets.keys()]).map((id) => {
      const subnet = this.subnets.get(id);
      if (!subnet) throw new ApiError('ResourceNotFound', `The subnet ${id} does not exist.`);
      return { SubnetId: id, VpcId: subnet.vpcId, CidrBlock: subnet.cidr, RouteTableId: subnet.routeTableId };
    });
    return { TotalCount: found.length, SubnetSet: found };
  }

  private replaceRouteTableAssociation(body: Json): Json {
    const routeTableId = str(body, 'RouteTableId') ?? '';
    const subnetId = str(body, 'SubnetId') ?? '';
    const table = this.mustTable(routeTableId);
    const subnet = this.subnets.get(subnetId);
    if (!subnet) throw new ApiError('ResourceNotFound', `The subnet ${subnetId} does not exist.`);
    if (subnet.vpcId !== table.vpcId) throw new ApiError('UnsupportedOperation.VpcMismatch', `${subnetId} and ${routeTableId} are in different VPCs.`);
    subnet.routeTableId = routeTableId;
    return {};
  }

  // ---------------------------------------------------------------- VPN

  private mustConnection(vpnConnectionId: string): VpnConnectionState {
    const connection = this.vpnConnections.get(vpnConnectionId);
    if (!connection) throw new ApiError('ResourceNotFound.VpnConnNotExist', `The VPN connection ${vpnConnectionId} does not exist.`);
    return connection;
  }

  private describeVpnConnections(body: Json): Json {
    const ids = strings(body, 'VpnConnectionIds', false);
    const found = (ids.length > 0 ? ids : [...this.vpnConnections.keys()]).map((id) => {
      const connection = this.vpnConnections.get(id);
      if (!connection) throw new ApiError('ResourceNotFound', `The VPN connection ${id} does not exist.`);
      return {
        VpnConnectionId: id,
        VpnGatewayId: connection.vpnGatewayId,
        State: connection.state,
        SecurityPolicyDatabaseSet: connection.spd.map((policy) => ({ LocalCidrBlock: policy.LocalCidrBlock, RemoteCidrBlock: [...policy.RemoteCidrBlock] })),
      };
    });
    return { TotalCount: found.length, VpnConnectionSet: page(found, body) };
  }

  private modifyVpnConnectionAttribute(body: Json): Json {
    const vpnConnectionId = str(body, 'VpnConnectionId') ?? '';
    const connection = this.mustConnection(vpnConnectionId);
    if (connection.state !== 'AVAILABLE') throw new ApiError('UnsupportedOperation.InvalidVpnConnState', `The VPN connection ${vpnConnectionId} is ${connection.state}.`);
    if (body.SecurityPolicyDatabases === undefined) return {};
    const spd: Spd[] = list(body, 'SecurityPolicyDatabases').map((raw) => {
      const policy = obj(raw, 'SecurityPolicyDatabases');
      return {
        LocalCidrBlock: cidr(str(policy, 'LocalCidrBlock'), 'LocalCidrBlock'),
        RemoteCidrBlock: strings(policy, 'RemoteCidrBlock').map((remote) => cidr(remote, 'RemoteCidrBlock')),
      };
    });
    const pairs = spd.flatMap((policy) => policy.RemoteCidrBlock.map((remote) => ({ local: policy.LocalCidrBlock, remote })));
    if (pairs.length > this.spdLimit) throw new ApiError('LimitExceeded.SpdAclLimit', `A VPN connection holds at most ${this.spdLimit} SPD entries.`);
    for (let i = 0; i < pairs.length; i++) {
      for (let j = i + 1; j < pairs.length; j++) {
        const a = pairs[i];
        const b = pairs[j];
        if (a && b && cidrsOverlap(a.local, b.local) && cidrsOverlap(a.remote, b.remote)) {
          throw new ApiError('UnsupportedOperation.VpnConnSPDOverlap', `SPD ${a.local}->${a.remote} overlaps ${b.local}->${b.remote}.`);
        }
      }
    }
    // Another connection of the same gateway already carrying an overlapping pair.
    for (const [otherId, other] of this.vpnConnections) {
      if (otherId === vpnConnectionId || other.vpnGatewayId !== connection.vpnGatewayId) continue;
      for (const policy of other.spd) {
        for (const remote of policy.RemoteCidrBlock) {
          const clash = pairs.find((pair) => cidrsOverlap(pair.local, policy.LocalCidrBlock) && cidrsOverlap(pair.remote, remote));
          if (clash) throw new ApiError('InvalidParameterValue.VpnConnCidrConflict', `SPD ${clash.local}->${clash.remote} conflicts with ${otherId}.`);
        }
      }
    }
    connection.spd = spd;
    return {};
  }

  private mustVpnGateway(vpnGatewayId: string): VpnGatewayRouteState[] {
    const routes = this.vpnGateways.get(vpnGatewayId);
    if (!routes) throw new ApiError('ResourceNotFound', `The VPN gateway ${vpnGatewayId} does not exist.`);
    return routes;
  }

  private describeVpnGatewayRoutes(body: Json): Json {
    const routes = this.mustVpnGateway(str(body, 'VpnGatewayId') ?? '');
    return { TotalCount: routes.length, Routes: page(routes, body).map((route) => ({ ...route })) };
  }

  private createVpnGatewayRoutes(body: Json): Json {
    const vpnGatewayId = str(body, 'VpnGatewayId') ?? '';
    const routes = this.mustVpnGateway(vpnGatewayId);
    const created: VpnGatewayRouteState[] = [];
    for (const raw of list(body, 'Routes')) {
      const route = obj(raw, 'Routes');
      const destination = cidr(str(route, 'DestinationCidrBlock'), 'DestinationCidrBlock');
      const instanceId = str(route, 'InstanceId') ?? '';
      const instanceType = str(route, 'InstanceType') ?? '';
      if (instanceType !== 'VPNCONN' && instanceType !== 'CCN') throw new ApiError('InvalidParameterValue', `InstanceType ${instanceType} is not VPNCONN or CCN.`);
      if (instanceType === 'VPNCONN' && !this.vpnConnections.has(instanceId)) throw new ApiError('ResourceNotFound', `The VPN connection ${instanceId} does not exist.`);
      if (routes.some((existing) => existing.DestinationCidrBlock === destination && existing.InstanceId === instanceId)) {
        throw new ApiError('InvalidParameterValue.Duplicate', `The route ${destination} via ${instanceId} already exists.`);
      }
      created.push({
        RouteId: `vpngwr-${++this.counter}`,
        DestinationCidrBlock: destination,
        InstanceType: instanceType,
        InstanceId: instanceId,
        Priority: typeof route.Priority === 'number' ? route.Priority : 0,
        Status: str(route, 'Status', false) ?? 'ENABLE',
        Type: 'Static',
        Description: str(route, 'Description', false) ?? '',
      });
    }
    routes.push(...created);
    return { Routes: created };
  }

  private deleteVpnGatewayRoutes(body: Json): Json {
    const vpnGatewayId = str(body, 'VpnGatewayId') ?? '';
    const routes = this.mustVpnGateway(vpnGatewayId);
    const ids = strings(body, 'RouteIds');
    for (const id of ids) if (!routes.some((route) => route.RouteId === id)) throw new ApiError('ResourceNotFound', `The route ${id} does not exist.`);
    this.vpnGateways.set(vpnGatewayId, routes.filter((route) => !ids.includes(route.RouteId)));
    return {};
  }

  private modifyVpnGatewayRoutes(body: Json): Json {
    const routes = this.mustVpnGateway(str(body, 'VpnGatewayId') ?? '');
    for (const raw of list(body, 'Routes')) {
      const change = obj(raw, 'Routes');
      const routeId = str(change, 'RouteId');
      const route = routes.find((candidate) => candidate.RouteId === routeId);
      if (!route) throw new ApiError('ResourceNotFound', `The route ${routeId ?? ''} does not exist.`);
      const status = str(change, 'Status', false);
      if (status !== undefined) route.Status = status;
    }
    return {};
  }

  // ---------------------------------------------------------------- CCN

  private mustCcn(ccnId: string): CcnRouteState[] {
    const routes = this.ccns.get(ccnId);
    if (!routes) throw new ApiError('ResourceNotFound', `The CCN ${ccnId} does not exist.`);
    return routes;
  }

  private describeCcnRoutes(body: Json): Json {
    const routes = this.mustCcn(str(body, 'CcnId') ?? '');
    const ids = strings(body, 'RouteIds', false);
    const byFilter = filters(body);
    const matching = routes.filter((route) => {
      if (ids.length > 0 && !ids.includes(route.RouteId)) return false;
      const cidrs = byFilter.get('cidr-block');
      if (cidrs && !cidrs.includes(route.DestinationCidrBlock)) return false;
      const instances = byFilter.get('instance-id');
      if (instances && !instances.includes(route.InstanceId)) return false;
      return true;
    });
    return { TotalCount: matching.length, RouteSet: page(matching, body).map((route) => ({ ...route })) };
  }

  private setCcnRoutes(body: Json, enabled: boolean): Json {
    const routes = this.mustCcn(str(body, 'CcnId') ?? '');
    const ids = strings(body, 'RouteIds');
    const targets = ids.map((id) => {
      const route = routes.find((candidate) => candidate.RouteId === id);
      if (!route) throw new ApiError('ResourceNotFound', `The CCN route ${id} does not exist.`);
      return route;
    });
    if (enabled) {
      for (const route of targets) {
        const clash = routes.find((other) => other !== route && other.Enabled && cidrsOverlap(other.DestinationCidrBlock, route.DestinationCidrBlock));
        if (clash) {
          throw new ApiError('UnsupportedOperation.CcnRouteCidrOverlap', `The route ${route.DestinationCidrBlock} overlaps the enabled route ${clash.RouteId} (${clash.DestinationCidrBlock}).`);
        }
      }
    }
    for (const route of targets) route.Enabled = enabled;
    return {};
  }

  // ---------------------------------------------------------------- Direct Connect gateway CCN routes

  private mustDx(gatewayId: string): DxRouteState[] {
    const routes = this.dxGateways.get(gatewayId);
    if (!routes) throw new ApiError('ResourceNotFound', `The direct connect gateway ${gatewayId} does not exist.`);
    return routes;
  }

  private describeDxGateways(body: Json): Json {
    const ids = strings(body, 'DirectConnectGatewayIds', false);
    const found = [...this.dxNetworks.entries()]
      .filter(([id]) => ids.length === 0 || ids.includes(id))
      .map(([id, network]) => ({ DirectConnectGatewayId: id, NetworkType: network.networkType, NetworkInstanceId: network.networkInstanceId, GatewayType: 'NORMAL' }));
    return { TotalCount: found.length, DirectConnectGatewaySet: found };
  }

  private describeDxRoutes(body: Json): Json {
    const routes = this.mustDx(str(body, 'DirectConnectGatewayId') ?? '');
    return { TotalCount: routes.length, RouteSet: page(routes, body).map((route) => ({ ...route, ASPath: [] })) };
  }

  private createDxRoutes(body: Json): Json {
    const gatewayId = str(body, 'DirectConnectGatewayId') ?? '';
    const routes = this.mustDx(gatewayId);
    // CCN routes of a Direct Connect gateway are the IDC ranges a CCN-type gateway brings into its CCN
    if (this.dxNetworks.get(gatewayId)?.networkType !== 'CCN') {
      throw new ApiError('UnsupportedOperation.DirectConnectGatewayNotCcnType', `The direct connect gateway ${gatewayId} is not of network type CCN.`);
    }
    const wanted = list(body, 'Routes').map((raw) => {
      const route = obj(raw, 'Routes');
      return { cidr: cidr(str(route, 'DestinationCidrBlock'), 'DestinationCidrBlock'), description: str(route, 'Description', false) ?? '' };
    });
    for (const route of wanted) {
      if (routes.some((existing) => existing.DestinationCidrBlock === route.cidr)) throw new ApiError('InvalidParameterValue.Duplicate', `The IDC prefix ${route.cidr} already exists.`);
    }
    for (const route of wanted) this.seedDxRoute(gatewayId, route.cidr, route.description);
    return {};
  }

  private deleteDxRoutes(body: Json): Json {
    const gatewayId = str(body, 'DirectConnectGatewayId') ?? '';
    const routes = this.mustDx(gatewayId);
    const ids = strings(body, 'RouteIds');
    for (const id of ids) if (!routes.some((route) => route.RouteId === id)) throw new ApiError('ResourceNotFound', `The route ${id} does not exist.`);
    this.dxGateways.set(gatewayId, routes.filter((route) => !ids.includes(route.RouteId)));
    return {};
  }

  // ---------------------------------------------------------------- security groups

  private mustGroup(securityGroupId: string): SecurityGroupState {
    const group = this.securityGroups.get(securityGroupId);
    if (!group) throw new ApiError('ResourceNotFound', `The security group ${securityGroupId} does not exist.`);
    return group;
  }

  /**
   * Filters as the API reference says: address-ip matches a suffix of an address for one value ("单IP后缀模糊匹配")
   * unless ip-exact-match is TRUE, exactly for several values; NetworkInterfaceIds and Filters exclude each other.
   */
  private describeNetworkInterfaces(body: Json): Json {
    const given = filters(body);
    if (body.NetworkInterfaceIds !== undefined && given.size > 0) throw new ApiError('InvalidParameter.Coexist', 'NetworkInterfaceIds and Filters cannot be set together.');
    const ids = strings(body, 'NetworkInterfaceIds', false);
    const addresses = given.get('address-ip') ?? [];
    const exact = addresses.length > 1 || (given.get('ip-exact-match') ?? []).some((value) => value.toUpperCase() === 'TRUE');
    for (const name of given.keys()) {
      if (!['address-ip', 'ip-exact-match', 'vpc-id', 'subnet-id', 'network-interface-id'].includes(name)) throw new ApiError('InvalidParameterValue.FilterNotFound', `the filter ${name} is not served here`);
    }
    const holds = (eni: NetworkInterfaceState) => addresses.length === 0 || eni.ips.some((ip) => addresses.some((wanted) => (exact ? ip === wanted : ip.endsWith(wanted))));
    const matching = [...this.networkInterfaces.entries()].filter(
      ([id, eni]) =>
        (ids.length === 0 || ids.includes(id)) &&
        holds(eni) &&
        (given.get('vpc-id') ?? [eni.vpcId]).includes(eni.vpcId) &&
        (given.get('subnet-id') ?? [eni.subnetId]).includes(eni.subnetId) &&
        (given.get('network-interface-id') ?? [id]).includes(id),
    );
    const set = matching.map(([id, eni]) => ({
      NetworkInterfaceId: id,
      NetworkInterfaceDescription: eni.description,
      VpcId: eni.vpcId,
      SubnetId: eni.subnetId,
      GroupSet: [...eni.groups],
      Primary: true,
      PrivateIpAddressSet: eni.ips.map((ip, index) => ({ PrivateIpAddress: ip, Primary: index === 0, State: 'AVAILABLE' })),
    }));
    return { TotalCount: set.length, NetworkInterfaceSet: page(set, body) };
  }

  private describeSecurityGroupPolicies(body: Json): Json {
    const securityGroupId = str(body, 'SecurityGroupId') ?? '';
    const group = this.mustGroup(securityGroupId);
    const render = (policies: StoredPolicy[]) => policies.map((policy, index) => ({ ...policy, PolicyIndex: index, SecurityGroupId: securityGroupId }));
    return { SecurityGroupPolicySet: { Version: String(group.version), Ingress: render(group.ingress), Egress: render(group.egress) } };
  }

  private checkVersion(group: SecurityGroupState, set: Json): void {
    const version = set.Version;
    if (version !== undefined && version !== null && String(version) !== String(group.version)) {
      throw new ApiError('UnsupportedOperation.VersionMismatch', `The security group policy version ${String(version)} is not the latest (${group.version}).`);
    }
  }

  private parsePolicy(raw: unknown): StoredPolicy {
    const policy = obj(raw, 'SecurityGroupPolicySet.Ingress');
    const protocol = (str(policy, 'Protocol') ?? '').toUpperCase();
    if (!['TCP', 'UDP', 'ICMP', 'ICMPV6', 'GRE', 'ALL'].includes(protocol)) throw new ApiError('InvalidParameterValue', `Protocol ${protocol} is not valid.`);
    const port = protocol === 'TCP' || protocol === 'UDP' ? (str(policy, 'Port', false) ?? 'ALL') : 'ALL';
    const action = (str(policy, 'Action') ?? '').toUpperCase();
    if (action !== 'ACCEPT' && action !== 'DROP') throw new ApiError('InvalidParameterValue', `Action ${action} is not ACCEPT or DROP.`);
    return { Protocol: protocol, Port: port.toUpperCase(), CidrBlock: cidr(str(policy, 'CidrBlock'), 'CidrBlock'), Action: action, PolicyDescription: str(policy, 'PolicyDescription', false) ?? '' };
  }

  private samePolicy(a: StoredPolicy, b: StoredPolicy): boolean {
    return a.Protocol === b.Protocol && a.Port === b.Port && a.CidrBlock === b.CidrBlock && a.Action === b.Action;
  }

  private createSecurityGroupPolicies(body: Json): Json {
    const group = this.mustGroup(str(body, 'SecurityGroupId') ?? '');
    const set = obj(body.SecurityGroupPolicySet, 'SecurityGroupPolicySet');
    this.checkVersion(group, set);
    const ingress = list(set, 'Ingress', false).map((raw) => this.parsePolicy(raw));
    for (const policy of ingress) {
      if (group.ingress.some((existing) => this.samePolicy(existing, policy))) {
        throw new ApiError('UnsupportedOperation.DuplicatePolicy', `The policy ${policy.Protocol}:${policy.Port} ${policy.CidrBlock} already exists.`);
      }
    }
    group.ingress.push(...ingress);
    group.version++;
    return {};
  }

  private deleteSecurityGroupPolicies(body: Json): Json {
    const group = this.mustGroup(str(body, 'SecurityGroupId') ?? '');
    const set = obj(body.SecurityGroupPolicySet, 'SecurityGroupPolicySet');
    this.checkVersion(group, set);
    const doomed = new Set<number>();
    for (const raw of list(set, 'Ingress', false)) {
      const policy = obj(raw, 'SecurityGroupPolicySet.Ingress');
      if (typeof policy.PolicyIndex === 'number') {
        if (policy.PolicyIndex < 0 || policy.PolicyIndex >= group.ingress.length) throw new ApiError('ResourceNotFound', `No policy at index ${policy.PolicyIndex}.`);
        doomed.add(policy.PolicyIndex);
      } else {
        const wanted = this.parsePolicy(policy);
        const index = group.ingress.findIndex((existing) => this.samePolicy(existing, wanted));
        if (index < 0) throw new ApiError('ResourceNotFound', `No policy ${wanted.Protocol}:${wanted.Port} ${wanted.CidrBlock}.`);
        doomed.add(index);
      }
    }
    group.ingress = group.ingress.filter((_, index) => !doomed.has(index));
    group.version++;
    return {};
  }

  // ---------------------------------------------------------------- Redis / CDB security groups

  private mustInstance(product: 'redis' | 'cdb', instanceId: string): string[] {
    const groups = this.dbInstances.get(`${product}:${instanceId}`);
    if (!groups) {
      if (product === 'cdb') throw new ApiError('InvalidParameter.InstanceNotFound', `The instance ${instanceId} does not exist.`);
      throw new ApiError('ResourceNotFound.InstanceNotExists', `The instance ${instanceId} does not exist.`);
    }
    return groups;
  }

  private describeDbGroups(product: 'redis' | 'cdb', body: Json): Json {
    const groups = this.mustInstance(product, str(body, 'InstanceId') ?? '');
    return {
      Groups: groups.map((id) => ({
        SecurityGroupId: id,
        SecurityGroupName: id,
        Inbound: (this.securityGroups.get(id)?.ingress ?? []).map((policy) => ({ Action: policy.Action, CidrIp: policy.CidrBlock, PortRange: policy.Port, IpProtocol: policy.Protocol })),
        Outbound: [],
      })),
    };
  }

  private modifyDbGroups(product: 'redis' | 'cdb', body: Json): Json {
    const instanceId = str(body, 'InstanceId') ?? '';
    this.mustInstance(product, instanceId);
    const ids = strings(body, 'SecurityGroupIds');
    for (const id of ids) this.mustGroup(id);
    // A full replace, as Tencent documents: the new list is the whole binding.
    this.dbInstances.set(`${product}:${instanceId}`, [...ids]);
    return {};
  }
}

export async function startTencentContractServer(): Promise<TencentContractServer> {
  return new TencentContractServer().start();
}
