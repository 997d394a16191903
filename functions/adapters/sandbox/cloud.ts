// SandboxCloud: a simulated cloud account with the real APIs' semantics, kept as versioned documents in the
// StateStore (one document per resource, plus an account document listing them). Like a real API it knows
// nothing of podreach: CreateRoute on an existing destination fails, list APIs replace the whole list, quotas
// are enforced, a subnet is bound to one route table. Resources a caller names are created empty on first
// write; reads of an unknown resource return undefined.
import { ConcurrentUpdateError } from '../../domain/errors.js';
import { parseCidr } from '../../domain/cidr.js';
import type { NextHopType } from '../../domain/model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';
import type { StateStore } from '../../ports/state-store.js';
import { SandboxApiError } from './errors.js';
import { DEFAULT_SANDBOX_QUOTAS, type SandboxQuotaOverrides } from './quotas.js';
import { FaultInjector, faultsFromEnvironment, type SandboxApi, type SandboxFaults } from './faults.js';

export interface SandboxRoute {
  destination: string;
  nextHop: string;
  nextHopType?: NextHopType;
  /** Free text set by whoever created the entry (podreach marks its own here, like a tag). */
  description?: string;
}
export interface SandboxSelector {
  local: string;
  remote: string;
  description?: string;
}
export interface SandboxListItem {
  cidr: string;
  description?: string;
}
export interface SandboxCcnRoute {
  cidr: string;
  instanceId: string;
  enabled: boolean;
  description?: string;
}
export interface SandboxRule {
  source: string;
  port: string;
  description?: string;
}

export interface SandboxResources {
  'route-table': { id: string; routes: SandboxRoute[] };
  subnet: { id: string; cidr?: string; routeTableId?: string; associationDescription?: string };
  'vpn-connection': { id: string; selectors: SandboxSelector[] };
  'vpn-gateway': { id: string; routes: SandboxRoute[] };
  'dx-gateway': { id: string; prefixes: SandboxListItem[] };
  'cloud-connect': { id: string; routes: SandboxCcnRoute[] };
  'transit-route-table': { id: string; routes: SandboxRoute[] };
  'security-group': { id: string; rules: SandboxRule[] };
  whitelist: { id: string; entries: SandboxListItem[] };
  /**
   * The routes a cluster's BGPPeer (Terway Edge) advertises to its switch: pod CIDR -> node IP. A real cloud
   * has no API for this (the cluster's speakers announce them); the sandbox keeps the list per peer name.
   */
  'bgp-peer': { id: string; routes: SandboxRoute[] };
  /** A private address (id = the IP) and what guards it: its security groups, a managed service's whitelists. */
  address: { id: string; securityGroups: string[]; whitelists: string[]; vpcId?: string; resourceId?: string };
}
export type SandboxResourceType = keyof SandboxResources;
export type RouteTableType = 'route-table' | 'vpn-gateway' | 'transit-route-table' | 'bgp-peer';

export interface SandboxResourceRef {
  type: SandboxResourceType;
  id: string;
}

export interface SandboxAccountDocument {
  quotas?: SandboxQuotaOverrides;
  /** Faults the simulated API injects (the seed file's spec.faults). */
  faults?: SandboxFaults;
  resources: SandboxResourceRef[];
}

export const SANDBOX_ACCOUNT_KEY = 'sandbox/account';
export const sandboxResourceKey = (type: SandboxResourceType, id: string): string => `sandbox/${type}/${id}`;

/** Versioned writes race with other flows in the same process or table: re-read and try again this often. */
const MAX_WRITE_ATTEMPTS = 10;

export function emptyResource<T extends SandboxResourceType>(type: T, id: string): SandboxResources[T] {
  const empty: { [K in SandboxResourceType]: SandboxResources[K] } = {
    'route-table': { id, routes: [] },
    subnet: { id },
    'vpn-connection': { id, selectors: [] },
    'vpn-gateway': { id, routes: [] },
    'dx-gateway': { id, prefixes: [] },
    'cloud-connect': { id, routes: [] },
    'transit-route-table': { id, routes: [] },
    'security-group': { id, rules: [] },
    whitelist: { id, entries: [] },
    'bgp-peer': { id, routes: [] },
    address: { id, securityGroups: [], whitelists: [] },
  };
  return empty[type];
}

