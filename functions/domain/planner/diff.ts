// The generic diff: a flow's desired entries against the provider's current entries and the change ledger.
// Flow designers say what should exist; this module alone decides create / update / delete / unchanged /
// blocked, so every flow follows the same safety rules (ownership, foreign entries, quotas, support).
import { CidrIndex } from '../cidr.js';
import { PodreachError } from '../errors.js';
import type { Change, ChangeKind, Flow, LedgerEntry, NetworkEntry, ProviderEntry, ProviderName } from '../model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';
import { changeId, compareChanges, identityKey, targetKey } from './identity.js';
import type { DesiredEntry, Snapshot, TargetRef } from './types.js';
import { summariseForQuota } from '../summarise.js';

/** The caller did not snapshot a target that requiredTargets() asked for: planning without it would guess. */
export class SnapshotIncompleteError extends PodreachError {
  override name = 'SnapshotIncompleteError';
  constructor(readonly targetKey: string) {
    super(`the snapshot has no entry list for ${targetKey} (snapshot every requiredTargets() ref, [] when empty)`);
  }
}

export interface DiffInput {
  clusterId: string;
  flow: Flow;
  desired: readonly DesiredEntry[];
  ledger: readonly LedgerEntry[];
  snapshot: Snapshot;
  quotas(provider: ProviderName): ProviderQuotas;
  supports(provider: ProviderName, kind: ChangeKind): boolean;
  /** The profile's quota overrides, which win over the provider's defaults. */
  quotaOverrides?: Partial<ProviderQuotas>;
  /**
   * Entries whose CIDR the quota check may summarise (the cluster's own blocks, not networks the profile
   * names). Absent: none is.
   */
  summarisable?: (entry: DesiredEntry) => boolean;
  /** Where the diff reports what it decided on its own (a rival it enabled beside, a summary). */
  warnings?: string[];
}

/**
 * Kinds whose target is shared by instances that may register the same CIDR (a cloud-connect network lists
 * every VPC's routes): the entry with this nextHop is ours, one with another nextHop is a rival.
 */
const SHARED_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['cloud-connect-route']);

/** Which quota bounds how many entries of a kind one target can hold. */
const QUOTA_OF_KIND: Partial<Record<ChangeKind, keyof ProviderQuotas>> = {
  route: 'routesPerTable',
  'dx-prefix': 'prefixesPerDxGateway',
  'vpn-selector': 'selectorsPerConnection',
  'sg-rule': 'rulesPerSecurityGroup',
  'whitelist-entry': 'whitelistEntries',
};

/**
 * A ledger row holds its entry when podreach created it and has not yet removed it. A delete that was
 * planned or failed still holds it, so that the next plan tries the delete again.
 */
export function holdsEntry(row: LedgerEntry): boolean {
  return row.owned && !(row.action === 'delete' && (row.status === 'applied' || row.status === 'unchanged'));
}

function refOf(entry: NetworkEntry & { provider: ProviderName; region: string }): TargetRef {
  return { provider: entry.provider, region: entry.region, kind: entry.kind, target: entry.target };
}

/** Unknown (undefined) provider values count as matching: an adapter that cannot tell must not cause a conflict. */
function valueMatches(expected: NetworkEntry, current: ProviderEntry, acceptedNextHops: readonly string[] = []): boolean {
  if (expected.nextHop !== undefined && current.nextHop !== undefined) {
    if (current.nextHop !== expected.nextHop && !acceptedNextHops.includes(current.nextHop)) return false;
  }
  if (expected.enabled !== undefined && current.enabled !== undefined && current.enabled !== expected.enabled) return false;
  return true;
}

function describeValue(entry: NetworkEntry): string {
  const parts: string[] = [];
  if (entry.nextHop !== undefined) parts.push(`to ${entry.nextHop}`);
  if (entry.enabled !== undefined) parts.push(entry.enabled ? 'enabled' : 'disabled');
  return parts.length > 0 ? parts.join(', ') : 'another value';
}

