// The safety rules every cloud adapter shares, written once. An adapter declares, per change kind it can
// apply, how to list, create, update and delete one entry with its cloud's calls; the kit decides around those
// calls: describe first, an identical entry is success, another value at the same identity is a conflict that is
// never overwritten, a write that raced another writer is decided by re-reading, whole-list APIs are changed
// under a lease, and the read after writing is the verification (VerificationError when it does not show the
// entry; a delete is verified gone). supports() is the table's kinds; errors are translated in one place.
import { canonicalCidr, isValidIp, sameCidr } from '../../domain/cidr.js';
import { EntryConflictError, InvalidInputError, UnsupportedChangeError, VerificationError } from '../../domain/errors.js';
import type { ChangeKind, NetworkEntry, ProviderEntry, ProviderName } from '../../domain/model.js';
import type { AddressHolder, EntryContext, NetworkProvider, ProviderQuotas } from '../../ports/network-provider.js';
import type { CloudErrors } from './errors.js';
import { withLease, type LeaseOptions, type LeaseStore } from './lease.js';
import { pollUntil, type PollOptions } from './poll.js';
import { samePort } from './port.js';
import { traced } from '../tracing.js';

export interface KindOperations {
  /** Checks (UnsupportedChangeError / InvalidInputError) and completes an entry before anything is read or written. */
  prepare?(entry: NetworkEntry): NetworkEntry | Promise<NetworkEntry>;
  /** Every entry of the kind the target holds; a target that does not exist holds none ([]). */
  list(target: string): Promise<ProviderEntry[]>;
  /** Writes an entry the target does not hold. `held` is what list() returned just before. */
  create(entry: NetworkEntry, context: EntryContext, held: ProviderEntry[]): Promise<unknown>;
  /** Gives podreach's entry `current` the entry's value. Without it an update is a create (no value to change). */
  update?(entry: NetworkEntry, current: ProviderEntry, context: EntryContext): Promise<unknown>;
  /** Removes `current`, the entry as listed. */
  delete(current: ProviderEntry, entry: NetworkEntry, context: EntryContext): Promise<unknown>;
  /** Which listed entry is the wanted one, value left out. Default: same kind, target, cidr, peerCidr and port. */
  identity?(found: ProviderEntry, wanted: NetworkEntry): boolean;
  /**
   * Entries the cloud itself registers (CCN routes): podreach only sets their value, so a create of one that is
   * there with another value is an update, and one that is not there cannot be created.
   */
  valueOnly?: boolean;
  /** `found` is the wanted entry in place. Default: same identity, and the same nextHop / enabled where asked (sameValue). */
  verify?(found: ProviderEntry, wanted: NetworkEntry): boolean;
  /** Still being applied (asynchronous APIs): re-reads wait until it settles. Default: never. */
  pending?(found: ProviderEntry): boolean;
  /** Writes the cloud applies later: the re-read after a write is polled until it shows the result. */
  eventual?: boolean;
  /** Whole-list APIs: the lease key of a target; every write of it is read-modify-write under that lease. */
  lease?(target: string): string;
  /** A write error that means another writer (or an earlier attempt) got there first: the re-read decides. */
  raced?(error: unknown): boolean;
  /**
   * The cloud refuses a create at an identity that is taken (with a raced() error) rather than replacing what is
   * there: the kit then creates first and reads once, after — the read verifies the write, or decides a refused one
   * (identical: done; another value: a conflict, untouched). One read per change instead of two.
   */
  writeFirst?: boolean;
  /** After a delete, a listed entry in this state counts as removed (a CCN route that is now disabled). */
  gone?(found: ProviderEntry): boolean;
  /** A listed entry podreach must leave although it matches (another cluster's rule). Default: none. */
  keep?(found: ProviderEntry, context: EntryContext): boolean;
}

export type OperationsTable = Partial<Record<ChangeKind, KindOperations>>;