/** The API normalises CIDRs (10.0.0.1/16 -> 10.0.0.0/16) and rejects what is not one. */
function cidr(text: string, field: string): string {
  const parsed = parseCidr(text);
  if (!parsed) throw new SandboxApiError('InvalidParameterValue.Cidr', `${field} ${text} is not a valid CIDR`);
  return parsed.cidr;
}

export async function readSandboxQuotas(store: StateStore): Promise<ProviderQuotas> {
  const account = await store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY);
  return { ...DEFAULT_SANDBOX_QUOTAS, ...account?.body.quotas };
}

/** Read-modify-write of one document with optimistic locking; `change` may throw to refuse the call. */
export async function updateDocument<T>(store: StateStore, key: string, initial: () => T, change: (current: T) => T): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const current = await store.getDocument<T>(key);
    const next = change(current ? current.body : initial());
    try {
      await store.putDocument(key, next, current?.version);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.random() * 10 * (attempt + 1)));
    }
  }
  throw lastError instanceof Error ? lastError : new ConcurrentUpdateError(`${key}: too many concurrent writers`);
}

export async function registerSandboxResource(store: StateStore, ref: SandboxResourceRef): Promise<void> {
  const known = await store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY);
  if (known?.body.resources.some((r) => r.type === ref.type && r.id === ref.id)) return;
  await updateDocument<SandboxAccountDocument>(store, SANDBOX_ACCOUNT_KEY, () => ({ resources: [] }), (account) =>
    account.resources.some((r) => r.type === ref.type && r.id === ref.id) ? account : { ...account, resources: [...account.resources, ref] },
  );
}

export interface SandboxCloudOptions {
  store: StateStore;
  /** Defaults to DEFAULT_SANDBOX_QUOTAS; SandboxCloud.open reads the seeded ones. */
  quotas?: ProviderQuotas;
  /**
   * Faults to inject; by default those of PODREACH_SANDBOX_FAULTS, else the account's (the seed file's), else none.
   * null: none, whatever the account says.
   */
  faults?: SandboxFaults | null;
  /** What a killAfter fault does (default: SIGKILL this process). */
  kill?: () => void;
}

export class SandboxCloud {
  private readonly store: StateStore;
  private readonly fixedQuotas: ProviderQuotas | undefined;
  private loadedQuotas: ProviderQuotas | undefined;
  private readonly options: SandboxCloudOptions;
  private faults: Promise<FaultInjector | undefined> | undefined;
  /** How many times each API was called (every attempt, refused or not): what tests count. */
  readonly calls: Partial<Record<SandboxApi, number>> = {};

  constructor(options: SandboxCloudOptions) {
    this.store = options.store;
    this.fixedQuotas = options.quotas;
    this.options = options;
  }