function describeEntry(entry: NetworkEntry): string {
  const what = [entry.cidr, entry.peerCidr ? `<-> ${entry.peerCidr}` : undefined, entry.port].filter(Boolean).join(' ');
  return what ? `${entry.kind} ${what}` : entry.kind;
}

/**
 * Why an entry held by someone else blocks ours ("rtb-main already routes 10.20.0.0/16 to pcx-9, not created by
 * podreach"); `otherFlow` when podreach itself made it in another flow.
 */
function foreignReason(current: ProviderEntry, otherFlow?: Flow): string {
  const by = otherFlow ? `created by podreach's ${otherFlow} flow for this cluster` : 'not created by podreach';
  if (current.kind === 'route' || current.kind === 'vpn-route' || current.kind === 'transit-route') {
    return `${current.target} already routes ${current.cidr ?? '?'} to ${current.nextHop ?? 'another next hop'}, ${by}`;
  }
  return `${current.target} already has ${describeEntry(current)} ${describeValue(current)}, ${by}`;
}

class Snapshots {
  private readonly byTarget = new Map<string, Map<string, ProviderEntry[]>>();
  private readonly counts = new Map<string, number>();
  private readonly byCidr = new Map<string, CidrIndex<ProviderEntry>>();
  constructor(private readonly snapshot: Snapshot) {}

  entries(ref: TargetRef): readonly ProviderEntry[] {
    const key = targetKey(ref);
    const entries = this.snapshot.get(key);
    if (!entries) throw new SnapshotIncompleteError(key);
    return entries;
  }

  /** The target's entries of one kind by identity key, built once per target (large tables are read once). */
  byIdentity(ref: TargetRef): ReadonlyMap<string, ProviderEntry[]> {
    const key = targetKey(ref);
    let index = this.byTarget.get(key);
    if (!index) {
      index = new Map();
      let count = 0;
      for (const current of this.entries(ref)) {
        if (current.kind !== ref.kind) continue;
        count += 1;
        const id = identityKey(current);
        const list = index.get(id);
        if (list) list.push(current);
        else index.set(id, [current]);
      }
      this.byTarget.set(key, index);
      this.counts.set(key, count);
    }
    return index;
  }

  /** How many entries of the ref's kind the target holds (counted while byIdentity reads the table). */
  count(ref: TargetRef): number {
    this.byIdentity(ref);
    return this.counts.get(targetKey(ref))!;
  }

  find(entry: DesiredEntry | LedgerEntry): ProviderEntry | undefined {
    const found = this.byIdentity(refOf(entry)).get(identityKey(entry)) ?? [];
    if (SHARED_KINDS.has(entry.kind)) return found.find((current) => current.nextHop === undefined || current.nextHop === entry.nextHop);
    return found[found.length - 1];
  }

  /** Entries of the same kind in the same target whose CIDR overlaps the entry's. */
  overlapping(entry: DesiredEntry): ProviderEntry[] {
    if (entry.cidr === undefined) return [];
    const ref = refOf(entry);
    const key = targetKey(ref);
    let index = this.byCidr.get(key);
    if (!index) {
      index = new CidrIndex(
        this.entries(ref)
          .filter((current) => current.kind === entry.kind && current.cidr !== undefined)
          .map((current) => ({ cidr: current.cidr!, value: current })),
      );
      this.byCidr.set(key, index);
    }
    return index.overlapping(entry.cidr).map((hit) => hit.value);
  }
}

