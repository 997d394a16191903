// Route summarisation for list quotas: when a target's list would overflow, adjacent CIDRs of one value are
// merged into their summary, but only losslessly — two blocks merge only when they are the two halves of the
// summary (10.1.0.0/24 + 10.1.1.0/24 -> 10.1.0.0/23), so a summary never admits or routes an address outside
// the blocks it replaces (10.1.0.0/24 + 10.1.2.0/24 stay as they are: a /22 would add 10.1.1.0/24 and 10.1.3.0/24).
import { normaliseCidr, parseCidr, uniqueCidrs } from './cidr.js';
import type { NetworkEntry } from './model.js';

export interface CidrSummary {
  /** The summary block (or a block that merged with nothing). */
  cidr: string;
  /** The input blocks it replaces, sorted; [cidr] itself when nothing merged. */
  members: string[];
}

function formatBlock(version: 4 | 6, start: bigint, prefix: number): string {
  if (version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => ((start >> shift) & 255n).toString());
    return `${octets.join('.')}/${prefix}`;
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((start >> shift) & 0xffffn).toString(16));
  return normaliseCidr(`${groups.join(':')}/${prefix}`);
}

interface Block {
  version: 4 | 6;
  start: bigint;
  prefix: number;
  members: string[];
}

/**
 * The smallest list of blocks covering exactly the union of `cidrs`: blocks inside another one are absorbed by
 * it, and sibling halves merge, repeatedly. Sorted by address. Deterministic whatever the input order.
 */
export function summariseCidrs(cidrs: readonly string[]): CidrSummary[] {
  const parsed = uniqueCidrs(cidrs).map((cidr) => parseCidr(cidr)!);
  // uniqueCidrs sorts by start then prefix, so a containing block comes before the blocks inside it
  const blocks: Block[] = [];
  for (const item of parsed) {
    const last = blocks[blocks.length - 1];
    const lastEnd = last ? last.start + (1n << BigInt((last.version === 4 ? 32 : 128) - last.prefix)) - 1n : -1n;
    if (last && last.version === item.version && item.start <= lastEnd) {
      last.members.push(item.cidr);
      continue;
    }
    blocks.push({ version: item.version, start: item.start, prefix: item.prefix, members: [item.cidr] });
  }
  // merge sibling halves until nothing merges; a stack keeps it linear
  const merged: Block[] = [];
  for (const block of blocks) {
    merged.push(block);
    for (;;) {
      const top = merged[merged.length - 1]!;
      const below = merged[merged.length - 2];
      if (!below || below.version !== top.version || below.prefix !== top.prefix || below.prefix === 0) break;
      const bits = BigInt((top.version === 4 ? 32 : 128) - top.prefix);
      const isLeftHalf = ((below.start >> bits) & 1n) === 0n;
      if (!isLeftHalf || below.start + (1n << bits) !== top.start) break;
      merged.splice(merged.length - 2, 2, { version: top.version, start: below.start, prefix: top.prefix - 1, members: [...below.members, ...top.members] });
    }
  }
  return merged.map((block) => ({ cidr: formatBlock(block.version, block.start, block.prefix), members: uniqueCidrs(block.members) }));
}

/** One target's entries before the quota check: how many it may hold, and which of them may be summarised. */
export interface QuotaGroup<E extends NetworkEntry> {
  entries: readonly E[];
  /** How many entries of the group fit: the quota less the entries there that are not the group's. */
  capacity: number;
  summarisable(entry: E): boolean;
}

export interface SummarisedEntry<E extends NetworkEntry> {
  entry: E;
  /** The entries it replaces (more than one), or [] when it is one of the group's own entries. */
  members: E[];
}

/** Entries of one value (everything but the CIDR) can share a summary; others never do. */
function valueKey(entry: NetworkEntry & { provider?: string; region?: string }): string {
  return JSON.stringify([entry.provider, entry.region, entry.kind, entry.target, entry.nextHop, entry.nextHopType, entry.enabled, entry.peerCidr, entry.port]);
}

/**
 * A group that overflows its capacity gets its summarisable entries merged per value (summariseCidrs); a
 * summary entry is its first member with the summary CIDR. A group that fits is returned as it is, so a plan
 * summarises only when it must. What still does not fit is for the quota check to block.
 */
export function summariseForQuota<E extends NetworkEntry>(group: QuotaGroup<E>): SummarisedEntry<E>[] {
  const same = group.entries.map((entry) => ({ entry, members: [] as E[] }));
  if (group.entries.length <= group.capacity) return same;
  const result: SummarisedEntry<E>[] = [];
  const byValue = new Map<string, E[]>();
  for (const entry of group.entries) {
    if (entry.cidr === undefined || !group.summarisable(entry)) {
      result.push({ entry, members: [] });
      continue;
    }
    const key = valueKey(entry);
    const list = byValue.get(key);
    if (list) list.push(entry);
    else byValue.set(key, [entry]);
  }
  for (const entries of byValue.values()) {
    const byCidr = new Map(entries.map((entry) => [normaliseCidr(entry.cidr!), entry]));
    for (const summary of summariseCidrs([...byCidr.keys()])) {
      const members = summary.members.map((cidr) => byCidr.get(cidr)!);
      if (members.length === 1) result.push({ entry: members[0]!, members: [] });
      else result.push({ entry: { ...members[0]!, cidr: summary.cidr }, members });
    }
  }
  return result;
}