export interface KitOptions {
  quotas: ProviderQuotas;
  /** Why a kind the table lacks cannot be applied (the blocked change's reason). */
  unsupported: Partial<Record<ChangeKind, string>>;
  errors: CloudErrors;
  leases?: LeaseStore;
  lease?: Omit<LeaseOptions, 'onWait'>;
  poll?: PollOptions;
}

/** The options every adapter takes for the kit's leases and polling, by the same names. */
export interface KitAdapterOptions {
  leases?: LeaseStore;
  /** Lease time for read-modify-write of whole-list APIs. Default 120 s. */
  leaseTtlSeconds?: number;
  /** Between reads of an asynchronous apply. Default 2000 ms. */
  pollIntervalMs?: number;
  /** Give up waiting (TransientProviderError, retried by the flow) after this long. Default 60000 ms. */
  pollTimeoutMs?: number;
}

export function kitOptions(cloud: Pick<KitOptions, 'quotas' | 'unsupported' | 'errors'>, options: KitAdapterOptions): KitOptions {
  return {
    ...cloud,
    ...(options.leases ? { leases: options.leases } : {}),
    lease: { ttlSeconds: options.leaseTtlSeconds ?? 120 },
    poll: { intervalMs: options.pollIntervalMs ?? 2000, timeoutMs: options.pollTimeoutMs ?? 60_000 },
  };
}

/** Which entry this is within its target (kind, target, cidr, peerCidr, port), the value left out. */
export function sameIdentity(found: NetworkEntry, wanted: NetworkEntry): boolean {
  if (found.kind !== wanted.kind || found.target !== wanted.target) return false;
  // a subnet has one route table: the target alone says which association it is
  if (wanted.kind === 'subnet-association') return true;
  const port = wanted.port === undefined && found.port === undefined ? true : samePort(found.port, wanted.port);
  return sameCidr(found.cidr, wanted.cidr) && sameCidr(found.peerCidr, wanted.peerCidr) && port;
}

/** Where the wanted entry names them, the same next hop and enabled state. */
export function sameValue(found: ProviderEntry, wanted: NetworkEntry): boolean {
  return (wanted.nextHop === undefined || found.nextHop === wanted.nextHop) && (wanted.enabled === undefined || found.enabled === undefined || found.enabled === wanted.enabled);
}

/** How a kind tells that `found` sits at the wanted entry's identity: its own rule, else sameIdentity. */
function identityOf(ops: KindOperations): (found: ProviderEntry, wanted: NetworkEntry) => boolean {
  return ops.identity ?? sameIdentity;
}

/** A field the entry must carry for this kind; InvalidInputError naming it otherwise. */
export function need(entry: NetworkEntry, field: 'cidr' | 'nextHop' | 'peerCidr' | 'port'): string {
  const value = entry[field];
  if (value === undefined || value === '') throw new InvalidInputError(field, `a ${entry.kind} entry on ${entry.target} needs ${field}`);
  return value;
}

function describe(entry: NetworkEntry): string {
  return [entry.kind, entry.cidr, entry.peerCidr && `<-> ${entry.peerCidr}`, entry.port, entry.nextHop && `-> ${entry.nextHop}`, `on ${entry.target}`]
    .filter(Boolean)
    .join(' ');
}

export function conflictError(wanted: NetworkEntry, found: ProviderEntry): EntryConflictError {
  const whose = found.owner === 'podreach' ? 'podreach' : found.owner === 'foreign' ? 'someone else' : 'not podreach (by its ledger)';
  return new EntryConflictError(
    `${describe(wanted)}: the target already holds ${found.cidr ?? found.target} -> ${found.nextHop ?? 'another value'}${
      found.enabled === undefined ? '' : found.enabled ? ' (enabled)' : ' (disabled)'
    }${found.description ? ` [${found.description}]` : ''}, made by ${whose}; podreach never overwrites it`,
    'EntryConflict',
  );
}

