// A local stand-in for the AWS APIs moto lacks, driven by the real SDK: EC2 VPN static routes and tunnel options
// (ModifyVpnConnectionOptions) and transit gateway routes with their attachments (form-encoded Query requests,
// XML answers and XML errors), and Direct Connect gateway associations (awsJson1_1, X-Amz-Target
// OvertureService.<Op>). It keeps state, enforces what AWS enforces (single-CIDR selectors, 20 allowed prefixes
// per transit gateway association, VPC CIDRs only on a VGW association) and returns the documented error codes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cidrContains, isCidr } from '../../../functions/domain/cidr.js';

export interface VpnConnectionState {
  id: string;
  vpnGatewayId: string;
  state: string;
  localIpv4NetworkCidr?: string;
  remoteIpv4NetworkCidr?: string;
  routes: { cidr: string; source: string; state: string }[];
}

export interface TransitRouteState {
  attachmentId?: string;
  type: 'static' | 'propagated';
  state: 'active' | 'blackhole';
}

export interface DxAssociationState {
  associationId: string;
  directConnectGatewayId: string;
  associatedGateway: { id: string; type: 'transitGateway' | 'virtualPrivateGateway' };
  associationState: string;
  allowedPrefixes: string[];
  /** For a VGW association: the VPC's CIDRs, the only prefixes AWS accepts. */
  vpcCidrs?: string[];
}

export interface AwsContractState {
  vpnConnections: Map<string, VpnConnectionState>;
  transitRouteTables: Map<string, { transitGatewayId: string; routes: Map<string, TransitRouteState> }>;
  transitAttachments: { id: string; transitGatewayId: string; resourceId: string; state: string }[];
  dxAssociations: DxAssociationState[];
  knownDxGateways: Set<string>;
}

export interface InjectedFailure {
  action: string;
  code: string;
  status: number;
  times: number;
}

export interface AwsContractServer {
  endpoint: string;
  state: AwsContractState;
  /** Calls received, by action name, in order. */
  calls: string[];
  /** Every call received as `service:Action` (ec2 or directconnect), never cleared: the IAM actions the SDK sent. */
  sent: string[];
  failNext(failure: InjectedFailure): void;
  /** Drops failures injected but not yet served. */
  clearFailures(): void;
  stop(): Promise<void>;
}

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type XmlValue = string | number | boolean | undefined | XmlValue[] | { [key: string]: XmlValue };

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => `<item>${toXml(item)}</item>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escapeXml(String(value));
}

const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** `Prefix.1`, `Prefix.2`... of a Query request. */
function listParam(params: URLSearchParams, prefix: string): string[] {
  const values: string[] = [];
  for (let i = 1; params.has(`${prefix}.${i}`); i++) values.push(params.get(`${prefix}.${i}`) ?? '');
  return values;
}

function filters(params: URLSearchParams): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (let i = 1; params.has(`Filter.${i}.Name`); i++) result.set(params.get(`Filter.${i}.Name`) ?? '', listParam(params, `Filter.${i}.Value`));
  return result;
}

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (!value) throw new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

function requiredCidr(params: URLSearchParams, name: string): string {
  const value = required(params, name);
  if (!isCidr(value)) throw new ApiError('InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid`);
  return value;
}

export function emptyAwsContractState(): AwsContractState {
  return { vpnConnections: new Map(), transitRouteTables: new Map(), transitAttachments: [], dxAssociations: [], knownDxGateways: new Set() };
}