function toChange(
  input: DiffInput,
  id: string,
  entry: DesiredEntry | LedgerEntry,
  action: Change['action'],
  status: Change['status'],
  reason?: string,
): Change {
  const change: Change = {
    id,
    clusterId: input.clusterId,
    flow: input.flow,
    action,
    provider: entry.provider,
    region: entry.region,
    status,
    kind: entry.kind,
    target: entry.target,
  };
  // only defined fields, so that equal plans serialise to equal bytes
  if (entry.cidr !== undefined) change.cidr = entry.cidr;
  if (entry.peerCidr !== undefined) change.peerCidr = entry.peerCidr;
  if (entry.port !== undefined) change.port = entry.port;
  if (entry.nextHop !== undefined) change.nextHop = entry.nextHop;
  if (entry.nextHopType !== undefined) change.nextHopType = entry.nextHopType;
  if (entry.enabled !== undefined) change.enabled = entry.enabled;
  if (reason !== undefined) change.reason = reason;
  return change;
}

function unsupportedReason(entry: DesiredEntry | LedgerEntry): string {
  return `${entry.provider} cannot apply ${entry.kind} changes (${entry.target} in ${entry.region})`;
}

/** The changes of one flow, sorted. Desired entries must already be unique by change id. */
export function diffFlow(input: DiffInput): Change[] {
  const snapshots = new Snapshots(input.snapshot);
  const ledgerById = new Map<string, LedgerEntry>();
  // Entries this cluster's other flows hold: a clash with one of them is still a block, but not a foreign one.
  const heldByOtherFlows = new Map<string, Flow>();
  for (const row of input.ledger) {
    if (row.clusterId !== input.clusterId) continue;
    if (row.flow !== input.flow) {
      if (holdsEntry(row)) heldByOtherFlows.set(identityKey(row), row.flow);
      continue;
    }
    const seen = ledgerById.get(row.id);
    if (!seen || seen.updatedAt <= row.updatedAt) ledgerById.set(row.id, row);
  }

  const changes: Change[] = [];
  const creates: { id: string; entry: DesiredEntry }[] = [];
  const desiredIds = new Set<string>();
  const { desired, summaries } = summariseDesired(input, snapshots, ledgerById);

  for (const original of desired) {
    let entry = original;
    const id = changeId(input.clusterId, input.flow, entry);
    desiredIds.add(id);
    const current = snapshots.find(entry);
    const row = ledgerById.get(id);
    const supported = input.supports(entry.provider, entry.kind);
    if (entry.blockedReason !== undefined) {
      const action = current && !valueMatches(entry, current, entry.acceptedNextHops) ? 'update' : 'create';
      changes.push(toChange(input, id, entry, action, 'blocked', entry.blockedReason));
      continue;
    }
    if (entry.exclusive) {
      const decided = beside(input, snapshots, entry, current);
      if (decided.reason !== undefined) {
        changes.push(toChange(input, id, decided.entry, 'create', 'blocked', decided.reason));
        continue;
      }
      entry = decided.entry;
      if (!current && decided.entry.enabled === false) {
        // registered disabled: the apply step records it as blocked, with this reason
        if (!supported) changes.push(toChange(input, id, entry, 'create', 'blocked', unsupportedReason(entry)));
        else changes.push(toChange(input, id, entry, 'create', 'planned', decided.rival));
        continue;
      }
    }
    if (!current) {
      if (!supported) changes.push(toChange(input, id, entry, 'create', 'blocked', unsupportedReason(entry)));
      else creates.push({ id, entry });
      continue;
    }
    if (valueMatches(entry, current, entry.acceptedNextHops)) {
      // report what is there (a subnet bound to the second listed table stays so)
      const shown = current.nextHop !== undefined ? { ...entry, nextHop: current.nextHop } : entry;
      changes.push(toChange(input, id, shown, 'create', 'unchanged'));
    } else if (entry.mismatchReason) {
      changes.push(toChange(input, id, entry, 'update', 'blocked', entry.mismatchReason(current)));
    } else if (SHARED_KINDS.has(entry.kind) && supported && current.owner === undefined && (!row || !holdsEntry(row))) {
      // The cluster's own VPC's registration, made by the cloud (TKE registers container CIDRs to a CCN and
      // leaves them disabled on overlap) and not marked as anyone's: podreach may enable or disable it, but it
      // does not become podreach's (it is never deleted by podreach).
      changes.push(toChange(input, id, entry, 'update', 'planned'));
    } else if (!row || !holdsEntry(row) || current.owner === 'foreign') {
      // not podreach's, or podreach's once but replaced by someone since: never overwritten
      changes.push(toChange(input, id, entry, 'create', 'blocked', foreignReason(current, heldByOtherFlows.get(identityKey(current)))));
    } else if (!supported) {
      changes.push(toChange(input, id, entry, 'update', 'blocked', unsupportedReason(entry)));
    } else {
      changes.push(toChange(input, id, entry, 'update', 'planned'));
    }
  }

  const created = planCreates(input, snapshots, creates);
  changes.push(...created);

  // The blocks a summary replaces go only once it is there: while its create is blocked they stay.
  const kept = new Set<string>();
  for (const change of created) {
    const members = change.status === 'blocked' ? summaries.get(change.id) : undefined;
    for (const member of members ?? []) kept.add(changeId(input.clusterId, input.flow, member));
  }

  for (const row of ledgerById.values()) {
    if (desiredIds.has(row.id) || !holdsEntry(row)) continue;
    const current = snapshots.find(row);
    if (kept.has(row.id) && current) {
      changes.push(toChange(input, row.id, row, 'create', 'unchanged'));
      continue;
    }
    if (!current) {
      changes.push(toChange(input, row.id, row, 'delete', 'unchanged'));
    } else if (current.owner === 'foreign') {
      changes.push(toChange(input, row.id, row, 'delete', 'blocked', `${current.target}: ${describeEntry(current)} is marked as not created by podreach; left in place`));
    } else if (!valueMatches(row, current)) {
      changes.push(
        toChange(input, row.id, row, 'delete', 'blocked', `${current.target}: ${describeEntry(current)} is now ${describeValue(current)}, not ${describeValue(row)} as podreach set it; left in place`),
      );
    } else if (!input.supports(row.provider, row.kind)) {
      changes.push(toChange(input, row.id, row, 'delete', 'blocked', unsupportedReason(row)));
    } else {
      changes.push(toChange(input, row.id, row, 'delete', 'planned'));
    }
  }

  return changes.sort(compareChanges);
}

