// A local Huawei Cloud contract server (127.0.0.1, port 0) speaking the REST JSON the SDK sends: VPC v1 route
// tables (errors {code, message}), VPC v3 security group rules, DCS v2 whitelists (applied asynchronously),
// VPN v5 connection policy rules and Direct Connect v3 virtual gateways (errors {error_code, error_msg}).
// State lives in memory; seed* helpers put foreign entries in behind the adapter's back. Error codes other than
// VPC.2809 (route overlap) and APIGW.0308 (throttled) are placeholders: the adapter keys on HTTP status for them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface HuaweiRoute {
  type: string;
  destination: string;
  nexthop: string;
  description?: string;
}
export interface HuaweiRouteTable {
  id: string;
  vpcId: string;
  isDefault: boolean;
  routes: HuaweiRoute[];
  subnets: string[];
}
export interface HuaweiRule {
  id: string;
  security_group_id: string;
  direction: string;
  ethertype: string;
  protocol: string | null;
  multiport: string | null;
  remote_ip_prefix: string | null;
  action: string;
  priority: number;
  description: string;
}
export interface WhitelistGroup {
  group_name: string;
  ip_list: string[];
}
export interface DcsInstance {
  /** The address clients connect to (ListInstances?ip=). */
  ip?: string;
  enable: boolean;
  whitelist: WhitelistGroup[];
  pending?: { enable: boolean; whitelist: WhitelistGroup[]; visibleAt: number };
}
/** A VPC port (an ECS NIC, a virtual IP): its fixed IPs and security groups. */
export interface HuaweiPort {
  id: string;
  network_id: string;
  fixed_ips: { ip_address: string; subnet_id: string }[];
  security_groups: string[];
  device_owner: string;
}
export interface PolicyRule {
  rule_index: number;
  source: string;
  destination: string[];
}

export interface HuaweiContractServerOptions {
  projectId: string;
  /** How long a DCS whitelist PUT takes to show in reads (the real service applies it asynchronously). */
  whitelistApplyDelayMs?: number;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(JSON.stringify(body));
  }
}

// VPC v1 ("encapsulated") APIs answer {code, message}; v3 and the other services {error_code, error_msg}.
const vpcV1Error = (status: number, code: string, message: string) => new HttpFailure(status, { code, message });
const apiError = (status: number, code: string, message: string) => new HttpFailure(status, { error_code: code, error_msg: message, request_id: randomUUID() });

export class HuaweiContractServer {
  readonly projectId: string;
  whitelistApplyDelayMs: number;
  readonly routeTables = new Map<string, HuaweiRouteTable>();
  readonly securityGroups = new Set<string>();
  readonly rules: HuaweiRule[] = [];
  readonly dcs = new Map<string, DcsInstance>();
  readonly vpnConnections = new Map<string, { style: string; rules: PolicyRule[] }>();
  readonly virtualGateways = new Map<string, string[]>();
  readonly ports: HuaweiPort[] = [];
  /** Every request as method + path, for assertions on what the SDK sent. */
  readonly requests: { method: string; path: string; authorization?: string; projectHeader?: string }[] = [];
  /** Runs before a request is answered (e.g. to let a concurrent writer act between the adapter's read and write). */
  onRequest?: (method: string, path: string) => void;
  private throttled = 0;
  private failures: number[] = [];
  private server?: Server;

  constructor(options: HuaweiContractServerOptions) {
    this.projectId = options.projectId;
    this.whitelistApplyDelayMs = options.whitelistApplyDelayMs ?? 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  }

  // ---- seeding and fault injection ------------------------------------------------------------------