export abstract class KitProvider implements NetworkProvider {
  abstract readonly name: ProviderName;
  /** What this cloud can apply, kind by kind: supports() is its keys. */
  protected abstract readonly operations: OperationsTable;

  protected constructor(protected readonly kit: KitOptions) {}

  supports(kind: ChangeKind): boolean {
    return this.operations[kind] !== undefined;
  }

  quotas(): ProviderQuotas {
    return { ...this.kit.quotas };
  }

  /** The port lists CIDRs in canonical form (the planner looks entries up by their text): normalised here, once. */
  listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    return this.translated(`list ${kind} ${target}`, async () => (await this.ops(kind).list(target)).map(canonicalEntry));
  }

  createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.translated(`create ${describe(entry)}`, async () => {
      const prepared = await this.prepared(entry);
      return this.leased(prepared, context, () => this.write(prepared, context, false));
    });
  }

  updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    return this.translated(`update ${describe(entry)}`, async () => {
      const prepared = await this.prepared(entry);
      return this.leased(prepared, context, () => this.write(prepared, context, true));
    });
  }

  deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void> {
    return this.translated(`delete ${describe(entry)}`, async () => {
      const prepared = await this.prepared(entry);
      return this.leased(prepared, context, () => this.remove(prepared, context));
    });
  }

  /**
   * Who holds a private address (diagnose), read-only. The cloud's read may match loosely (a suffix, several
   * interfaces): only a holder of exactly this address counts, with its groups sorted and once each.
   */
  findAddress(ip: string): Promise<AddressHolder | undefined> {
    if (!isValidIp(ip)) return Promise.reject(new InvalidInputError('ip', `"${ip}" is not an IP address`));
    return this.translated(`find address ${ip}`, async () => {
      const found = await this.kit.errors.unlessNotFound(() => this.lookupAddress(ip));
      if (!found || found.ip !== ip) return undefined;
      const holder: AddressHolder = { ...found, securityGroups: [...new Set(found.securityGroups)].sort() };
      if (found.whitelists) holder.whitelists = [...new Set(found.whitelists)].sort();
      return holder;
    });
  }

  /** The cloud's read of the network interface (or port) holding `ip`, or undefined. */
  protected abstract lookupAddress(ip: string): Promise<AddressHolder | undefined>;

  private async prepared(entry: NetworkEntry): Promise<NetworkEntry> {
    const ops = this.ops(entry.kind);
    return ops.prepare ? ops.prepare(entry) : entry;
  }

  private ops(kind: ChangeKind): KindOperations {
    const ops = this.operations[kind];
    if (!ops) throw new UnsupportedChangeError(this.kit.unsupported[kind] ?? `the ${this.name} provider cannot apply ${kind} changes`);
    return ops;
  }

  private async translated<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await traced(`${this.name} ${action}`, work);
    } catch (error) {
      throw this.kit.errors.translate(error, `${this.name}: ${action}`);
    }
  }

  private leased<T>(entry: NetworkEntry, context: EntryContext, work: () => Promise<T>): Promise<T> {
    const key = this.ops(entry.kind).lease?.(entry.target);
    if (key === undefined) return work();
    if (!this.kit.leases) throw new InvalidInputError('leases', `the ${this.name} provider needs a lease store for ${entry.kind} changes`);
    return withLease(this.kit.leases, key, context, work, this.kit.lease);
  }

  private verifier(ops: KindOperations): (found: ProviderEntry, wanted: NetworkEntry) => boolean {
    const same = identityOf(ops);
    return ops.verify ?? ((found, wanted) => same(found, wanted) && sameValue(found, wanted));
  }

  /** What the target holds, once nothing of the wanted identity is still being applied (and `until` holds). */
  private async settled(ops: KindOperations, entry: NetworkEntry, until?: (held: ProviderEntry[]) => boolean): Promise<ProviderEntry[]> {
    const read = () => ops.list(entry.target);
    const same = identityOf(ops);
    const done = (held: ProviderEntry[]) => !held.some((found) => same(found, entry) && ops.pending?.(found)) && (until?.(held) ?? true);
    return ops.eventual || ops.pending ? pollUntil(describe(entry), read, done, this.kit.poll) : read();
  }

  private async write(entry: NetworkEntry, context: EntryContext, update: boolean): Promise<ProviderEntry> {
    const ops = this.ops(entry.kind);
    const verify = this.verifier(ops);
    const same = identityOf(ops);
    if (!update && ops.writeFirst && ops.raced && !ops.lease && !ops.valueOnly && !ops.pending && !ops.eventual) return this.writeFirst(ops, entry, context);
    let held = await ops.list(entry.target);
    if (held.some((found) => same(found, entry) && ops.pending?.(found))) held = await this.settled(ops, entry);
    const inPlace = held.find((found) => verify(found, entry));
    if (inPlace) return inPlace;
    const other = held.find((found) => same(found, entry));
    try {
      if (!other) await ops.create(entry, context, held);
      else if ((update || ops.valueOnly) && ops.update && other.owner !== 'foreign') await ops.update(entry, other, context);
      else throw conflictError(entry, other);
    } catch (error) {
      if (!ops.raced?.(error)) throw error;
    }
    // the read after writing is the verification
    // (an eventual write is awaited until the entry, or a rival at its identity, shows and has settled)
    const after = await this.settled(ops, entry, ops.eventual ? (held) => held.some((one) => verify(one, entry) || same(one, entry)) : undefined);
    return this.decide(ops, entry, after);
  }

  /** Create, then one read that verifies it (or, when the cloud refused it as taken, says by what). */
  private async writeFirst(ops: KindOperations, entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry> {
    try {
      await ops.create(entry, context, []);
    } catch (error) {
      if (!ops.raced?.(error)) throw error;
    }
    return this.decide(ops, entry, await ops.list(entry.target));
  }

  /** The read after a write decides: the entry as written, else a conflict with what holds its identity, else not there. */
  private decide(ops: KindOperations, entry: NetworkEntry, after: ProviderEntry[]): ProviderEntry {
    const verify = this.verifier(ops);
    const same = identityOf(ops);
    const written = after.find((found) => verify(found, entry));
    if (written) return written;
    const rival = after.find((found) => same(found, entry));
    if (rival) throw conflictError(entry, rival);
    throw new VerificationError(`${describe(entry)} is not there after writing it`);
  }

  private async remove(entry: NetworkEntry, context: EntryContext): Promise<void> {
    const ops = this.ops(entry.kind);
    const verify = this.verifier(ops);
    const same = identityOf(ops);
    const mine = (found: ProviderEntry) => same(found, entry) && verify(found, entry) && !ops.gone?.(found);
    const current = (await ops.list(entry.target)).find(mine);
    // gone already, or someone else's at that identity (another next hop, another cluster's rule): nothing to do
    if (!current || ops.keep?.(current, context)) return;
    await this.kit.errors.unlessNotFound(() => ops.delete(current, entry, context));
    const left = await this.settled(ops, entry, ops.eventual ? (held) => !held.some(mine) : undefined);
    if (left.some(mine)) throw new VerificationError(`${describe(entry)} is still there after deleting it`);
  }
}

function canonicalEntry(entry: ProviderEntry): ProviderEntry {
  const cidr = entry.cidr === undefined ? undefined : canonicalCidr(entry.cidr);
  const peerCidr = entry.peerCidr === undefined ? undefined : canonicalCidr(entry.peerCidr);
  if (cidr === entry.cidr && peerCidr === entry.peerCidr) return entry;
  return { ...entry, ...(cidr !== undefined ? { cidr } : {}), ...(peerCidr !== undefined ? { peerCidr } : {}) };
}