function ec2Action(state: AwsContractState, action: string, params: URLSearchParams): XmlValue {
  const connection = (id: string) => {
    const found = state.vpnConnections.get(id);
    if (!found || found.state === 'deleted') throw new ApiError('InvalidVpnConnectionID.NotFound', `The vpnConnection ID '${id}' does not exist`);
    return found;
  };
  const connectionXml = (c: VpnConnectionState): XmlValue => ({
    vpnConnectionId: c.id,
    vpnGatewayId: c.vpnGatewayId,
    state: c.state,
    type: 'ipsec.1',
    category: 'VPN',
    options: {
      staticRoutesOnly: true,
      localIpv4NetworkCidr: c.localIpv4NetworkCidr ?? '0.0.0.0/0',
      remoteIpv4NetworkCidr: c.remoteIpv4NetworkCidr ?? '0.0.0.0/0',
    },
    routes: c.routes.map((r) => ({ destinationCidrBlock: r.cidr, source: r.source, state: r.state })),
  });
  const table = (id: string) => {
    const found = state.transitRouteTables.get(id);
    if (!found) throw new ApiError('InvalidRouteTableID.NotFound', `Transit Gateway Route Table ${id} was deleted or does not exist.`);
    return found;
  };
  const attachment = (id: string | undefined) => state.transitAttachments.find((a) => a.id === id);
  const routeXml = (cidr: string, route: TransitRouteState): XmlValue => {
    const att = attachment(route.attachmentId);
    return {
      destinationCidrBlock: cidr,
      transitGatewayAttachments: att ? [{ resourceId: att.resourceId, transitGatewayAttachmentId: att.id, resourceType: 'vpc' }] : [],
      type: route.type,
      state: route.state,
    };
  };

  switch (action) {
    case 'DescribeVpnConnections': {
      const ids = listParam(params, 'VpnConnectionId');
      const gateway = filters(params).get('vpn-gateway-id');
      const chosen = ids.length > 0 ? ids.map(connection) : [...state.vpnConnections.values()].filter((c) => !gateway || gateway.includes(c.vpnGatewayId));
      return { vpnConnectionSet: chosen.map(connectionXml) };
    }
    case 'CreateVpnConnectionRoute': {
      const c = connection(required(params, 'VpnConnectionId'));
      const cidr = requiredCidr(params, 'DestinationCidrBlock');
      if (!c.routes.some((r) => r.cidr === cidr)) c.routes.push({ cidr, source: 'Static', state: 'available' });
      return { return: true };
    }
    case 'DeleteVpnConnectionRoute': {
      const c = connection(required(params, 'VpnConnectionId'));
      const cidr = requiredCidr(params, 'DestinationCidrBlock');
      const index = c.routes.findIndex((r) => r.cidr === cidr);
      if (index < 0) throw new ApiError('InvalidRoute.NotFound', `The route ${cidr} does not exist on ${c.id}`);
      c.routes.splice(index, 1);
      return { return: true };
    }
    case 'ModifyVpnConnectionOptions': {
      const c = connection(required(params, 'VpnConnectionId'));
      if (c.state !== 'available') throw new ApiError('IncorrectState', `The VPN connection ${c.id} is ${c.state}`);
      for (const [param, field] of [
        ['LocalIpv4NetworkCidr', 'localIpv4NetworkCidr'],
        ['RemoteIpv4NetworkCidr', 'remoteIpv4NetworkCidr'],
      ] as const) {
        const value = params.get(param);
        if (value === null) continue;
        // One CIDR per side: a list is rejected, as AWS does.
        if (!isCidr(value)) throw new ApiError('InvalidParameterValue', `${param} must be a single IPv4 CIDR: ${value}`);
        c[field] = value;
      }
      return { vpnConnection: connectionXml(c) };
    }
    case 'SearchTransitGatewayRoutes': {
      const t = table(required(params, 'TransitGatewayRouteTableId'));
      const f = filters(params);
      if (f.size === 0) throw new ApiError('MissingParameter', 'The request must contain the parameter Filters');
      const types = f.get('type');
      const exact = f.get('route-search.exact-match');
      const routes = [...t.routes.entries()].filter(([cidr, r]) => (!types || types.includes(r.type)) && (!exact || exact.includes(cidr)));
      return { routeSet: routes.map(([cidr, r]) => routeXml(cidr, r)), additionalRoutesAvailable: false };
    }
    case 'CreateTransitGatewayRoute': {
      const t = table(required(params, 'TransitGatewayRouteTableId'));
      const cidr = requiredCidr(params, 'DestinationCidrBlock');
      const attachmentId = params.get('TransitGatewayAttachmentId') ?? undefined;
      const blackhole = params.get('Blackhole') === 'true';
      if (!blackhole && !attachment(attachmentId)) throw new ApiError('InvalidTransitGatewayAttachmentID.NotFound', `Transit Gateway Attachment ${attachmentId} does not exist`);
      if (t.routes.get(cidr)?.type === 'static') throw new ApiError('RouteAlreadyExists', `Route ${cidr} already exists in Transit Gateway Route Table`);
      const route: TransitRouteState = { type: 'static', state: blackhole ? 'blackhole' : 'active', ...(attachmentId ? { attachmentId } : {}) };
      t.routes.set(cidr, route);
      return { route: routeXml(cidr, route) };
    }
    case 'ReplaceTransitGatewayRoute': {
      const t = table(required(params, 'TransitGatewayRouteTableId'));
      const cidr = requiredCidr(params, 'DestinationCidrBlock');
      const existing = t.routes.get(cidr);
      if (!existing || existing.type !== 'static') throw new ApiError('InvalidRoute.NotFound', `No route found for ${cidr}`);
      const attachmentId = params.get('TransitGatewayAttachmentId') ?? undefined;
      if (!attachment(attachmentId)) throw new ApiError('InvalidTransitGatewayAttachmentID.NotFound', `Transit Gateway Attachment ${attachmentId} does not exist`);
      const route: TransitRouteState = { type: 'static', state: 'active', ...(attachmentId ? { attachmentId } : {}) };
      t.routes.set(cidr, route);
      return { route: routeXml(cidr, route) };
    }
    case 'DeleteTransitGatewayRoute': {
      const t = table(required(params, 'TransitGatewayRouteTableId'));
      const cidr = requiredCidr(params, 'DestinationCidrBlock');
      const existing = t.routes.get(cidr);
      if (!existing || existing.type !== 'static') throw new ApiError('InvalidRoute.NotFound', `No route found for ${cidr}`);
      t.routes.delete(cidr);
      return { route: { ...(routeXml(cidr, existing) as Record<string, XmlValue>), state: 'deleted' } };
    }
    case 'DescribeTransitGatewayRouteTables': {
      const ids = listParam(params, 'TransitGatewayRouteTableIds');
      const chosen = ids.map((id) => ({ id, t: table(id) }));
      return { transitGatewayRouteTables: chosen.map(({ id, t }) => ({ transitGatewayRouteTableId: id, transitGatewayId: t.transitGatewayId, state: 'available' })) };
    }
    case 'DescribeTransitGatewayAttachments': {
      const f = filters(params);
      const chosen = state.transitAttachments.filter(
        (a) => (!f.get('resource-id') || f.get('resource-id')?.includes(a.resourceId)) && (!f.get('transit-gateway-id') || f.get('transit-gateway-id')?.includes(a.transitGatewayId)),
      );
      return {
        transitGatewayAttachments: chosen.map((a) => ({ transitGatewayAttachmentId: a.id, transitGatewayId: a.transitGatewayId, resourceId: a.resourceId, resourceType: 'vpc', state: a.state })),
      };
    }
    default:
      throw new ApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

interface DxPrefix {
  cidr?: string;
}

function dxAction(state: AwsContractState, action: string, body: Record<string, unknown>): unknown {
  const associationJson = (a: DxAssociationState) => ({
    directConnectGatewayId: a.directConnectGatewayId,
    associationId: a.associationId,
    associationState: a.associationState,
    associatedGateway: { ...a.associatedGateway, ownerAccount: '123456789012', region: 'us-east-1' },
    allowedPrefixesToDirectConnectGateway: a.allowedPrefixes.map((cidr) => ({ cidr })),
  });
  switch (action) {
    case 'DescribeDirectConnectGatewayAssociations': {
      const gatewayId = typeof body.directConnectGatewayId === 'string' ? body.directConnectGatewayId : undefined;
      if (gatewayId && !state.knownDxGateways.has(gatewayId)) {
        throw new ApiError('DirectConnectClientException', `Direct Connect Gateway ${gatewayId} does not exist.`);
      }
      return { directConnectGatewayAssociations: state.dxAssociations.filter((a) => !gatewayId || a.directConnectGatewayId === gatewayId).map(associationJson) };
    }
    case 'UpdateDirectConnectGatewayAssociation': {
      const association = state.dxAssociations.find((a) => a.associationId === body.associationId);
      if (!association) throw new ApiError('DirectConnectClientException', `Association ${String(body.associationId)} does not exist.`);
      if (association.associationState !== 'associated') {
        throw new ApiError('DirectConnectClientException', `Association ${association.associationId} is in state ${association.associationState}.`);
      }
      const add = ((body.addAllowedPrefixesToDirectConnectGateway as DxPrefix[] | undefined) ?? []).flatMap((p) => (p.cidr ? [p.cidr] : []));
      const remove = ((body.removeAllowedPrefixesToDirectConnectGateway as DxPrefix[] | undefined) ?? []).flatMap((p) => (p.cidr ? [p.cidr] : []));
      for (const cidr of add) {
        if (!isCidr(cidr)) throw new ApiError('DirectConnectClientException', `Invalid prefix ${cidr}.`);
        if (association.associatedGateway.type === 'virtualPrivateGateway' && !(association.vpcCidrs ?? []).some((v) => cidrContains(v, cidr))) {
          throw new ApiError('DirectConnectClientException', `Prefix ${cidr} is not within the CIDRs of the VPC attached to ${association.associatedGateway.id}.`);
        }
      }
      const next = [...association.allowedPrefixes.filter((p) => !remove.includes(p)), ...add.filter((p) => !association.allowedPrefixes.includes(p))];
      if (association.associatedGateway.type === 'transitGateway' && next.length > 20) {
        throw new ApiError('DirectConnectClientException', 'The number of allowed prefixes exceeds the limit of 20 for a transit gateway association.');
      }
      association.allowedPrefixes = next;
      return { directConnectGatewayAssociation: associationJson(association) };
    }
    default:
      throw new ApiError('UnknownOperationException', `Unknown operation ${action}`);
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAwsContractServer(state: AwsContractState = emptyAwsContractState()): Promise<AwsContractServer> {
  const failures: InjectedFailure[] = [];
  const calls: string[] = [];
  const sent: string[] = [];
  const takeFailure = (action: string) => {
    const failure = failures.find((f) => f.action === action && f.times > 0);
    if (failure) failure.times--;
    return failure;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const text = await readBody(request);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string') {
      const action = target.replace(/^OvertureService\./, '');
      calls.push(action);
      sent.push(`directconnect:${action}`);
      const send = (status: number, payload: unknown, errorType?: string) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': 'contract-request',
          ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
        });
        response.end(JSON.stringify(payload));
      };
      const failure = takeFailure(action);
      if (failure) return send(failure.status, { __type: failure.code, message: `injected ${failure.code}` }, failure.code);
      try {
        const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        return send(200, dxAction(state, action, body));
      } catch (error) {
        if (error instanceof ApiError) return send(error.status, { __type: error.code, message: error.message }, error.code);
        throw error;
      }
    }
    const params = new URLSearchParams(text);
    const action = params.get('Action') ?? '';
    calls.push(action);
    sent.push(`ec2:${action}`);
    const sendError = (status: number, code: string, message: string) => {
      response.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors><RequestID>contract-request</RequestID></Response>`);
    };
    const failure = takeFailure(action);
    if (failure) return sendError(failure.status, failure.code, `injected ${failure.code}`);
    try {
      const result = ec2Action(state, action, params);
      response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>contract-request</requestId>${toXml(result)}</${action}Response>`);
    } catch (error) {
      if (error instanceof ApiError) return sendError(error.status, error.code, error.message);
      throw error;
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    state,
    calls,
    sent,
    failNext: (failure) => failures.push({ ...failure }),
    clearFailures: () => {
      failures.length = 0;
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