  /** The fault injector in force (undefined: none), read once. */
  injector(): Promise<FaultInjector | undefined> {
    this.faults ??= (async () => {
      if (this.options.faults === null) return undefined;
      const faults =
        this.options.faults ?? faultsFromEnvironment() ?? (await this.store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY))?.body.faults;
      return faults ? new FaultInjector(faults, this.options.kill) : undefined;
    })();
    return this.faults;
  }

  /** One call of the simulated API: counted, and subject to the injected faults. */
  private async api<T>(name: SandboxApi, mutating: boolean, call: () => Promise<T>): Promise<T> {
    this.calls[name] = (this.calls[name] ?? 0) + 1;
    const injector = await this.injector();
    return injector ? injector.run(name, mutating, call) : call();
  }

  /** Mutating calls made so far (every API but Describe). */
  mutatingCalls(): number {
    return Object.entries(this.calls).reduce((sum, [name, count]) => (name === 'Describe' ? sum : sum + (count ?? 0)), 0);
  }

  /** A cloud with the quotas the seed file set (defaults otherwise), already loaded. */
  static async open(store: StateStore): Promise<SandboxCloud> {
    const cloud = new SandboxCloud({ store });
    await cloud.loadQuotas();
    return cloud;
  }

  /** The quotas in force: given, or read from the account document on first use (defaults until then). */
  get quotas(): ProviderQuotas {
    return this.fixedQuotas ?? this.loadedQuotas ?? DEFAULT_SANDBOX_QUOTAS;
  }

  async loadQuotas(): Promise<ProviderQuotas> {
    if (this.fixedQuotas) return this.fixedQuotas;
    this.loadedQuotas ??= await readSandboxQuotas(this.store);
    return this.loadedQuotas;
  }

  async describe<T extends SandboxResourceType>(type: T, id: string): Promise<SandboxResources[T] | undefined> {
    return this.api('Describe', false, async () => {
      return (await this.store.getDocument<SandboxResources[T]>(sandboxResourceKey(type, id)))?.body;
    });
  }

  // ---- route tables (VPC route tables, VPN gateway routes, transit router tables, BGPPeer advertisements)

  async createRoute(type: RouteTableType, tableId: string, route: SandboxRoute): Promise<void> {
    return this.api('CreateRoute', true, async () => {
      const quotas = await this.loadQuotas();
      const destination = cidr(route.destination, 'DestinationCidrBlock');
      await this.mutate(type, tableId, (table) => {
        if (table.routes.some((r) => r.destination === destination)) {
          throw new SandboxApiError('RouteAlreadyExists', `${tableId} already has a route to ${destination}`);
        }
        // routesPerTable bounds route tables; what a switch accepts over BGP is the switch's business
        if (type !== 'bgp-peer' && table.routes.length >= quotas.routesPerTable) {
          throw new SandboxApiError('RouteLimitExceeded', `${tableId} holds ${table.routes.length} routes (quota ${quotas.routesPerTable})`);
        }
        return { ...table, routes: [...table.routes, { ...route, destination }] };
      });
    });
  }

  async replaceRoute(type: RouteTableType, tableId: string, route: SandboxRoute): Promise<void> {
    return this.api('ReplaceRoute', true, async () => {
      const destination = cidr(route.destination, 'DestinationCidrBlock');
      await this.mutate(type, tableId, (table) => {
        if (!table.routes.some((r) => r.destination === destination)) {
          throw new SandboxApiError('InvalidRoute.NotFound', `${tableId} has no route to ${destination}`);
        }
        return { ...table, routes: table.routes.map((r) => (r.destination === destination ? { ...route, destination } : r)) };
      });
    });
  }

  async deleteRoute(type: RouteTableType, tableId: string, destination: string): Promise<void> {
    return this.api('DeleteRoute', true, async () => {
      const normalised = cidr(destination, 'DestinationCidrBlock');
      await this.mutate(type, tableId, (table) => {
        if (!table.routes.some((r) => r.destination === normalised)) {
          throw new SandboxApiError('InvalidRoute.NotFound', `${tableId} has no route to ${normalised}`);
        }
        return { ...table, routes: table.routes.filter((r) => r.destination !== normalised) };
      });
    });
  }

  // ---- whole-list APIs (SPD selectors, DX allowed prefixes, service whitelists): the list given replaces all

  async replaceSelectors(connectionId: string, selectors: SandboxSelector[]): Promise<void> {
    return this.api('ReplaceSelectors', true, async () => {
      const quotas = await this.loadQuotas();
      const list = selectors.map((s) => ({ ...s, local: cidr(s.local, 'LocalCidrBlock'), remote: cidr(s.remote, 'RemoteCidrBlock') }));
      this.rejectDuplicates(list.map((s) => `${s.local} <-> ${s.remote}`), 'SecurityPolicyDatabases');
      if (list.length > quotas.selectorsPerConnection) {
        throw new SandboxApiError('SelectorLimitExceeded', `${list.length} selectors on ${connectionId} (quota ${quotas.selectorsPerConnection})`);
      }
      await this.mutate('vpn-connection', connectionId, (connection) => ({ ...connection, selectors: list }));
    });
  }

  async replaceDxPrefixes(gatewayId: string, prefixes: SandboxListItem[]): Promise<void> {
    return this.api('ReplaceDxPrefixes', true, async () => {
      const quotas = await this.loadQuotas();
      const list = prefixes.map((p) => ({ ...p, cidr: cidr(p.cidr, 'AllowedPrefix') }));
      this.rejectDuplicates(list.map((p) => p.cidr), 'AllowedPrefixes');
      if (list.length > quotas.prefixesPerDxGateway) {
        throw new SandboxApiError('PrefixLimitExceeded', `${list.length} prefixes on ${gatewayId} (quota ${quotas.prefixesPerDxGateway})`);
      }
      await this.mutate('dx-gateway', gatewayId, (gateway) => ({ ...gateway, prefixes: list }));
    });
  }

  async replaceWhitelist(target: string, entries: SandboxListItem[]): Promise<void> {
    return this.api('ReplaceWhitelist', true, async () => {
      const quotas = await this.loadQuotas();
      const list = entries.map((e) => ({ ...e, cidr: cidr(e.cidr, 'IpList') }));
      this.rejectDuplicates(list.map((e) => e.cidr), 'IpList');
      if (list.length > quotas.whitelistEntries) {
        throw new SandboxApiError('WhitelistLimitExceeded', `${list.length} entries on ${target} (quota ${quotas.whitelistEntries})`);
      }
      await this.mutate('whitelist', target, (whitelist) => ({ ...whitelist, entries: list }));
    });
  }

  // ---- cloud-connect networks (CCN / CEN / TGW attachments): one route per (cidr, instance); the same
  // destination may be registered by several instances, but only one of them can be enabled.

  async createCcnRoute(ccnId: string, route: SandboxCcnRoute): Promise<void> {
    return this.api('CreateCcnRoute', true, async () => {
      const routeCidr = cidr(route.cidr, 'CidrBlock');
      await this.mutate('cloud-connect', ccnId, (ccn) => {
        if (ccn.routes.some((r) => r.cidr === routeCidr && r.instanceId === route.instanceId)) {
          throw new SandboxApiError('CcnRouteAlreadyExists', `${ccnId} already has ${routeCidr} from ${route.instanceId}`);
        }
        if (route.enabled) this.rejectEnabledOverlap(ccnId, ccn.routes, routeCidr, route.instanceId);
        return { ...ccn, routes: [...ccn.routes, { ...route, cidr: routeCidr }] };
      });
    });
  }

  async setCcnRouteEnabled(ccnId: string, routeCidr: string, instanceId: string, enabled: boolean): Promise<void> {
    return this.api('SetCcnRouteEnabled', true, async () => {
      const normalised = cidr(routeCidr, 'CidrBlock');
      await this.mutate('cloud-connect', ccnId, (ccn) => {
        const found = ccn.routes.find((r) => r.cidr === normalised && r.instanceId === instanceId);
        if (!found) throw new SandboxApiError('CcnRouteNotFound', `${ccnId} has no route ${normalised} from ${instanceId}`);
        if (enabled && !found.enabled) this.rejectEnabledOverlap(ccnId, ccn.routes, normalised, instanceId);
        return { ...ccn, routes: ccn.routes.map((r) => (r === found ? { ...r, enabled } : r)) };
      });
    });
  }

  async deleteCcnRoute(ccnId: string, routeCidr: string, instanceId: string): Promise<void> {
    return this.api('DeleteCcnRoute', true, async () => {
      const normalised = cidr(routeCidr, 'CidrBlock');
      await this.mutate('cloud-connect', ccnId, (ccn) => {
        if (!ccn.routes.some((r) => r.cidr === normalised && r.instanceId === instanceId)) {
          throw new SandboxApiError('CcnRouteNotFound', `${ccnId} has no route ${normalised} from ${instanceId}`);
        }
        return { ...ccn, routes: ccn.routes.filter((r) => !(r.cidr === normalised && r.instanceId === instanceId)) };
      });
    });
  }

  // ---- security groups

  async authorizeIngress(groupId: string, rule: SandboxRule): Promise<void> {
    return this.api('AuthorizeIngress', true, async () => {
      const quotas = await this.loadQuotas();
      const source = cidr(rule.source, 'CidrIp');
      await this.mutate('security-group', groupId, (group) => {
        if (group.rules.some((r) => r.source === source && r.port === rule.port)) {
          throw new SandboxApiError('InvalidPermission.Duplicate', `${groupId} already allows ${source} on ${rule.port}`);
        }
        if (group.rules.length >= quotas.rulesPerSecurityGroup) {
          throw new SandboxApiError('RulesPerSecurityGroupLimitExceeded', `${groupId} holds ${group.rules.length} rules (quota ${quotas.rulesPerSecurityGroup})`);
        }
        return { ...group, rules: [...group.rules, { ...rule, source }] };
      });
    });
  }

  async revokeIngress(groupId: string, rule: Pick<SandboxRule, 'source' | 'port'>): Promise<void> {
    return this.api('RevokeIngress', true, async () => {
      const source = cidr(rule.source, 'CidrIp');
      await this.mutate('security-group', groupId, (group) => {
        if (!group.rules.some((r) => r.source === source && r.port === rule.port)) {
          throw new SandboxApiError('InvalidPermission.NotFound', `${groupId} has no rule for ${source} on ${rule.port}`);
        }
        return { ...group, rules: group.rules.filter((r) => !(r.source === source && r.port === rule.port)) };
      });
    });
  }

  // ---- subnet <-> route table binding: exactly one table per subnet

  async associateRouteTable(subnetId: string, routeTableId: string, description?: string): Promise<void> {
    return this.api('AssociateRouteTable', true, async () => {
      await this.mutate('subnet', subnetId, (subnet) => {
        if (subnet.routeTableId) {
          throw new SandboxApiError('Resource.AlreadyAssociated', `${subnetId} is already associated with ${subnet.routeTableId}`);
        }
        return { ...subnet, routeTableId, associationDescription: description };
      });
      // The table a subnet is bound to exists, as in a real account.
      await this.mutate('route-table', routeTableId, (table) => table);
    });
  }

  async disassociateRouteTable(subnetId: string): Promise<void> {
    return this.api('DisassociateRouteTable', true, async () => {
      await this.mutate('subnet', subnetId, (subnet) => {
        if (!subnet.routeTableId) throw new SandboxApiError('InvalidAssociation.NotFound', `${subnetId} has no route table association`);
        const { routeTableId: _table, associationDescription: _description, ...rest } = subnet;
        return rest;
      });
    });
  }

  // ---- internals

  private async mutate<T extends SandboxResourceType>(type: T, id: string, change: (current: SandboxResources[T]) => SandboxResources[T]): Promise<void> {
    await registerSandboxResource(this.store, { type, id });
    await updateDocument(this.store, sandboxResourceKey(type, id), () => emptyResource(type, id), change);
  }

  private rejectDuplicates(keys: string[], field: string): void {
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) throw new SandboxApiError('InvalidParameterValue.Duplicate', `${field} lists ${key} twice`);
      seen.add(key);
    }
  }

  private rejectEnabledOverlap(ccnId: string, routes: SandboxCcnRoute[], routeCidr: string, instanceId: string): void {
    // Two instances cannot both have the same destination enabled; a longer or shorter prefix may be (the
    // longest match wins), which is what enableConflicting relies on.
    const clash = routes.find((r) => r.enabled && r.cidr === routeCidr && r.instanceId !== instanceId);
    if (clash) {
      throw new SandboxApiError('CcnRouteCidrOverlap', `${routeCidr} is already enabled from ${clash.instanceId} in ${ccnId}`);
    }
  }
}