  addRouteTable(id: string, options: { vpcId?: string; isDefault?: boolean; subnets?: string[] } = {}): void {
    this.routeTables.set(id, { id, vpcId: options.vpcId ?? 'vpc-1', isDefault: options.isDefault ?? false, routes: [], subnets: options.subnets ?? [] });
  }
  /** Puts a subnet in this table (out of any other: a Huawei subnet sits in exactly one). */
  bindSubnet(subnetId: string, routeTableId: string): void {
    const table = this.mustTable(routeTableId);
    for (const other of this.routeTables.values()) other.subnets = other.subnets.filter((s) => s !== subnetId);
    table.subnets.push(subnetId);
  }
  seedRoute(routeTableId: string, route: HuaweiRoute): void {
    this.mustTable(routeTableId).routes.push({ ...route });
  }
  addSecurityGroup(id: string): void {
    this.securityGroups.add(id);
  }
  seedRule(securityGroupId: string, remoteIpPrefix: string, protocol: string | null, multiport: string | null, description = 'added by hand'): HuaweiRule {
    const rule: HuaweiRule = {
      id: randomUUID(),
      security_group_id: securityGroupId,
      direction: 'ingress',
      ethertype: remoteIpPrefix.includes(':') ? 'IPv6' : 'IPv4',
      protocol,
      multiport,
      remote_ip_prefix: remoteIpPrefix,
      action: 'allow',
      priority: 1,
      description,
    };
    this.rules.push(rule);
    return rule;
  }
  addDcsInstance(id: string, whitelist: WhitelistGroup[] = [], enable = true, ip?: string): void {
    this.dcs.set(id, { enable, whitelist: structuredClone(whitelist), ...(ip ? { ip } : {}) });
  }
  addPort(port: Omit<HuaweiPort, 'id'> & { id?: string }): HuaweiPort {
    const added = { ...port, id: port.id ?? randomUUID() };
    this.ports.push(added);
    return added;
  }
  /** Adds an address to a (foreign) whitelist group immediately. */
  seedWhitelist(instanceId: string, groupName: string, ip: string): void {
    const instance = this.mustDcs(instanceId);
    this.applyPending(instance);
    const group = instance.whitelist.find((g) => g.group_name === groupName);
    if (group) group.ip_list.push(ip);
    else instance.whitelist.push({ group_name: groupName, ip_list: [ip] });
  }
  /** The whitelist as a read would show it now. */
  whitelistOf(instanceId: string): WhitelistGroup[] {
    const instance = this.mustDcs(instanceId);
    this.applyPending(instance);
    return structuredClone(instance.whitelist);
  }
  addVpnConnection(id: string, rules: PolicyRule[] = [], style = 'POLICY'): void {
    this.vpnConnections.set(id, { style, rules: structuredClone(rules) });
  }
  addVirtualGateway(id: string, prefixes: string[] = []): void {
    this.virtualGateways.set(id, [...prefixes]);
  }
  /** The next `count` requests answer 429 APIGW.0308. */
  throttleNext(count: number): void {
    this.throttled = count;
  }
  /** The next requests answer these 5xx statuses, one each. */
  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  // ---- request handling -----------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const authorization = req.headers.authorization;
    const projectHeader = req.headers['x-project-id'] as string | undefined;
    this.requests.push({ method, path: url.pathname, ...(authorization ? { authorization } : {}), ...(projectHeader ? { projectHeader } : {}) });
    try {
      const raw = await readBody(req);
      if (!authorization?.startsWith('SDK-HMAC-SHA256 ')) throw apiError(401, 'APIGW.0301', 'Incorrect IAM authentication information: missing signature');
      if (this.throttled > 0) {
        this.throttled--;
        throw apiError(429, 'APIGW.0308', 'The throttling threshold has been reached');
      }
      const failure = this.failures.shift();
      if (failure) throw apiError(failure, 'SYS.0500', 'Internal Server Error');
      this.onRequest?.(method, url.pathname);
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      const [status, answer] = this.route(method, url, body);
      if (status === 204) {
        res.writeHead(204).end();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID() }).end(JSON.stringify(answer));
    } catch (error) {
      const failure = error instanceof HttpFailure ? error : apiError(500, 'SYS.0500', String(error));
      res.writeHead(failure.status, { 'content-type': 'application/json' }).end(JSON.stringify(failure.body));
    }
  }

  private route(method: string, url: URL, body: Record<string, unknown>): [number, unknown] {
    const parts = url.pathname.split('/').filter(Boolean);
    const [version, project, ...rest] = parts;
    if (project !== this.projectId) throw apiError(404, 'APIGW.0101', `The API does not exist or has not been published: ${url.pathname}`);
    const path = rest.join('/');
    let m: RegExpMatchArray | null;
    if (version === 'v1' && path === 'routetables' && method === 'GET') return [200, this.listRouteTables(url.searchParams.get('subnet_id'))];
    if (version === 'v1' && (m = path.match(/^routetables\/([^/]+)$/))) {
      if (method === 'GET') return [200, { routetable: this.tableView(this.mustTable(m[1]!, true)) }];
      if (method === 'PUT') return [200, this.updateRouteTable(m[1]!, body)];
    }
    if (version === 'v1' && (m = path.match(/^routetables\/([^/]+)\/action$/)) && method === 'POST') return [200, this.routeTableAction(m[1]!, body)];
    if (version === 'v3' && path === 'vpc/security-group-rules') {
      if (method === 'GET') return [200, this.listRules(url.searchParams)];
      if (method === 'POST') return [201, this.createRule(body)];
    }
    if (version === 'v3' && (m = path.match(/^vpc\/security-group-rules\/([^/]+)$/)) && method === 'DELETE') return this.deleteRule(m[1]!);
    // fixed_ips filters as Neutron does: "ip_address=..." / "subnet_id=...", each given one must hold
    if (version === 'v1' && path === 'ports' && method === 'GET') return [200, this.listPorts(url.searchParams.getAll('fixed_ips'))];
    if (version === 'v2' && path === 'instances' && method === 'GET') return [200, this.listDcsInstances(url.searchParams.get('ip'))];
    if (version === 'v2' && (m = path.match(/^instance\/([^/]+)\/whitelist$/))) {
      if (method === 'GET') return [200, this.readWhitelist(m[1]!)];
      if (method === 'PUT') return this.writeWhitelist(m[1]!, body);
    }
    if (version === 'v5' && (m = path.match(/^vpn-connection\/([^/]+)$/))) {
      if (method === 'GET') return [200, this.vpnView(m[1]!)];
      if (method === 'PUT') return [200, this.updateVpn(m[1]!, body)];
    }
    if (version === 'v3' && (m = path.match(/^dcaas\/virtual-gateways\/([^/]+)$/))) {
      if (method === 'GET') return [200, this.gatewayView(m[1]!)];
      if (method === 'PUT') return [200, this.updateGateway(m[1]!, body)];
    }
    throw apiError(404, 'APIGW.0101', `The API does not exist or has not been published: ${method} ${url.pathname}`);
  }

  // VPC v1 ports and DCS instances, by address

  private listPorts(fixedIps: string[]) {
    const filters = fixedIps.map((text) => {
      const [key, value] = text.split('=', 2);
      if ((key !== 'ip_address' && key !== 'subnet_id') || !value) throw vpcV1Error(400, 'VPC.0002', `invalid fixed_ips filter ${text}`);
      return { key: key as 'ip_address' | 'subnet_id', value };
    });
    const ports = this.ports.filter((port) => filters.every(({ key, value }) => port.fixed_ips.some((fixed) => fixed[key] === value)));
    return { ports: ports.map((port) => ({ ...structuredClone(port), tenant_id: this.projectId, status: 'ACTIVE', admin_state_up: true })) };
  }

  private listDcsInstances(ip: string | null) {
    const instances = [...this.dcs.entries()].filter(([, instance]) => !ip || instance.ip === ip);
    return { instance_num: instances.length, instances: instances.map(([id, instance]) => ({ instance_id: id, name: id, engine: 'Redis', ip: instance.ip ?? '', port: 6379, status: 'RUNNING' })) };
  }

  // VPC v1 route tables

  private mustTable(id: string, fromApi = false): HuaweiRouteTable {
    const table = this.routeTables.get(id);
    if (!table) {
      if (fromApi) throw vpcV1Error(404, 'VPC.2801', `RouteTable ${id} is not exist`);
      throw new Error(`no route table ${id}`);
    }
    return table;
  }

  private tableView(table: HuaweiRouteTable) {
    return {
      id: table.id,
      name: table.id,
      default: table.isDefault,
      routes: table.routes.map((route) => ({ ...route, description: route.description ?? '' })),
      subnets: table.subnets.map((id) => ({ id })),
      tenant_id: this.projectId,
      vpc_id: table.vpcId,
      description: '',
    };
  }

  private listRouteTables(subnetId: string | null) {
    const tables = [...this.routeTables.values()].filter((table) => !subnetId || table.subnets.includes(subnetId));
    return { routetables: tables.map((table) => ({ id: table.id, name: table.id, default: table.isDefault, subnets: table.subnets.map((id) => ({ id })), vpc_id: table.vpcId })) };
  }

  private updateRouteTable(id: string, body: Record<string, unknown>) {
    const table = this.mustTable(id, true);
    const routes = ((body.routetable as Record<string, unknown> | undefined)?.routes ?? {}) as Record<string, HuaweiRoute[] | undefined>;
    const next = table.routes.map((route) => ({ ...route }));
    for (const del of routes.del ?? []) {
      const at = next.findIndex((route) => route.destination === del.destination && (!del.nexthop || route.nexthop === del.nexthop));
      if (at < 0) throw vpcV1Error(404, 'VPC.2811', `route ${del.destination} is not exist`);
      next.splice(at, 1);
    }
    for (const mod of routes.mod ?? []) {
      const route = next.find((r) => r.destination === mod.destination);
      if (!route) throw vpcV1Error(404, 'VPC.2811', `route ${mod.destination} is not exist`);
      Object.assign(route, mod);
    }
    for (const add of routes.add ?? []) {
      if (!['ecs', 'eni', 'vip', 'nat', 'peering', 'vpn', 'dc', 'cc', 'er'].includes(add.type)) throw vpcV1Error(400, 'VPC.2804', `invalid route type ${add.type}`);
      if (next.some((route) => route.destination === add.destination)) {
        throw vpcV1Error(400, 'VPC.2809', 'NeutronError: the destination overlaps a route of the route table');
      }
      if (next.length >= 200) throw vpcV1Error(400, 'VPC.2812', 'the route table holds 200 routes already');
      next.push({ type: add.type, destination: add.destination, nexthop: add.nexthop, ...(add.description ? { description: add.description } : {}) });
    }
    table.routes = next;
    return { routetable: this.tableView(table) };
  }

  private routeTableAction(id: string, body: Record<string, unknown>) {
    const table = this.mustTable(id, true);
    const subnets = ((body.routetable as Record<string, unknown> | undefined)?.subnets ?? {}) as { associate?: string[]; disassociate?: string[] };
    const defaultTable = [...this.routeTables.values()].find((t) => t.isDefault && t.vpcId === table.vpcId);
    for (const subnet of subnets.associate ?? []) {
      // The API itself moves a subnet silently from whatever table it was in.
      for (const other of this.routeTables.values()) other.subnets = other.subnets.filter((s) => s !== subnet);
      table.subnets.push(subnet);
    }
    for (const subnet of subnets.disassociate ?? []) {
      if (!table.subnets.includes(subnet)) throw vpcV1Error(400, 'VPC.2813', `subnet ${subnet} is not associated with ${id}`);
      table.subnets = table.subnets.filter((s) => s !== subnet);
      if (defaultTable && defaultTable !== table) defaultTable.subnets.push(subnet);
    }
    return { routetable: this.tableView(table) };
  }

  // VPC v3 security group rules

  private listRules(query: URLSearchParams) {
    const groups = query.getAll('security_group_id');
    const direction = query.get('direction');
    const limit = Number(query.get('limit') ?? '2000');
    const marker = query.get('marker');
    let rules = this.rules.filter((rule) => (groups.length === 0 || groups.includes(rule.security_group_id)) && (!direction || rule.direction === direction));
    if (marker) rules = rules.slice(rules.findIndex((rule) => rule.id === marker) + 1);
    const page = rules.slice(0, limit);
    const more = rules.length > page.length;
    return {
      request_id: randomUUID(),
      security_group_rules: page,
      page_info: { previous_marker: page[0]?.id, current_count: page.length, ...(more ? { next_marker: page[page.length - 1]?.id } : {}) },
    };
  }

  private createRule(body: Record<string, unknown>) {
    const option = (body.security_group_rule ?? {}) as Partial<HuaweiRule>;
    if (!option.security_group_id || !this.securityGroups.has(option.security_group_id)) {
      throw apiError(404, 'VPC.0602', `security group ${option.security_group_id ?? ''} not found`);
    }
    const rule: HuaweiRule = {
      id: randomUUID(),
      security_group_id: option.security_group_id,
      direction: option.direction ?? 'ingress',
      ethertype: option.ethertype ?? 'IPv4',
      protocol: option.protocol ?? null,
      multiport: option.multiport ?? null,
      remote_ip_prefix: option.remote_ip_prefix ?? null,
      action: option.action ?? 'allow',
      priority: Number(option.priority ?? 1),
      description: option.description ?? '',
    };
    const duplicate = this.rules.some(
      (r) =>
        r.security_group_id === rule.security_group_id &&
        r.direction === rule.direction &&
        r.protocol === rule.protocol &&
        r.multiport === rule.multiport &&
        r.remote_ip_prefix === rule.remote_ip_prefix &&
        r.action === rule.action,
    );
    // Huawei refuses an identical rule with 409; the exact code is not relied upon by the adapter.
    if (duplicate) throw apiError(409, 'VPC.0606', 'Security group rule already exists');
    this.rules.push(rule);
    return { request_id: randomUUID(), security_group_rule: rule };
  }

  private deleteRule(id: string): [number, unknown] {
    const at = this.rules.findIndex((rule) => rule.id === id);
    if (at < 0) throw apiError(404, 'VPC.0604', `security group rule ${id} not found`);
    this.rules.splice(at, 1);
    return [204, undefined];
  }

  // DCS whitelist

  private mustDcs(id: string): DcsInstance {
    const instance = this.dcs.get(id);
    if (!instance) throw apiError(404, 'DCS.4001', `instance ${id} does not exist`);
    return instance;
  }

  private applyPending(instance: DcsInstance): void {
    if (instance.pending && Date.now() >= instance.pending.visibleAt) {
      instance.enable = instance.pending.enable;
      instance.whitelist = instance.pending.whitelist;
      delete instance.pending;
    }
  }

  private readWhitelist(id: string) {
    const instance = this.mustDcs(id);
    this.applyPending(instance);
    return { instance_id: id, enable_whitelist: instance.enable, whitelist: structuredClone(instance.whitelist) };
  }

  private writeWhitelist(id: string, body: Record<string, unknown>): [number, unknown] {
    const instance = this.mustDcs(id);
    const groups = (body.whitelist ?? []) as WhitelistGroup[];
    if (typeof body.enable_whitelist !== 'boolean') throw apiError(400, 'DCS.4800', 'enable_whitelist is required');
    if (groups.length > 4) throw apiError(400, 'DCS.4921', 'an instance holds at most 4 whitelist groups');
    const seen = new Set<string>();
    for (const group of groups) {
      if (!/^[A-Za-z][A-Za-z0-9_-]{4,}$/.test(group.group_name)) throw apiError(400, 'DCS.4922', `invalid group name ${group.group_name}`);
      for (const ip of group.ip_list) {
        if (seen.has(ip)) throw apiError(400, 'DCS.4923', `IP ${ip} is listed twice`);
        if (ip.startsWith('0.0.0.0')) throw apiError(400, 'DCS.4924', '0.0.0.0 is not supported');
        seen.add(ip);
      }
    }
    // Overwrites everything, and shows in reads only once applied.
    instance.pending = { enable: body.enable_whitelist, whitelist: structuredClone(groups), visibleAt: Date.now() + this.whitelistApplyDelayMs };
    this.applyPending(instance);
    return [204, undefined];
  }

  // VPN connections

  private vpnView(id: string) {
    const connection = this.vpnConnections.get(id);
    if (!connection) throw apiError(404, 'VPN.0002', `vpn connection ${id} not found`);
    return { vpn_connection: { id, name: id, style: connection.style, status: 'ACTIVE', policy_rules: structuredClone(connection.rules) }, request_id: randomUUID() };
  }

  private updateVpn(id: string, body: Record<string, unknown>) {
    const connection = this.vpnConnections.get(id);
    if (!connection) throw apiError(404, 'VPN.0002', `vpn connection ${id} not found`);
    const rules = ((body.vpn_connection as Record<string, unknown> | undefined)?.policy_rules ?? connection.rules) as PolicyRule[];
    if (rules.length > 5) throw apiError(400, 'VPN.0001', 'policy_rules: at most 5 rules');
    if (rules.reduce((sum, rule) => sum + rule.destination.length, 0) > 50) throw apiError(400, 'VPN.0001', 'policy_rules: at most 50 destinations');
    connection.rules = structuredClone(rules);
    return this.vpnView(id);
  }

  // Direct Connect virtual gateways

  private gatewayView(id: string) {
    const prefixes = this.virtualGateways.get(id);
    if (!prefixes) throw apiError(404, 'DCAAS.0002', `virtual gateway ${id} not found`);
    return { virtual_gateway: { id, name: id, local_ep_group: [...prefixes] }, request_id: randomUUID() };
  }

  private updateGateway(id: string, body: Record<string, unknown>) {
    if (!this.virtualGateways.has(id)) throw apiError(404, 'DCAAS.0002', `virtual gateway ${id} not found`);
    const group = (body.virtual_gateway as Record<string, unknown> | undefined)?.local_ep_group;
    if (Array.isArray(group)) this.virtualGateways.set(id, group.map(String));
    return this.gatewayView(id);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
