// SandboxProvider: the NetworkProvider adapter over SandboxCloud. It behaves like a real cloud adapter:
// describe, act, translate the API's errors; a duplicate is success after re-reading; a delete of a missing
// entry is success; whole-list APIs are read-modify-write under a lease and keep every entry they did not add.
// Entries it creates carry a description "podreach:<clusterId>:<changeId>" (the sandbox's tag).
import {
  EntryConflictError,
  InvalidInputError,
  QuotaExceededError,
  UnsupportedChangeError,
  VerificationError,
} from '../../domain/errors.js';
import { ownerOfDescription, ownershipMark, parseOwnershipMark } from '../../domain/ownership-mark.js';
import { withLease, type LeaseOptions } from '../kit/lease.js';
import { retryingClient, type ClientRetryOptions } from './client.js';
import { isValidIp, parseCidr } from '../../domain/cidr.js';
import { CHANGE_KINDS, type ChangeKind, type NetworkEntry, type ProviderEntry } from '../../domain/model.js';
import type { AddressHolder, EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import type { StateStore } from '../../ports/state-store.js';
import { SandboxCloud, type RouteTableType, type SandboxCloudOptions, type SandboxListItem, type SandboxRoute } from './cloud.js';
import { SandboxApiError } from './errors.js';

// The sandbox simulates every kind of entry, so its plans match what the real clouds would be asked to do.
const SUPPORTED: ReadonlySet<ChangeKind> = new Set<ChangeKind>(CHANGE_KINDS);

const ROUTE_TABLE_OF: Partial<Record<ChangeKind, RouteTableType>> = {
  route: 'route-table',
  'vpn-route': 'vpn-gateway',
  'transit-route': 'transit-route-table',
  'bgp-peer': 'bgp-peer',
};

const QUOTA_CODES = new Set(['RouteLimitExceeded', 'SelectorLimitExceeded', 'PrefixLimitExceeded', 'RulesPerSecurityGroupLimitExceeded', 'WhitelistLimitExceeded']);

export interface SandboxProviderOptions {
  store: StateStore;
  /** Fixed quotas; by default those of the seed file (read on first use), else DEFAULT_SANDBOX_QUOTAS. */
  quotas?: ProviderQuotas;
  /** Faults to inject (see faults.ts); by default the environment's or the account's. */
  faults?: SandboxCloudOptions['faults'];
  /** Leases on whole-list resources (locally: a dead holder process is taken over at once, waits are told). */
  lease?: LeaseOptions;
  /** The client's own retries of refused and lost calls. */
  retry?: ClientRetryOptions;
}

function describeOwner(context: EntryContext): string {
  return ownershipMark(context);
}

/** The cluster a podreach-made entry was made for, from its description. */
function clusterOf(description: string | undefined): string | undefined {
  return parseOwnershipMark(description)?.clusterId;
}

function required(entry: NetworkEntry, field: 'cidr' | 'nextHop' | 'peerCidr' | 'port'): string {
  const value = entry[field];
  if (!value) throw new InvalidInputError(field, `a ${entry.kind} entry needs ${field}`);
  return value;
}

function normalised(text: string): string {
  return parseCidr(text)?.cidr ?? text;
}

function translate(error: unknown): never {
  if (error instanceof SandboxApiError && QUOTA_CODES.has(error.sandboxCode)) {
    throw new QuotaExceededError(error.message, error.sandboxCode);
  }
  throw error;
}

function isCode(error: unknown, code: SandboxApiError['sandboxCode']): boolean {
  return error instanceof SandboxApiError && error.sandboxCode === code;
}

function tagged(base: NetworkEntry, description: string | undefined, resourceId: string): ProviderEntry {
  return { ...base, owner: ownerOfDescription(description), resourceId, ...(description ? { description } : {}) };
}

export class SandboxProvider implements NetworkProvider {
  readonly name = 'sandbox' as const;
  /** The simulated account's API (its call counts are what tests read). */
  readonly cloud: SandboxCloud;
  /** The same API through the client's retries: what every call below goes through. */
  private readonly api: SandboxCloud;
  private readonly store: StateStore;
  private readonly lease: LeaseOptions;

  constructor(options: SandboxProviderOptions) {
    this.store = options.store;
    this.cloud = new SandboxCloud({
      store: options.store,
      ...(options.quotas ? { quotas: options.quotas } : {}),
      ...(options.faults !== undefined ? { faults: options.faults } : {}),
    });
    this.api = retryingClient(this.cloud, options.retry);
    this.lease = { ttlSeconds: 30, waitMs: 30_000, ...options.lease };
  }

  /** A provider whose quotas() already reflects the seed file. */
  static async open(store: StateStore): Promise<SandboxProvider> {
    const provider = new SandboxProvider({ store });
    await provider.cloud.loadQuotas();
    return provider;
  }

  supports(kind: ChangeKind): boolean {
    return SUPPORTED.has(kind);
  }

  /** The seed file's quotas once any call has read the account (SandboxProvider.open reads them up front). */
  quotas(): ProviderQuotas {
    return this.cloud.quotas;
  }

  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    this.assertSupported(kind);
    await this.cloud.loadQuotas();
    const routeTable = ROUTE_TABLE_OF[kind];
    if (routeTable) {
      const table = await this.api.describe(routeTable, target);
      return (table?.routes ?? []).map((r) => this.routeEntry(kind, target, r));
    }
    switch (kind) {
      case 'vpn-selector': {
        const connection = await this.api.describe('vpn-connection', target);
        return (connection?.selectors ?? []).map((s) =>
          tagged({ kind, target, cidr: s.local, peerCidr: s.remote }, s.description, `${target}:${s.local}<->${s.remote}`),
        );
      }
      case 'dx-prefix': {
        const gateway = await this.api.describe('dx-gateway', target);
        return (gateway?.prefixes ?? []).map((p) => tagged({ kind, target, cidr: p.cidr }, p.description, `${target}:${p.cidr}`));
      }
      case 'whitelist-entry': {
        const whitelist = await this.api.describe('whitelist', target);
        return (whitelist?.entries ?? []).map((e) => tagged({ kind, target, cidr: e.cidr }, e.description, `${target}:${e.cidr}`));
      }
      case 'cloud-connect-route': {
        const ccn = await this.api.describe('cloud-connect', target);
        return (ccn?.routes ?? []).map((r) =>
          tagged({ kind, target, cidr: r.cidr, nextHop: r.instanceId, nextHopType: 'vpc', enabled: r.enabled }, r.description, `${target}:${r.cidr}:${r.instanceId}`),
        );
      }
      case 'sg-rule': {
        const group = await this.api.describe('security-group', target);
        return (group?.rules ?? []).map((r) => tagged({ kind, target, cidr: r.source, port: r.port }, r.description, `${target}:${r.source}:${r.port}`));
      }
      case 'subnet-association': {
        const subnet = await this.api.describe('subnet', target);
        if (!subnet?.routeTableId) return [];
        return [
          tagged(
            { kind, target, ...(subnet.cidr ? { cidr: subnet.cidr } : {}), nextHop: subnet.routeTableId, nextHopType: 'route-table' },
            subnet.associationDescription,
            `${target}:${subnet.routeTableId}`,
          ),
        ];
      }
      default:
        throw new UnsupportedChangeError(`the sandbox cannot list ${kind} entries`);
    }
  }

  /** The account's address (spec.addresses of the seed file), read with Describe like every other resource. */
  async findAddress(ip: string): Promise<AddressHolder | undefined> {
    if (!isValidIp(ip)) throw new InvalidInputError('ip', `"${ip}" is not an IP address`);
    const address = await this.api.describe('address', ip);
    if (!address) return undefined;
    return {
      ip,
      ...(address.resourceId ? { resourceId: address.resourceId } : {}),
      securityGroups: [...new Set(address.securityGroups)].sort(),
      ...(address.whitelists.length > 0 ? { whitelists: [...new Set(address.whitelists)].sort() } : {}),
      ...(address.vpcId ? { vpcId: address.vpcId } : {}),
    };
  }

  async createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.apply(entry, context, 'create');
  }

  async updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.apply(entry, context, 'update');
  }

  async deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    this.assertSupported(entry.kind);
    const routeTable = ROUTE_TABLE_OF[entry.kind];
    if (routeTable) return this.deleteRoute(routeTable, entry);
    switch (entry.kind) {
      case 'vpn-selector':
      case 'dx-prefix':
      case 'whitelist-entry':
        return this.removeFromList(entry, context);
      case 'cloud-connect-route': {
        const current = await this.findCcnRoute(entry);
        if (!current) return;
        try {
          await this.api.deleteCcnRoute(entry.target, current.cidr ?? '', current.nextHop ?? required(entry, 'nextHop'));
        } catch (error) {
          if (!isCode(error, 'CcnRouteNotFound')) translate(error);
        }
        return;
      }
      case 'sg-rule':
        try {
          await this.api.revokeIngress(entry.target, { source: required(entry, 'cidr'), port: required(entry, 'port') });
        } catch (error) {
          if (!isCode(error, 'InvalidPermission.NotFound')) translate(error);
        }
        return;
      case 'subnet-association': {
        const subnet = await this.api.describe('subnet', entry.target);
        // Only the binding described goes; a binding to another table is not this entry.
        if (subnet?.routeTableId !== required(entry, 'nextHop')) return;
        try {
          await this.api.disassociateRouteTable(entry.target);
        } catch (error) {
          if (!isCode(error, 'InvalidAssociation.NotFound')) translate(error);
        }
        return;
      }
      default:
        throw new UnsupportedChangeError(`the sandbox cannot delete ${entry.kind} entries`);
    }
  }

  // ---- create / update

  private async apply(entry: NetworkEntry, context: EntryContext, action: 'create' | 'update'): Promise<ProviderEntry> {
    this.assertSupported(entry.kind);
    await this.cloud.loadQuotas();
    const routeTable = ROUTE_TABLE_OF[entry.kind];
    if (routeTable) return this.putRoute(routeTable, entry, context);
    switch (entry.kind) {
      case 'vpn-selector':
      case 'dx-prefix':
      case 'whitelist-entry':
        return this.addToList(entry, context);
      case 'cloud-connect-route':
        return this.putCcnRoute(entry, context);
      case 'sg-rule':
        return this.putRule(entry, context);
      case 'subnet-association':
        return this.putAssociation(entry, context, action);
      default:
        throw new UnsupportedChangeError(`the sandbox cannot apply ${entry.kind} entries`);
    }
  }

  private async putRoute(type: RouteTableType, entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const destination = normalised(required(entry, 'cidr'));
    const nextHop = required(entry, 'nextHop');
    const route: SandboxRoute = { destination, nextHop, ...(entry.nextHopType ? { nextHopType: entry.nextHopType } : {}), description: describeOwner(context) };
    const settle = async (): Promise<ProviderEntry | undefined> => {
      const current = (await this.api.describe(type, entry.target))?.routes.find((r) => r.destination === destination);
      if (!current) return undefined;
      if (current.nextHop === nextHop) return this.routeEntry(entry.kind, entry.target, current);
      if (clusterOf(current.description) === context.clusterId) {
        // Ours, for this cluster, pointing elsewhere: the change moves it (what ReplaceRoute is for).
        await this.api.replaceRoute(type, entry.target, route).catch(translate);
        return this.verifiedRoute(type, entry, destination, nextHop);
      }
      throw this.conflict(entry, `${entry.target} already routes ${destination} to ${current.nextHop}`, current.description);
    };
    const existing = await settle();
    if (existing) return existing;
    try {
      await this.api.createRoute(type, entry.target, route);
    } catch (error) {
      // Someone created it between our read and our call: decide on what is there now.
      if (!isCode(error, 'RouteAlreadyExists')) translate(error);
      const raced = await settle();
      if (raced) return raced;
      throw error;
    }
    return this.verifiedRoute(type, entry, destination, nextHop);
  }

  private async deleteRoute(type: RouteTableType, entry: NetworkEntry): Promise<void> {
    const destination = normalised(required(entry, 'cidr'));
    const current = (await this.api.describe(type, entry.target))?.routes.find((r) => r.destination === destination);
    // Same destination, another next hop: not the entry described, so it stays.
    if (!current || (entry.nextHop !== undefined && current.nextHop !== entry.nextHop)) return;
    try {
      await this.api.deleteRoute(type, entry.target, destination);
    } catch (error) {
      if (!isCode(error, 'InvalidRoute.NotFound')) translate(error);
    }
  }

  private async verifiedRoute(type: RouteTableType, entry: NetworkEntry, destination: string, nextHop: string): Promise<ProviderEntry> {
    const current = (await this.api.describe(type, entry.target))?.routes.find((r) => r.destination === destination);
    if (!current || current.nextHop !== nextHop) {
      throw new VerificationError(`${entry.target}: the route to ${destination} via ${nextHop} is not there after creating it`);
    }
    return this.routeEntry(entry.kind, entry.target, current);
  }

  private routeEntry(kind: ChangeKind, target: string, route: SandboxRoute): ProviderEntry {
    return tagged(
      { kind, target, cidr: route.destination, nextHop: route.nextHop, ...(route.nextHopType ? { nextHopType: route.nextHopType } : {}) },
      route.description,
      `${target}:${route.destination}`,
    );
  }

  // ---- whole-list APIs: read-modify-write under a lease, keeping every entry podreach did not add

  private listKey(entry: NetworkEntry): (item: ProviderEntry) => boolean {
    const cidr = normalised(required(entry, 'cidr'));
    const peer = entry.kind === 'vpn-selector' ? normalised(required(entry, 'peerCidr')) : undefined;
    return (item) => item.cidr === cidr && (peer === undefined || item.peerCidr === peer);
  }

  private async writeList(entry: NetworkEntry, items: ProviderEntry[]): Promise<void> {
    const plain = (i: ProviderEntry): SandboxListItem => ({ cidr: i.cidr ?? '', ...(i.description ? { description: i.description } : {}) });
    try {
      if (entry.kind === 'vpn-selector') {
        await this.api.replaceSelectors(
          entry.target,
          items.map((i) => ({ local: i.cidr ?? '', remote: i.peerCidr ?? '', ...(i.description ? { description: i.description } : {}) })),
        );
      } else if (entry.kind === 'dx-prefix') {
        await this.api.replaceDxPrefixes(entry.target, items.map(plain));
      } else {
        await this.api.replaceWhitelist(entry.target, items.map(plain));
      }
    } catch (error) {
      translate(error);
    }
  }

  private async addToList(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const matches = this.listKey(entry);
    return this.underLease(entry, context, async () => {
      const current = await this.listEntries(entry.kind, entry.target);
      const found = current.find(matches);
      if (found) return found;
      const added: ProviderEntry = {
        kind: entry.kind,
        target: entry.target,
        cidr: normalised(required(entry, 'cidr')),
        ...(entry.kind === 'vpn-selector' ? { peerCidr: normalised(required(entry, 'peerCidr')) } : {}),
        description: describeOwner(context),
      };
      await this.writeList(entry, [...current, added]);
      const after = (await this.listEntries(entry.kind, entry.target)).find(matches);
      if (!after) throw new VerificationError(`${entry.target}: ${entry.kind} ${added.cidr} is not there after adding it`);
      return after;
    });
  }

  private async removeFromList(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const matches = this.listKey(entry);
    await this.underLease(entry, context, async () => {
      const current = await this.listEntries(entry.kind, entry.target);
      if (!current.some(matches)) return;
      await this.writeList(entry, current.filter((item) => !matches(item)));
    });
  }

  private underLease<T>(entry: NetworkEntry, context: EntryContext, work: () => Promise<T>): Promise<T> {
    return withLease(this.store, `sandbox#${entry.kind}#${entry.target}`, context, work, this.lease);
  }

  // ---- cloud-connect routes: one per (CIDR, instance); other instances' routes with the same CIDR are rivals
  // that coexist (the network lets only one of them be enabled). The value is whether it is enabled.

  private async findCcnRoute(entry: NetworkEntry): Promise<ProviderEntry | undefined> {
    const cidr = normalised(required(entry, 'cidr'));
    const instanceId = required(entry, 'nextHop');
    return (await this.listEntries('cloud-connect-route', entry.target)).find((r) => r.cidr === cidr && r.nextHop === instanceId);
  }

  private async putCcnRoute(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const cidr = normalised(required(entry, 'cidr'));
    const instanceId = required(entry, 'nextHop');
    const enabled = entry.enabled ?? true;
    const current = await this.findCcnRoute(entry);
    try {
      if (current) {
        // The registration of the cluster's own instance (made by podreach, or by the cloud when the cluster
        // joined the network): enabling or disabling it is podreach's part.
        if (current.enabled === enabled) return current;
        await this.api.setCcnRouteEnabled(entry.target, cidr, instanceId, enabled);
      } else {
        try {
          await this.api.createCcnRoute(entry.target, { cidr, instanceId, enabled, description: describeOwner(context) });
        } catch (error) {
          if (!isCode(error, 'CcnRouteAlreadyExists')) throw error;
          return this.putCcnRoute(entry, context);
        }
      }
    } catch (error) {
      if (isCode(error, 'CcnRouteCidrOverlap')) throw new EntryConflictError((error as Error).message, 'CcnRouteCidrOverlap');
      translate(error);
    }
    const after = await this.findCcnRoute(entry);
    if (!after || after.enabled !== enabled) throw new VerificationError(`${entry.target}: ${cidr} from ${instanceId} is not as set after applying it`);
    return after;
  }

  // ---- security-group rules: identity and value are the same (source, port)

  private async putRule(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    const source = normalised(required(entry, 'cidr'));
    const port = required(entry, 'port');
    try {
      await this.api.authorizeIngress(entry.target, { source, port, description: describeOwner(context) });
    } catch (error) {
      if (!isCode(error, 'InvalidPermission.Duplicate')) translate(error);
    }
    const after = (await this.listEntries('sg-rule', entry.target)).find((r) => r.cidr === source && r.port === port);
    if (!after) throw new VerificationError(`${entry.target}: the rule for ${source} on ${port} is not there after creating it`);
    return after;
  }

  // ---- subnet bindings: one route table per subnet; a subnet bound elsewhere is never silently moved

  private async putAssociation(entry: NetworkEntry, context: EntryContext, action: 'create' | 'update'): Promise<ProviderEntry> {
    const routeTableId = required(entry, 'nextHop');
    for (let attempt = 0; attempt < 3; attempt++) {
      const subnet = await this.api.describe('subnet', entry.target);
      if (subnet?.routeTableId === routeTableId) {
        const [current] = await this.listEntries('subnet-association', entry.target);
        if (current) return current;
      } else if (subnet?.routeTableId) {
        const ours = clusterOf(subnet.associationDescription) === context.clusterId;
        if (action !== 'update' || !ours) {
          throw this.conflict(entry, `${entry.target} is bound to ${subnet.routeTableId}`, subnet.associationDescription);
        }
        await this.api.disassociateRouteTable(entry.target).catch((error: unknown) => {
          if (!isCode(error, 'InvalidAssociation.NotFound')) translate(error);
        });
      } else {
        try {
          await this.api.associateRouteTable(entry.target, routeTableId, describeOwner(context));
        } catch (error) {
          if (!isCode(error, 'Resource.AlreadyAssociated')) translate(error);
        }
      }
    }
    throw new VerificationError(`${entry.target}: the binding to ${routeTableId} is not there after associating it`);
  }

  // ---- helpers

  private conflict(entry: NetworkEntry, what: string, description: string | undefined): EntryConflictError {
    const by = clusterOf(description);
    return new EntryConflictError(`${what} (${by ? `created by podreach for cluster ${by}` : 'not created by podreach'}); it is left untouched`, `${entry.kind}-conflict`);
  }

  private assertSupported(kind: ChangeKind): void {
    if (!SUPPORTED.has(kind)) throw new UnsupportedChangeError(`the sandbox provider does not simulate ${kind} entries`, 'Unsupported');
  }
}
