// The port every cloud adapter implements (sandbox, aws, tencent, alibaba, huawei).
// Contract (checked by test/conformance for every adapter):
// - createEntry is idempotent: an identical entry already there is success (re-read, return it).
// - an entry with the same identity (kind, target, cidr, peerCidr, port) but another value (nextHop) that
//   podreach did not create -> EntryConflictError; it is never overwritten.
// - deleteEntry of a missing entry is success; it removes only the entry described, nothing else.
// - replace-style APIs (whole-list selectors, whitelists) keep every entry they did not add (read-modify-write).
// - a kind the provider cannot do -> UnsupportedChangeError (the change becomes blocked).
// - errors are translated into functions/domain/errors.ts; unknown ones are rethrown as they are.
import type { ChangeKind, NetworkEntry, ProviderEntry, ProviderName } from '../domain/model.js';
import type { AddressHolder } from '../domain/diagnose/model.js';

export type { AddressHolder } from '../domain/diagnose/model.js';

export interface EntryContext {
  clusterId: string;
  changeId: string;
}

export interface ProviderQuotas {
  routesPerTable: number;
  rulesPerSecurityGroup: number;
  prefixesPerDxGateway: number;
  selectorsPerConnection: number;
  whitelistEntries: number;
}

export interface NetworkProvider {
  readonly name: ProviderName;
  /** Kinds this provider can apply; others are blocked with a reason. */
  supports(kind: ChangeKind): boolean;
  quotas(): ProviderQuotas;
  /**
   * Every entry of `kind` held by `target` (route table, connection, group...). A target that does not exist yields [].
   * CIDRs are in canonical form (functions/domain/cidr.ts canonicalCidr): the planner looks entries up by their text.
   */
  listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]>;
  createEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry>;
  /** Change the value (nextHop / enabled) of an entry podreach owns. */
  updateEntry(entry: NetworkEntry, context: EntryContext): Promise<ProviderEntry>;
  deleteEntry(entry: NetworkEntry, context: EntryContext): Promise<void>;
  /**
   * Who holds a private address in this account (a network interface and its security groups), read-only; undefined
   * when nobody does. For `podreach diagnose`, which must find a destination the profile does not name. Every adapter
   * has it; fakes of the port may leave it out (diagnose then reports the destination as unknown).
   */
  findAddress?(ip: string): Promise<AddressHolder | undefined>;
}

/** Picks the adapter for the account a change lives in: (provider, region), and the account when one is named. */
export interface ProviderRegistry {
  get(provider: ProviderName, region: string, account?: string): NetworkProvider;
}
