// The Tencent Cloud NetworkProvider: VPC route tables, VPN SPD selectors and gateway routes, CCN routes, security
// group policies, Redis / CDB security-group whitelists and the Direct Connect container-network check, through
// tencentcloud-sdk-nodejs (vpc 2017-03-12, redis 2018-04-12, cdb 2017-03-20). Only Tencent's calls live here:
// the kit (../kit) decides around them. The Node SDK has no retry: throttling is retried by the kit's p-retry.
import { Agent } from 'node:http';
import { Client as VpcClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_client.js';
import { Client as RedisClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/redis/v20180412/redis_client.js';
import { Client as CdbClient } from 'tencentcloud-sdk-nodejs/tencentcloud/services/cdb/v20170320/cdb_client.js';
import { DefaultCredentialProvider, STSCredential } from 'tencentcloud-sdk-nodejs/tencentcloud/common/credential.js';
import type { ClientConfig, Credential, DynamicCredential } from 'tencentcloud-sdk-nodejs/tencentcloud/common/interface.js';
import type { SecurityGroupPolicy } from 'tencentcloud-sdk-nodejs/tencentcloud/services/vpc/v20170312/vpc_models.js';
import { sameCidr } from '../../domain/cidr.js';
import { EntryConflictError, ResourceNotFoundError, UnsupportedChangeError } from '../../domain/errors.js';
import type { NetworkEntry, NextHopType, ProviderEntry } from '../../domain/model.js';
import { ownerOfDescription, ownershipMark } from '../../domain/ownership-mark.js';
import type { AddressHolder, ProviderQuotas } from '../../ports/network-provider.js';
import type { LeaseStore } from '../kit/lease.js';
import { formatPort, parsePort, portTexts, samePort } from '../kit/port.js';
import { KitProvider, kitOptions, need, sameIdentity, type KindOperations } from '../kit/provider.js';
import { retrying, type RetryOptions } from '../kit/retry.js';
import { TENCENT_QUOTAS, TENCENT_UNSUPPORTED, type TencentKind } from './kinds.js';
import { tencentErrors } from './tencent-errors.js';

export interface TencentProviderOptions {
  region: string;
  /** Default: the SDK's chain (TENCENTCLOUD_SECRET_ID / _KEY / _SESSION_TOKEN, ~/.tencentcloud/credentials [default], CVM role, OIDC). */
  credential?: Credential | DynamicCredential;
  /** "host:port" of a local contract server; spoken over plain http. Default: the public endpoints. */
  endpoint?: string;
  leases: LeaseStore;
  /** A security group podreach owns, bound to Redis / CDB instances to carry whitelist entries. Without it whitelist-entry is unsupported. */
  whitelistSecurityGroupId?: string;
  /** Attempts and first back-off for RequestLimitExceeded (jittered, exponential). */
  retry?: RetryOptions;
  leaseTtlSeconds?: number;
  quotas?: Partial<ProviderQuotas>;
}

/** CreateRoutes GatewayType of a neutral next hop (VPC API reference, Route). */
const GATEWAY_TYPES: Partial<Record<NextHopType, string>> = { 'vpn-gateway': 'VPN', 'dx-gateway': 'DIRECTCONNECT', peering: 'PEERCONNECTION', 'cloud-connect': 'USER_CCN' };
const NEXT_HOP_TYPES: Record<string, NextHopType> = { VPN: 'vpn-gateway', DIRECTCONNECT: 'dx-gateway', PEERCONNECTION: 'peering', USER_CCN: 'cloud-connect', CCN: 'cloud-connect', NORMAL_CVM: 'node', CVM: 'node' };
const CCN_INSTANCE_TYPES: Record<string, NextHopType> = { VPC: 'vpc', DIRECTCONNECT: 'dx-gateway', VPNGW: 'vpn-gateway' };
const WHITELIST_PORTS = { redis: 'tcp:6379', cdb: 'tcp:3306' } as const;
/** RouteDescription / PolicyDescription / route Description are at most 100 characters. */
const DESCRIPTION_LENGTH = 100;
/** The largest Limit of Tencent's Offset/Limit describe calls. */
const PAGE_SIZE = 100;

/** The http profile of a local contract server ("host:port"): an explicit agent keeps $http_proxy out of loopback traffic. */
function localProfile(endpoint: string | undefined): ClientConfig['profile'] {
  return endpoint ? { httpProfile: { protocol: 'http://', endpoint, agent: new Agent({ keepAlive: false }), reqTimeout: 10 } } : {};
}

/**
 * Another account's CAM role, assumed through STS AssumeRole with the base credential (refreshed before it expires);
 * without a base credential, the SDK's default chain signs the AssumeRole call.
 */
export function tencentRoleCredential(
  role: { roleArn: string; externalId?: string | undefined; sessionName?: string | undefined },
  base: Credential | DynamicCredential | undefined,
  options: { region: string; endpoint?: string | undefined },
): DynamicCredential {
  return new STSCredential(
    { credential: base ?? new DefaultCredentialProvider(), region: options.region, profile: localProfile(options.endpoint) },
    { RoleArn: role.roleArn, RoleSessionName: role.sessionName ?? 'podreach', ...(role.externalId ? { ExternalId: role.externalId } : {}) },
  );
}

function whitelistTarget(target: string): { service: 'redis' | 'cdb'; instanceId: string } {
  const [service, instanceId] = target.split(':', 2);
  if ((service === 'redis' || service === 'cdb') && instanceId) return { service, instanceId };
  throw new UnsupportedChangeError(`whitelist target "${target}" is not "redis:<instanceId>" or "cdb:<instanceId>" (the Tencent services whose whitelists podreach manages)`);
}

function gatewayType(entry: NetworkEntry): string {
  const type = entry.nextHopType && GATEWAY_TYPES[entry.nextHopType];
  if (!type) throw new UnsupportedChangeError(`a Tencent route cannot have next hop type "${entry.nextHopType ?? 'none'}": podreach routes to VPN, DIRECTCONNECT, PEERCONNECTION or USER_CCN gateways`);
  return type;
}

export class TencentProvider extends KitProvider {
  readonly name = 'tencent' as const;
  private readonly region: string;
  private readonly vpc: VpcClient;
  private readonly redis: RedisClient;
  private readonly cdb: CdbClient;
  private readonly retry: RetryOptions;
  protected readonly operations: Partial<Record<TencentKind, KindOperations>>;

  constructor(options: TencentProviderOptions) {
    super(kitOptions({ quotas: { ...TENCENT_QUOTAS, ...options.quotas }, unsupported: TENCENT_UNSUPPORTED, errors: tencentErrors }, { leaseTtlSeconds: 60, ...options }));
    this.region = options.region;
    this.retry = options.retry ?? {};
    const config: ClientConfig = {
      credential: options.credential ?? new DefaultCredentialProvider(),
      region: options.region,
      profile: localProfile(options.endpoint),
    };
    this.vpc = new VpcClient(config);
    this.redis = new RedisClient(config);
    this.cdb = new CdbClient(config);
    const group = options.whitelistSecurityGroupId;
    this.operations = {
      route: this.routes(),
      'vpn-selector': this.selectors(),
      'vpn-route': this.vpnRoutes(),
      'cloud-connect-route': this.ccnRoutes(),
      'dx-prefix': this.containerNetwork(),
      'sg-rule': this.rules(),
      'subnet-association': this.associations(),
      ...(group ? { 'whitelist-entry': this.whitelist(group) } : {}),
    };
  }

  /** One API call, retried with jittered back-off while Tencent answers RequestLimitExceeded. */
  private call<T>(send: () => Promise<T>): Promise<T> {
    return retrying(send, (error) => tencentErrors.is(error, 'throttling'), this.retry);
  }

  private read<T>(send: () => Promise<T>): Promise<T | undefined> {
    return tencentErrors.unlessNotFound(() => this.call(send));
  }

  /** Every page of an Offset/Limit describe call; a missing resource reads as empty. */
  private async pages<Page extends { TotalCount?: number }, T>(read: (Offset: number, Limit: number) => Promise<Page>, items: (page: Page) => T[] | undefined): Promise<T[]> {
    const all: T[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.read(() => read(offset, PAGE_SIZE));
      const batch = (page && items(page)) ?? [];
      all.push(...batch);
      if (batch.length < PAGE_SIZE || (page?.TotalCount !== undefined && all.length >= page.TotalCount)) return all;
    }
  }

  /**
   * The elastic network interface holding the address (a CVM's primary one included) and its security groups:
   * DescribeNetworkInterfaces with address-ip, which alone matches suffixes, so ip-exact-match too.
   */
  protected async lookupAddress(ip: string): Promise<AddressHolder | undefined> {
    const response = await this.read(() =>
      this.vpc.DescribeNetworkInterfaces({ Filters: [{ Name: 'address-ip', Values: [ip] }, { Name: 'ip-exact-match', Values: ['true'] }], Limit: PAGE_SIZE }),
    );
    const found = (response?.NetworkInterfaceSet ?? []).find((eni) => eni.PrivateIpAddressSet?.some((address) => address.PrivateIpAddress === ip));
    if (!found) return undefined;
    return {
      ip,
      securityGroups: [...(found.GroupSet ?? [])],
      ...(found.NetworkInterfaceId ? { resourceId: found.NetworkInterfaceId } : {}),
      ...(found.VpcId ? { vpcId: found.VpcId } : {}),
      ...(found.SubnetId ? { subnetId: found.SubnetId } : {}),
      ...(found.NetworkInterfaceDescription ? { description: found.NetworkInterfaceDescription } : {}),
    };
  }

  private routes(): KindOperations {
    const route = (entry: NetworkEntry, context: { clusterId: string; changeId: string }) => ({
      DestinationCidrBlock: need(entry, 'cidr'),
      GatewayType: gatewayType(entry),
      GatewayId: need(entry, 'nextHop'),
      RouteDescription: ownershipMark(context, DESCRIPTION_LENGTH),
    });
    return {
      prepare: (entry) => (gatewayType(entry), entry),
      list: async (target) => {
        const response = await this.read(() => this.vpc.DescribeRouteTables({ RouteTableIds: [target] }));
        const table = response?.RouteTableSet?.find((candidate) => candidate.RouteTableId === target);
        return (table?.RouteSet ?? []).flatMap((r): ProviderEntry[] => {
          const type = NEXT_HOP_TYPES[r.GatewayType];
          if (!r.DestinationCidrBlock) return [];
          return [{
            kind: 'route', target, cidr: r.DestinationCidrBlock, nextHop: r.GatewayId,
            ...(type ? { nextHopType: type } : {}),
            ...(r.Enabled !== undefined ? { enabled: r.Enabled } : {}),
            ...(r.RouteId !== undefined ? { resourceId: String(r.RouteId) } : {}),
            owner: ownerOfDescription(r.RouteDescription),
            ...(r.RouteDescription ? { description: r.RouteDescription } : {}),
          }];
        });
      },
      create: async (entry, context) => {
        try {
          await this.call(() => this.vpc.CreateRoutes({ RouteTableId: entry.target, Routes: [route(entry, context)] }));
        } catch (error) {
          if (!tencentErrors.has(error, 'UnsupportedOperation.ConflictWithDockerRoute')) throw error;
          throw new EntryConflictError(`route ${entry.cidr} in ${entry.target} overlaps a TKE container (docker) route: ${(error as Error).message}`, 'UnsupportedOperation.ConflictWithDockerRoute', { cause: error });
        }
      },
      update: (entry, current, context) =>
        this.call(() => this.vpc.ReplaceRoutes({ RouteTableId: entry.target, Routes: [{ ...route(entry, context), RouteId: Number(current.resourceId) }] })),
      delete: (current) =>
        this.call(() =>
          this.vpc.DeleteRoutes({
            RouteTableId: current.target,
            // RouteId alone names the route; the other fields are required by the SDK's type
            Routes: [{ RouteId: Number(current.resourceId), DestinationCidrBlock: need(current, 'cidr'), GatewayType: (current.nextHopType && GATEWAY_TYPES[current.nextHopType]) ?? '', GatewayId: current.nextHop ?? '' }],
          }),
        ),
      raced: (error) => tencentErrors.has(error, 'InvalidParameterValue.Duplicate'),
    };
  }

  /** SecurityPolicyDatabases replaces the whole set: read-modify-write under the connection's lease. */
  private selectors(): KindOperations {
    const spdOf = async (target: string) => {
      const response = await this.read(() => this.vpc.DescribeVpnConnections({ VpnConnectionIds: [target] }));
      return response?.VpnConnectionSet?.find((connection) => connection.VpnConnectionId === target)?.SecurityPolicyDatabaseSet;
    };
    const write = async (target: string, change: (spd: { LocalCidrBlock: string; RemoteCidrBlock: string[] }[]) => void) => {
      const spd = await spdOf(target);
      if (!spd) throw new ResourceNotFoundError(`VPN connection ${target} does not exist`, 'ResourceNotFound');
      // start from what is there now, so every entry podreach did not add survives
      const next = spd.map((policy) => ({ LocalCidrBlock: policy.LocalCidrBlock, RemoteCidrBlock: [...(policy.RemoteCidrBlock ?? [])] }));
      change(next);
      await this.call(() => this.vpc.ModifyVpnConnectionAttribute({ VpnConnectionId: target, SecurityPolicyDatabases: next.filter((p) => p.RemoteCidrBlock.length > 0) }));
    };
    return {
      lease: (target) => `tencent:${this.region}:vpn:${target}`,
      list: async (target) =>
        ((await spdOf(target)) ?? []).flatMap((policy) => (policy.RemoteCidrBlock ?? []).map((remote): ProviderEntry => ({ kind: 'vpn-selector', target, cidr: policy.LocalCidrBlock, peerCidr: remote }))),
      create: (entry) =>
        write(entry.target, (spd) => {
          const local = spd.find((policy) => sameCidr(policy.LocalCidrBlock, entry.cidr));
          if (local) local.RemoteCidrBlock.push(need(entry, 'peerCidr'));
          else spd.push({ LocalCidrBlock: need(entry, 'cidr'), RemoteCidrBlock: [need(entry, 'peerCidr')] });
        }),
      delete: (current) =>
        write(current.target, (spd) => {
          for (const policy of spd) {
            if (sameCidr(policy.LocalCidrBlock, current.cidr)) policy.RemoteCidrBlock = policy.RemoteCidrBlock.filter((remote) => !sameCidr(remote, current.peerCidr));
          }
        }),
    };
  }

  private vpnRoutes(): KindOperations {
    const create = (entry: NetworkEntry, context: { clusterId: string; changeId: string }) =>
      this.call(() =>
        this.vpc.CreateVpnGatewayRoutes({
          VpnGatewayId: entry.target,
          Routes: [{
            DestinationCidrBlock: need(entry, 'cidr'),
            InstanceType: entry.nextHopType === 'cloud-connect' ? 'CCN' : 'VPNCONN',
            InstanceId: need(entry, 'nextHop'),
            Priority: 0,
            Status: entry.enabled === false ? 'DISABLE' : 'ENABLE',
            Description: ownershipMark(context, DESCRIPTION_LENGTH),
          }],
        }),
      );
    const remove = (current: ProviderEntry) => this.call(() => this.vpc.DeleteVpnGatewayRoutes({ VpnGatewayId: current.target, RouteIds: [current.resourceId ?? ''] }));
    return {
      list: async (target) =>
        (await this.pages((Offset, Limit) => this.vpc.DescribeVpnGatewayRoutes({ VpnGatewayId: target, Offset, Limit }), (page) => page.Routes)).map((r): ProviderEntry => ({
          kind: 'vpn-route', target, cidr: r.DestinationCidrBlock, nextHop: r.InstanceId,
          nextHopType: r.InstanceType === 'CCN' ? 'cloud-connect' : 'vpn-gateway',
          enabled: r.Status !== 'DISABLE',
          ...(r.RouteId ? { resourceId: r.RouteId } : {}),
          owner: ownerOfDescription(r.Description),
          ...(r.Description ? { description: r.Description } : {}),
        })),
      create,
      update: async (entry, current, context) => {
        // the API cannot move a route to another next hop: podreach replaces its own route
        if (current.nextHop !== entry.nextHop) return remove(current).then(() => create(entry, context));
        const status = entry.enabled === false ? 'DISABLE' : 'ENABLE';
        return this.call(() => this.vpc.ModifyVpnGatewayRoutes({ VpnGatewayId: entry.target, Routes: [{ RouteId: current.resourceId ?? '', Status: status }] }));
      },
      delete: remove,
      raced: (error) => tencentErrors.has(error, 'InvalidParameterValue.Duplicate'),
    };
  }

  /**
   * CCN routes are registered by the CCN when an instance is attached (and publishes its routes): podreach only
   * enables or disables them, and "deleting" one disables it. An overlapping route stays disabled.
   */
  private ccnRoutes(): KindOperations {
    const set = (current: ProviderEntry, enabled: boolean) =>
      this.call(() => (enabled ? this.vpc.EnableCcnRoutes : this.vpc.DisableCcnRoutes).call(this.vpc, { CcnId: current.target, RouteIds: [current.resourceId ?? ''] }));
    return {
      list: async (target) =>
        (await this.pages((Offset, Limit) => this.vpc.DescribeCcnRoutes({ CcnId: target, Offset, Limit }), (page) => page.RouteSet)).map((r): ProviderEntry => {
          const type = r.InstanceType ? CCN_INSTANCE_TYPES[r.InstanceType] : undefined;
          return { kind: 'cloud-connect-route', target, cidr: r.DestinationCidrBlock ?? '', ...(r.InstanceId ? { nextHop: r.InstanceId } : {}), ...(type ? { nextHopType: type } : {}), enabled: r.Enabled === true, ...(r.RouteId ? { resourceId: r.RouteId } : {}) };
        }),
      identity: (found, wanted) => sameIdentity(found, wanted) && (wanted.nextHop === undefined || found.nextHop === wanted.nextHop),
      valueOnly: true,
      create: (entry) => {
        throw new UnsupportedChangeError(
          `CCN ${entry.target} has no route ${entry.cidr}${entry.nextHop ? ` via ${entry.nextHop}` : ''}: CCN routes are registered by attaching the instance to the CCN (and publishing its routes), which podreach does not do; attach it and re-run`,
        );
      },
      update: (entry, current) => set(current, entry.enabled ?? true),
      delete: (current) => set(current, false),
      gone: (found) => found.enabled === false,
    };
  }

  /**
   * Direct Connect on TKE: the container network is opened on a Direct Connect gateway by a ticket (the plan's
   * tke-dx-ticket artifact), never through the gateway's CCN-route API, which declares IDC ranges (routes toward
   * the data centre). What the API can show is a CCN-type gateway learning the container CIDR from its CCN; that read
   * is the verification. A VPC-type gateway shows nothing, so the change stays blocked until checked by hand.
   */
  private containerNetwork(): KindOperations {
    const ticket = (entry: NetworkEntry, what: string) =>
      new UnsupportedChangeError(
        `Direct Connect gateway ${entry.target} ${what} ${entry.cidr}: TKE opens (and closes) the container network on a Direct Connect gateway by a ticket ` +
          `(region, appID, cluster ID, VPC ID, gateway ID: see the artifact tke-dx-ticket-${entry.target}.yaml); podreach never writes a container CIDR into the gateway's CCN routes, which are IDC ranges`,
        'ContainerNetworkByTicket',
      );
    return {
      list: async (target) => {
        const gateways = await this.read(() => this.vpc.DescribeDirectConnectGateways({ DirectConnectGatewayIds: [target] }));
        const gateway = gateways?.DirectConnectGatewaySet?.find((candidate) => candidate.DirectConnectGatewayId === target);
        if (gateway?.NetworkType !== 'CCN' || !gateway.NetworkInstanceId) return [];
        const ccnId = gateway.NetworkInstanceId;
        const routes = await this.pages((Offset, Limit) => this.vpc.DescribeCcnRoutes({ CcnId: ccnId, Offset, Limit }), (page) => page.RouteSet);
        return routes
          .filter((r) => r.Enabled === true && r.InstanceId !== target && r.DestinationCidrBlock)
          .map((r): ProviderEntry => ({ kind: 'dx-prefix', target, cidr: r.DestinationCidrBlock ?? '', owner: 'foreign', description: `learned from CCN ${ccnId} (${r.InstanceId ?? 'instance'})` }));
      },
      create: (entry) => {
        throw ticket(entry, 'does not show');
      },
      delete: (current) => {
        throw ticket(current, 'still advertises');
      },
    };
  }

  private async policies(groupId: string): Promise<{ version?: string; ingress: SecurityGroupPolicy[] } | undefined> {
    const response = await this.read(() => this.vpc.DescribeSecurityGroupPolicies({ SecurityGroupId: groupId }));
    if (!response) return undefined;
    const set = response.SecurityGroupPolicySet ?? {};
    const ingress = (set.Ingress ?? []).filter((p) => (p.Action ?? '').toUpperCase() === 'ACCEPT' && p.CidrBlock);
    return { ...(set.Version !== undefined ? { version: set.Version } : {}), ingress };
  }

  /**
   * One ingress ACCEPT policy added or removed with the group's Version, so a concurrent change is noticed, never
   * overwritten: a moved Version is re-read and retried (p-retry), then ConcurrentUpdateError.
   */
  private changePolicy(groupId: string, cidr: string, port: string | undefined, change: 'add' | 'remove', mark?: string): Promise<unknown> {
    return retrying(
      async () => {
        const group = await this.policies(groupId);
        if (!group) throw new ResourceNotFoundError(`security group ${groupId} does not exist`, 'ResourceNotFound');
        // only a policy of exactly this one port is it: a foreign "80,443" policy is never taken for podreach's tcp:80
        const existing = group.ingress.find((p) => {
          const ports = portTexts(p.Protocol, p.Port);
          return sameCidr(p.CidrBlock, cidr) && ports.length === 1 && samePort(ports[0], port);
        });
        if ((change === 'add') === (existing !== undefined)) return undefined;
        const range = parsePort(port);
        const policy: SecurityGroupPolicy =
          change === 'add'
            ? { Protocol: range.protocol.toUpperCase(), Port: range.from === undefined ? 'ALL' : range.from === range.to ? String(range.from) : `${range.from}-${range.to}`, CidrBlock: cidr, Action: 'ACCEPT', PolicyDescription: mark ?? '' }
            : { PolicyIndex: existing?.PolicyIndex ?? 0 };
        const set = { ...(group.version !== undefined ? { Version: group.version } : {}), Ingress: [policy] };
        return this.call(() => (change === 'add' ? this.vpc.CreateSecurityGroupPolicies : this.vpc.DeleteSecurityGroupPolicies).call(this.vpc, { SecurityGroupId: groupId, SecurityGroupPolicySet: set }));
      },
      (error) => tencentErrors.has(error, 'UnsupportedOperation.VersionMismatch'),
      { attempts: 3, baseDelayMs: 50 },
    );
  }

  private policyEntry(kind: 'sg-rule' | 'whitelist-entry', target: string, policy: SecurityGroupPolicy, port: string | undefined): ProviderEntry {
    return {
      kind, target, cidr: policy.CidrBlock ?? '',
      ...(port ? { port } : {}),
      ...(policy.PolicyIndex !== undefined ? { resourceId: String(policy.PolicyIndex) } : {}),
      owner: ownerOfDescription(policy.PolicyDescription),
      ...(policy.PolicyDescription ? { description: policy.PolicyDescription } : {}),
    };
  }

  private rules(): KindOperations {
    return {
      prepare: (entry) => ({ ...entry, port: formatPort(parsePort(entry.port)) }),
      // a policy listing several ports is one entry per port
      list: async (target) => ((await this.policies(target))?.ingress ?? []).flatMap((p) => portTexts(p.Protocol, p.Port).map((port) => this.policyEntry('sg-rule', target, p, port))),
      create: (entry, context) => this.changePolicy(entry.target, need(entry, 'cidr'), entry.port, 'add', ownershipMark(context, DESCRIPTION_LENGTH)),
      delete: (current) => this.changePolicy(current.target, need(current, 'cidr'), current.port, 'remove'),
      raced: (error) => tencentErrors.has(error, 'UnsupportedOperation.DuplicatePolicy'),
    };
  }

  /**
   * Redis / CDB whitelists are the security groups bound to the instance. A CIDR a bound group already allows on
   * the service port is in place; otherwise the rule goes into podreach's group, and that group is appended to the
   * instance's groups (a full replace, under the instance's lease). Delete removes podreach's rule only.
   */
  private whitelist(groupId: string): KindOperations {
    const bound = async (target: string) => {
      const { service, instanceId } = whitelistTarget(target);
      const response = await this.read(() =>
        service === 'redis' ? this.redis.DescribeDBSecurityGroups({ Product: 'redis', InstanceId: instanceId }) : this.cdb.DescribeDBSecurityGroups({ InstanceId: instanceId }),
      );
      return response && (response.Groups ?? []).flatMap((group) => (group.SecurityGroupId ? [group.SecurityGroupId] : []));
    };
    // the service's own port is implied by a whitelist entry; only another port is reported
    const reported = (target: string, port: string) => (samePort(port, WHITELIST_PORTS[whitelistTarget(target).service]) || port === 'all' ? undefined : port);
    return {
      prepare: (entry) => (whitelistTarget(entry.target), entry),
      lease: (target) => `tencent:${this.region}:${whitelistTarget(target).service}:${whitelistTarget(target).instanceId}`,
      list: async (target) => {
        const entries: ProviderEntry[] = [];
        for (const id of (await bound(target)) ?? []) {
          for (const policy of (await this.policies(id))?.ingress ?? []) {
            for (const port of portTexts(policy.Protocol, policy.Port)) {
              const entry = { ...this.policyEntry('whitelist-entry', target, policy, reported(target, port)), ...(id === groupId ? {} : { owner: 'foreign' as const }) };
              if (!entries.some((seen) => sameIdentity(seen, entry))) entries.push(entry);
            }
          }
        }
        return entries;
      },
      create: async (entry, context) => {
        const { service, instanceId } = whitelistTarget(entry.target);
        const groups = await bound(entry.target);
        if (!groups) throw new ResourceNotFoundError(`${service} instance ${instanceId} does not exist`, 'ResourceNotFound');
        await this.changePolicy(groupId, need(entry, 'cidr'), entry.port ?? WHITELIST_PORTS[service], 'add', ownershipMark(context, DESCRIPTION_LENGTH));
        if (groups.includes(groupId)) return;
        const next = [...groups, groupId];
        await this.call(() =>
          service === 'redis'
            ? this.redis.ModifyDBInstanceSecurityGroups({ Product: 'redis', InstanceId: instanceId, SecurityGroupIds: next })
            : this.cdb.ModifyDBInstanceSecurityGroups({ InstanceId: instanceId, SecurityGroupIds: next }),
        );
      },
      delete: (current) => this.changePolicy(groupId, need(current, 'cidr'), current.port ?? WHITELIST_PORTS[whitelistTarget(current.target).service], 'remove'),
      // a rule in another group is not podreach's to remove
      keep: (found) => found.owner !== 'podreach',
    };
  }

  private async subnet(subnetId: string) {
    const response = await this.read(() => this.vpc.DescribeSubnets({ SubnetIds: [subnetId] }));
    return response?.SubnetSet?.find((candidate) => candidate.SubnetId === subnetId);
  }

  private async mainTable(vpcId: string | undefined): Promise<string | undefined> {
    if (!vpcId) return undefined;
    const response = await this.call(() => this.vpc.DescribeRouteTables({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }));
    return response.RouteTableSet?.find((table) => table.Main === true)?.RouteTableId;
  }

  /**
   * Every Tencent subnet is bound to one route table (the VPC's default at creation), and ReplaceRouteTableAssociation
   * moves it silently. A binding to the default table is no association (as on AWS, where it is implicit): podreach
   * binds a subnet only away from it, never re-binds one on another custom table, and undoes its binding by
   * returning the subnet to the default table.
   */
  private associations(): KindOperations {
    return {
      list: async (subnetId) => {
        const found = await this.subnet(subnetId);
        if (!found?.RouteTableId || found.RouteTableId === (await this.mainTable(found.VpcId))) return [];
        return [{ kind: 'subnet-association', target: subnetId, ...(found.CidrBlock ? { cidr: found.CidrBlock } : {}), nextHop: found.RouteTableId, nextHopType: 'route-table' }];
      },
      create: async (entry) => {
        if (!(await this.subnet(entry.target))) throw new ResourceNotFoundError(`subnet ${entry.target} does not exist`, 'ResourceNotFound');
        return this.call(() => this.vpc.ReplaceRouteTableAssociation({ RouteTableId: need(entry, 'nextHop'), SubnetId: entry.target }));
      },
      delete: async (current) => {
        const main = await this.mainTable((await this.subnet(current.target))?.VpcId);
        if (main) await this.call(() => this.vpc.ReplaceRouteTableAssociation({ RouteTableId: main, SubnetId: current.target }));
      },
    };
  }
}