/**
 * The desired entries, summarised where a target's list would overflow its quota (summarise.ts). The room
 * is the quota less what the target holds that is neither desired nor this flow's own (foreign entries,
 * other clusters'). Returns, per summary change id, the entries it replaces.
 */
function summariseDesired(
  input: DiffInput,
  snapshots: Snapshots,
  ledgerById: ReadonlyMap<string, LedgerEntry>,
): { desired: DesiredEntry[]; summaries: Map<string, DesiredEntry[]> } {
  const summaries = new Map<string, DesiredEntry[]>();
  const summarisable = input.summarisable;
  if (!summarisable) return { desired: [...input.desired], summaries };
  const groups = new Map<string, DesiredEntry[]>();
  const desired: DesiredEntry[] = [];
  for (const entry of input.desired) {
    if (!QUOTA_OF_KIND[entry.kind]) {
      desired.push(entry);
      continue;
    }
    const key = targetKey(refOf(entry));
    const list = groups.get(key);
    if (list) list.push(entry);
    else groups.set(key, [entry]);
  }
  // identities this flow holds, per target
  const ours = new Map<string, string[]>();
  for (const row of ledgerById.values()) {
    if (!holdsEntry(row)) continue;
    const key = targetKey(refOf(row));
    const list = ours.get(key);
    if (list) list.push(identityKey(row));
    else ours.set(key, [identityKey(row)]);
  }
  for (const [key, entries] of groups) {
    const first = entries[0]!;
    const quotaName = QUOTA_OF_KIND[first.kind]!;
    const limit = input.quotaOverrides?.[quotaName] ?? input.quotas(first.provider)[quotaName];
    // Counted from the few desired and held identities, not by walking the whole table (it may hold 100,000 routes).
    const ref = refOf(first);
    const held = snapshots.byIdentity(ref);
    const notOthers = new Set([...entries.map((entry) => identityKey(entry)), ...(ours.get(key) ?? [])]);
    let others = snapshots.count(ref);
    for (const identity of notOthers) others -= held.get(identity)?.length ?? 0;
    const summarised = summariseForQuota({
      entries,
      capacity: limit - others,
      summarisable: (entry) => entry.blockedReason === undefined && !entry.exclusive && !entry.mismatchReason && summarisable(entry),
    });
    for (const { entry, members } of summarised) {
      desired.push(entry);
      if (members.length === 0) continue;
      summaries.set(changeId(input.clusterId, input.flow, entry), members);
      input.warnings?.push(
        `${entry.target}: ${members.map((member) => member.cidr).join(', ')} summarised as ${entry.cidr ?? '?'} to stay within the ${quotaName} quota (${limit}; ${others} other entries there)`,
      );
    }
  }
  return { desired, summaries };
}

