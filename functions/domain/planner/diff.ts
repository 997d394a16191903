// The generic diff: a flow's desired entries against the provider's current entries and the change ledger.
// Flow designers say what should exist; this module alone decides create / update / delete / unchanged /
// blocked, so every flow follows the same safety rules (ownership, foreign entries, quotas, support).
import { CidrIndex } from '../cidr.js';
import { PodreachError } from '../errors.js';
import type { Change, ChangeKind, DriftedEntry, Flow, Holding, LedgerEntry, NetworkEntry, ProviderEntry, ProviderName } from '../model.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';
import { describeClaims, findHolding, hasClaim, holdingRef, otherClaims, type HoldingsSnapshot } from '../holdings.js';
import { changeId, compareChanges, identityKey, normalisedCidr, SHARED_KINDS, SINGLE_ENTRY_KINDS, targetKey, targetRef, valueMatches } from './identity.js';
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
  snapshot: Snapshot;
  /** podreach's holdings of the snapshotted targets: which entries it made and who claims them. */
  holdings: HoldingsSnapshot;
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
  /** Where the diff reports entries podreach holds for this flow that someone removed or changed. */
  drift?: DriftedEntry[];
  /** repair (default): drifted entries are put back; report: they are only reported (their changes blocked). */
  driftPolicy?: 'repair' | 'report';
}

/** Which quota bounds how many entries of a kind one target can hold. */
const QUOTA_OF_KIND: Partial<Record<ChangeKind, keyof ProviderQuotas>> = {
  route: 'routesPerTable',
  'dx-prefix': 'prefixesPerDxGateway',
  'vpn-selector': 'selectorsPerConnection',
  'sg-rule': 'rulesPerSecurityGroup',
  'whitelist-entry': 'whitelistEntries',
};

/**
 * A ledger row whose target the next plan must read: its cluster flow may hold a claim there (owned), or an
 * outcome is still open (planned, applying, failed) and must be settled against what the provider holds.
 */
export function holdsEntry(row: LedgerEntry): boolean {
  if (row.status === 'planned' || row.status === 'applying' || row.status === 'failed' || row.status === 'awaiting-approval') return true;
  return row.owned && !(row.action === 'delete' && (row.status === 'applied' || row.status === 'unchanged'));
}

/** An entry in the account (provider + region, and account when named) it lives in. */
type PlacedEntry = NetworkEntry & { provider: ProviderName; region: string; account?: string };

