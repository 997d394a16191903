// CIDR handling on ip-cidr: parse, normalise, contains, overlap, and an interval index so that conflict
// checks against large route tables stay O(log n) per lookup.
import IPCIDR from 'ip-cidr';

export interface ParsedCidr {
  /** Normalised text: network address / prefix ("10.0.0.1/16" -> "10.0.0.0/16"). */
  cidr: string;
  version: 4 | 6;
  prefix: number;
  start: bigint;
  end: bigint;
}

const cache = new Map<string, ParsedCidr | null>();

export function parseCidr(text: string): ParsedCidr | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  let parsed: ParsedCidr | null = null;
  const trimmed = text.trim();
  if (/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(trimmed) && IPCIDR.isValidCIDR(trimmed)) {
    const range = new IPCIDR(trimmed);
    const version = trimmed.includes(':') ? 6 : 4;
    const prefix = Number(trimmed.split('/')[1]);
    const start = range.start({ type: 'bigInteger' }) as unknown as bigint;
    const end = range.end({ type: 'bigInteger' }) as unknown as bigint;
    const network = range.start() as string;
    parsed = { cidr: `${network}/${prefix}`, version, prefix, start: BigInt(start), end: BigInt(end) };
  }
  if (cache.size > 200_000) cache.clear();
  cache.set(text, parsed);
  return parsed ?? undefined;
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

/** Normalised CIDR text; throws on invalid input (callers validate with zod first). */
export function normaliseCidr(text: string): string {
  const parsed = parseCidr(text);
  if (!parsed) throw new RangeError(`not a valid CIDR: ${text}`);
  return parsed.cidr;
}

function mustParse(text: string): ParsedCidr {
  const parsed = parseCidr(text);
  if (!parsed) throw new RangeError(`not a valid CIDR: ${text}`);
  return parsed;
}

/** true when `outer` contains every address of `inner` (equal counts). */
export function cidrContains(outer: string, inner: string): boolean {
  const a = mustParse(outer);
  const b = mustParse(inner);
  return a.version === b.version && a.start <= b.start && b.end <= a.end;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = mustParse(a);
  const y = mustParse(b);
  return x.version === y.version && x.start <= y.end && y.start <= x.end;
}

export function isValidIp(text: string): boolean {
  return IPCIDR.isValidAddress(text) && /^[0-9a-fA-F:.]+$/.test(text);
}

/** The /32 (or /128) CIDR of one address. */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`;
}

/** true when `ip` is inside `cidr`. */
export function cidrContainsIp(cidr: string, ip: string): boolean {
  return cidrContains(cidr, hostCidr(ip));
}

/** Sorts and removes duplicates after normalising. */
export function uniqueCidrs(cidrs: readonly string[]): string[] {
  const byText = new Map<string, ParsedCidr>();
  for (const text of cidrs) {
    const parsed = mustParse(text);
    byText.set(parsed.cidr, parsed);
  }
  return [...byText.values()].sort(compareParsed).map((p) => p.cidr);
}

export function compareCidrs(a: string, b: string): number {
  return compareParsed(mustParse(a), mustParse(b));
}

function compareParsed(a: ParsedCidr, b: ParsedCidr): number {
  if (a.version !== b.version) return a.version - b.version;
  if (a.start !== b.start) return a.start < b.start ? -1 : 1;
  return a.prefix - b.prefix;
}

export interface IndexedCidr<T> {
  parsed: ParsedCidr;
  value: T;
}

/**
 * An index of CIDRs (with a payload each) answering "which entries overlap this CIDR?" quickly.
 * Built once (sorted by start, with a running maximum of ends), then queried by binary search.
 */
export class CidrIndex<T> {
  private readonly byVersion = new Map<4 | 6, { items: IndexedCidr<T>[]; maxEnd: bigint[] }>();

  constructor(entries: Iterable<{ cidr: string; value: T }>) {
    const groups = new Map<4 | 6, IndexedCidr<T>[]>();
    for (const entry of entries) {
      const parsed = parseCidr(entry.cidr);
      if (!parsed) continue;
      const list = groups.get(parsed.version) ?? [];
      list.push({ parsed, value: entry.value });
      groups.set(parsed.version, list);
    }
    for (const [version, items] of groups) {
      items.sort((a, b) => compareParsed(a.parsed, b.parsed));
      const maxEnd: bigint[] = [];
      let running = -1n;
      for (const item of items) {
        if (item.parsed.end > running) running = item.parsed.end;
        maxEnd.push(running);
      }
      this.byVersion.set(version, { items, maxEnd });
    }
  }

  /** Every entry whose range overlaps `cidr`. */
  overlapping(cidr: string): IndexedCidr<T>[] {
    const query = parseCidr(cidr);
    if (!query) return [];
    const group = this.byVersion.get(query.version);
    if (!group) return [];
    const { items, maxEnd } = group;
    // last index whose start <= query.end
    let lo = 0;
    let hi = items.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]!.parsed.start <= query.end) {
        last = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const found: IndexedCidr<T>[] = [];
    // walk back while some earlier range may still reach query.start
    for (let i = last; i >= 0; i--) {
      if (maxEnd[i]! < query.start) break;
      const item = items[i]!;
      if (item.parsed.end >= query.start) found.push(item);
    }
    return found.reverse();
  }
}