/**
 * An exclusive entry beside the other instances' entries of its target. A rival (an overlapping entry with
 * another next hop) keeps a new registration disabled, and an entry registered disabled stays so (blocked,
 * nothing to do) while the rival is there; with enableConflicting it is enabled anyway, with a warning. An entry
 * already enabled stays enabled: a rival registered after it does not take its traffic.
 */
function beside(
  input: DiffInput,
  snapshots: Snapshots,
  entry: DesiredEntry,
  current: ProviderEntry | undefined,
): { entry: DesiredEntry; reason?: string; rival?: string } {
  const rivals = snapshots.overlapping(entry).filter((other) => other.nextHop !== undefined && other.nextHop !== entry.nextHop);
  const [first] = rivals;
  if (!first) return { entry };
  const named = `${first.cidr ?? '?'} of ${first.nextHop ?? '?'} in ${entry.target}`;
  if (entry.exclusive?.enableConflicting) {
    input.warnings?.push(`${entry.cidr ?? '?'} overlaps ${named}: enabled anyway (enableConflicting)`);
    return { entry: { ...entry, enabled: true } };
  }
  if (current?.enabled === true) {
    input.warnings?.push(`${entry.cidr ?? '?'} overlaps ${named}: registered enabled before it, left enabled`);
    return { entry: { ...entry, enabled: true } };
  }
  const rival = `overlaps ${named}: registered disabled`;
  if (current) return { entry: { ...entry, enabled: false }, reason: rival };
  return { entry: { ...entry, enabled: false }, rival };
}

/**
 * Creates, in plan order, each counted against its target's quota. Deletes in the same plan are not counted
 * as freeing room: the apply order is not the planner's, and a re-run picks up what a delete freed.
 */
function planCreates(input: DiffInput, snapshots: Snapshots, creates: { id: string; entry: DesiredEntry }[]): Change[] {
  const planned = creates.map(({ id, entry }) => ({ entry, change: toChange(input, id, entry, 'create', 'planned') }));
  planned.sort((a, b) => compareChanges(a.change, b.change));
  const used = new Map<string, number>();
  for (const { entry, change } of planned) {
    const quotaName = QUOTA_OF_KIND[entry.kind];
    if (!quotaName) continue;
    const limit = input.quotaOverrides?.[quotaName] ?? input.quotas(entry.provider)[quotaName];
    const key = targetKey(refOf(entry));
    const count = used.get(key) ?? snapshots.count(refOf(entry));
    if (count + 1 > limit) {
      change.status = 'blocked';
      change.reason = `${entry.target} would exceed the ${quotaName} quota of ${entry.provider} (${limit} ${entry.kind} entries; ${count} there or planned)`;
      used.set(key, count);
    } else {
      used.set(key, count + 1);
    }
  }
  return planned.map(({ change }) => change);
}