function refOf(entry: PlacedEntry): TargetRef {
  return targetRef(entry);
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
function foreignReason(current: ProviderEntry, holding: Holding | undefined, clusterId: string): string {
  const ownFlows = holding?.claims.filter((claim) => claim.clusterId === clusterId).map((claim) => claim.flow) ?? [];
  const others = holding?.claims.filter((claim) => claim.clusterId !== clusterId) ?? [];
  const by =
    holding === undefined
      ? 'not created by podreach'
      : others.length > 0
        ? `created by podreach and needed by ${describeClaims(others)}`
        : ownFlows.length > 0
          ? `created by podreach's ${ownFlows.join(', ')} flow for this cluster`
          : 'created by podreach';
  if (current.kind === 'route' || current.kind === 'vpn-route' || current.kind === 'transit-route') {
    return `${current.target} already routes ${current.cidr ?? '?'} to ${current.nextHop ?? 'another next hop'}, ${by}`;
  }
  return `${current.target} already has ${describeEntry(current)} ${describeValue(current)}, ${by}`;
}

/**
 * One target's entries of one kind as the plan needs them, from a single pass over the provider's list: how many
 * there are (quotas), and the entries whose CIDR the plan asks about (the desired and held ones), by CIDR text.
 * Adapters list CIDRs in canonical form (the port's contract), so a text lookup finds them without parsing a
 * 100,000-route table; a CIDR the plan did not announce (a summary) costs one more pass, once.
 */
class TargetView {
  readonly count: number;
  private readonly byCidr = new Map<string, ProviderEntry[]>();
  private index: CidrIndex<{ entry: ProviderEntry; order: number }> | undefined;

  constructor(
    private readonly kind: ChangeKind,
    private readonly entries: readonly ProviderEntry[],
    wanted: ReadonlySet<string>,
  ) {
    let count = 0;
    const everything = SINGLE_ENTRY_KINDS.has(kind);
    for (const current of entries) {
      if (current.kind !== kind) continue;
      count += 1;
      const text = current.cidr ?? '';
      if (!everything && !wanted.has(text)) continue;
      this.add(everything ? '' : text, current);
    }
    this.count = count;
    for (const text of wanted) if (!this.byCidr.has(text)) this.byCidr.set(text, []);
  }

  private add(text: string, current: ProviderEntry): void {
    const list = this.byCidr.get(text);
    if (list) list.push(current);
    else this.byCidr.set(text, [current]);
  }

  /** The entries with the identity of `entry` (same kind, target, CIDR, peer CIDR, port), in list order. */
  sameIdentity(entry: NetworkEntry): ProviderEntry[] {
    const text = SINGLE_ENTRY_KINDS.has(this.kind) ? '' : normalisedCidr(entry.cidr);
    let candidates = this.byCidr.get(text);
    if (!candidates) {
      candidates = this.entries.filter((current) => current.kind === this.kind && (current.cidr ?? '') === text);
      this.byCidr.set(text, candidates);
    }
    if (candidates.length === 0) return candidates;
    const identity = identityKey(entry);
    return candidates.filter((current) => identityKey(current) === identity);
  }

  /**
   * Entries whose CIDR overlaps `cidr`, in list order (the first is the rival a reason names). The target is indexed
   * once, when a plan first asks; each query is then a lookup, not a scan of the table.
   */
  overlapping(cidr: string): ProviderEntry[] {
    this.index ??= new CidrIndex(this.entries.flatMap((entry, order) => (entry.kind === this.kind && entry.cidr !== undefined ? [{ cidr: entry.cidr, value: { entry, order } }] : [])));
    return this.index
      .overlapping(cidr)
      .map((found) => found.value)
      .sort((a, b) => a.order - b.order)
      .map((found) => found.entry);
  }
}

class Snapshots {
  private readonly views = new Map<string, TargetView>();
  /**
   * `wanted`: per target key, the CIDRs (canonical text) the plan will ask about. Targets are read lazily, each
   * once.
   */
  constructor(
    private readonly snapshot: Snapshot,
    private readonly wanted: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  view(ref: TargetRef): TargetView {
    const key = targetKey(ref);
    let view = this.views.get(key);
    if (!view) {
      const entries = this.snapshot.get(key);
      if (!entries) throw new SnapshotIncompleteError(key);
      view = new TargetView(ref.kind, entries, this.wanted.get(key) ?? new Set());
      this.views.set(key, view);
    }
    return view;
  }

  /** How many entries of the ref's kind the target holds. */
  count(ref: TargetRef): number {
    return this.view(ref).count;
  }

  /** How many entries of the target have this identity. */
  countOf(ref: TargetRef, entry: NetworkEntry): number {
    return this.view(ref).sameIdentity(entry).length;
  }

  find(entry: PlacedEntry): ProviderEntry | undefined {
    const found = this.view(refOf(entry)).sameIdentity(entry);
    if (SHARED_KINDS.has(entry.kind)) return found.find((current) => current.nextHop === undefined || current.nextHop === entry.nextHop);
    return found[found.length - 1];
  }

  /** Entries of the same kind in the same target whose CIDR overlaps the entry's. */
  overlapping(entry: DesiredEntry): ProviderEntry[] {
    if (entry.cidr === undefined) return [];
    return this.view(refOf(entry)).overlapping(entry.cidr);
  }
}

/** The CIDRs (canonical text) the plan asks about in each target: the desired entries' and the held ones'. */
function wantedCidrs(input: DiffInput, held: readonly Holding[]): Map<string, Set<string>> {
  const wanted = new Map<string, Set<string>>();
  const want = (entry: PlacedEntry) => {
    const key = targetKey(refOf(entry));
    let set = wanted.get(key);
    if (!set) wanted.set(key, (set = new Set()));
    set.add(normalisedCidr(entry.cidr));
  };
  for (const entry of input.desired) want(entry);
  for (const holding of held) want(placed(holding));
  return wanted;
}

function toChange(
  input: DiffInput,
  id: string,
  entry: PlacedEntry,
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
  if (entry.account !== undefined) change.account = entry.account;
  if (entry.cidr !== undefined) change.cidr = entry.cidr;
  if (entry.peerCidr !== undefined) change.peerCidr = entry.peerCidr;
  if (entry.port !== undefined) change.port = entry.port;
  if (entry.nextHop !== undefined) change.nextHop = entry.nextHop;
  if (entry.nextHopType !== undefined) change.nextHopType = entry.nextHopType;
  if (entry.enabled !== undefined) change.enabled = entry.enabled;
  const overlaps = (entry as DesiredEntry).overlaps;
  if (overlaps !== undefined) change.overlaps = overlaps;
  if (reason !== undefined) change.reason = reason;
  return change;
}

function unsupportedReason(entry: PlacedEntry): string {
  return `${entry.provider} cannot apply ${entry.kind} changes (${entry.target} in ${entry.region})`;
}

/** What this cluster's flow claims in the snapshotted targets. */
function claimedHoldings(input: DiffInput): Holding[] {
  const mine: Holding[] = [];
  for (const byIdentity of input.holdings.values()) {
    for (const holding of byIdentity.values()) if (hasClaim(holding, input.clusterId, input.flow)) mine.push(holding);
  }
  return mine;
}

function placed(holding: Holding): PlacedEntry {
  return { ...holding.entry, provider: holding.provider, region: holding.region, ...(holding.account !== undefined ? { account: holding.account } : {}) };
}

/**
 * The changes of one flow, sorted. Desired entries must already be unique by change id.
 *
 * podreach's own entries are known by their holdings: an entry with a holding is podreach's, whoever asked for it
 * first. A desired entry already there as podreach made it is claimed (`unchanged`, the claim is written with the
 * plan: no provider call); one podreach holds for others with another value is never changed under them; an entry
 * this flow no longer needs is released (`unchanged` while others still claim it) or deleted (planned, when this
 * is the last claim; the apply step releases instead if a claim arrived meanwhile).
 */
export function diffFlow(input: DiffInput): Change[] {
  const claimed = claimedHoldings(input);
  const snapshots = new Snapshots(input.snapshot, wantedCidrs(input, claimed));
  const holdingOf = (entry: PlacedEntry) => findHolding(input.holdings, refOf(entry), entry);

  const changes: Change[] = [];
  const creates: { id: string; entry: DesiredEntry }[] = [];
  const desiredIds = new Set<string>();
  const { desired, summaries } = summariseDesired(input, snapshots);

  for (const original of desired) {
    let entry = original;
    const id = changeId(input.clusterId, input.flow, entry);
    desiredIds.add(id);
    const current = snapshots.find(entry);
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
    const holding = holdingOf(entry);
    const mine = holding !== undefined && hasClaim(holding, input.clusterId, input.flow);
    if (!current) {
      if (mine && !holding.intent) {
        // drift: podreach made it for this flow and someone removed it
        input.drift?.push({ ...placed(holding), drift: 'removed' });
        if (input.driftPolicy === 'report') {
          changes.push(toChange(input, id, entry, 'create', 'blocked', `${entry.target}: ${describeEntry(entry)} was removed by someone; the drift policy is report: not repaired`));
          continue;
        }
      }
      if (!supported) changes.push(toChange(input, id, entry, 'create', 'blocked', unsupportedReason(entry)));
      else creates.push({ id, entry });
      continue;
    }
    if (valueMatches(entry, current, entry.acceptedNextHops)) {
      // report what is there (a subnet bound to the second listed table stays so)
      const shown = current.nextHop !== undefined ? { ...entry, nextHop: current.nextHop } : entry;
      if (holding && !mine && holding.intent) {
        // podreach's, being created or removed by another execution right now: the apply step waits for it
        if (supported) creates.push({ id, entry });
        else changes.push(toChange(input, id, shown, 'create', 'blocked', unsupportedReason(entry)));
      } else if (holding && !mine) {
        // podreach made it for another cluster or flow: this flow adds its claim when the plan is recorded
        changes.push(toChange(input, id, shown, 'create', 'unchanged', `claimed: podreach made it for ${describeClaims(holding.claims) || holding.createdBy.clusterId}`));
      } else {
        changes.push(toChange(input, id, shown, 'create', 'unchanged'));
      }
    } else if (entry.mismatchReason) {
      changes.push(toChange(input, id, entry, 'update', 'blocked', entry.mismatchReason(current)));
    } else if (SHARED_KINDS.has(entry.kind) && supported && current.owner === undefined && !holding) {
      // The cluster's own VPC's registration, made by the cloud (TKE registers container CIDRs to a CCN and
      // leaves them disabled on overlap) and not marked as anyone's: podreach may enable or disable it, but it
      // does not become podreach's (it is never deleted by podreach).
      changes.push(toChange(input, id, entry, 'update', 'planned'));
    } else if (!holding || current.owner === 'foreign' || !mine || otherClaims(holding, input.clusterId, input.flow).length > 0) {
      // not podreach's, replaced by someone since, or podreach's for others with this value: never overwritten
      changes.push(toChange(input, id, entry, 'create', 'blocked', foreignReason(current, holding, input.clusterId)));
    } else if (!supported) {
      changes.push(toChange(input, id, entry, 'update', 'blocked', unsupportedReason(entry)));
    } else {
      // podreach's entry for this flow alone: a value someone changed is drift (put back, or only reported)
      if (!holding.intent && valueMatches(holding.entry, entry) && !valueMatches(holding.entry, current)) {
        input.drift?.push({ ...placed(holding), drift: 'changed', ...(current.nextHop !== undefined ? { found: current.nextHop } : {}) });
        if (input.driftPolicy === 'report') {
          changes.push(toChange(input, id, entry, 'update', 'blocked', `${current.target}: ${describeEntry(current)} was changed by someone to ${describeValue(current)}; the drift policy is report: not repaired`));
          continue;
        }
      }
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

  for (const holding of claimed) {
    const held = placed(holding);
    const id = changeId(input.clusterId, input.flow, held);
    if (desiredIds.has(id)) continue;
    const current = snapshots.find(held);
    if (kept.has(id) && current) {
      changes.push(toChange(input, id, held, 'create', 'unchanged'));
      continue;
    }
    const others = otherClaims(holding, input.clusterId, input.flow);
    if (others.length > 0 && !holding.intent) {
      // released: the entry stays for the others; this flow drops its claim when the plan is recorded
      changes.push(toChange(input, id, held, 'delete', 'unchanged', `released: still needed by ${describeClaims(others)}`));
    } else if (!current) {
      // gone already: the holding is closed when the plan is recorded
      changes.push(toChange(input, id, held, 'delete', 'unchanged'));
    } else if (current.owner === 'foreign') {
      changes.push(toChange(input, id, held, 'delete', 'blocked', `${current.target}: ${describeEntry(current)} is marked as not created by podreach; left in place`));
    } else if (!valueMatches(held, current)) {
      changes.push(
        toChange(input, id, held, 'delete', 'blocked', `${current.target}: ${describeEntry(current)} is now ${describeValue(current)}, not ${describeValue(held)} as podreach set it; left in place`),
      );
    } else if (!input.supports(held.provider, held.kind)) {
      changes.push(toChange(input, id, held, 'delete', 'blocked', unsupportedReason(held)));
    } else {
      changes.push(toChange(input, id, held, 'delete', 'planned'));
    }
  }

  return changes.sort(compareChanges);
}

/**
 * The desired entries, summarised where a target's list would overflow its quota (summarise.ts). The room
 * is the quota less what the target holds that is neither desired nor this flow's own (foreign entries,
 * other clusters'). Returns, per summary change id, the entries it replaces.
 */
function summariseDesired(input: DiffInput, snapshots: Snapshots): { desired: DesiredEntry[]; summaries: Map<string, DesiredEntry[]> } {
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
  // entries this flow holds, per target
  const ours = new Map<string, NetworkEntry[]>();
  for (const holding of claimedHoldings(input)) {
    const key = targetKey(holdingRef(holding));
    const list = ours.get(key);
    if (list) list.push(holding.entry);
    else ours.set(key, [holding.entry]);
  }
  for (const [key, entries] of groups) {
    const first = entries[0]!;
    const quotaName = QUOTA_OF_KIND[first.kind]!;
    const limit = input.quotaOverrides?.[quotaName] ?? input.quotas(first.provider)[quotaName];
    // Counted from the few desired and held identities, not by walking the whole table (it may hold 100,000 routes).
    const ref = refOf(first);
    const notOthers = new Map<string, NetworkEntry>();
    for (const entry of [...entries, ...(ours.get(key) ?? [])]) notOthers.set(identityKey(entry), entry);
    let others = snapshots.count(ref);
    for (const entry of notOthers.values()) others -= snapshots.countOf(ref, entry);
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
    return { entry: { ...entry, enabled: true, overlaps: named } };
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
