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
const CACHE_LIMIT = 50_000;

export function parseCidr(text: string): ParsedCidr | undefined {
  const hit = cache.get(text);
  if (hit !== undefined) return hit ?? undefined;
  let parsed: ParsedCidr | null = null;
  const trimmed = text.trim();
  const fast = parseCanonicalIpv4(trimmed) ?? parseIpv6(trimmed);
  if (fast) {
    parsed = fast;
  } else if (/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(trimmed) && IPCIDR.isValidCIDR(trimmed)) {
    const range = new IPCIDR(trimmed);
    const version = trimmed.includes(':') ? 6 : 4;
    const prefix = Number(trimmed.split('/')[1]);
    const start = BigInt(range.start({ type: 'bigInteger' }) as unknown as bigint);
    const end = BigInt(range.end({ type: 'bigInteger' }) as unknown as bigint);
    // IPv6 is always written the same way (RFC 5952), whichever path parsed it
    const network = version === 6 ? formatIpv6(start) : (range.start() as string);
    parsed = { cidr: `${network}/${prefix}`, version, prefix, start, end };
  }
  // A bounded cache that keeps what it has once full (clearing it made a table larger than the cache parse
  // everything again, over and over).
  if (cache.size < CACHE_LIMIT) cache.set(text, parsed);
  return parsed ?? undefined;
}

const CANONICAL_IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\/(3[0-2]|[12]?\d)$/;

/**
 * The common case (canonical IPv4 "a.b.c.d/n") without ip-cidr, which costs ~65 µs a parse: too slow for
 * route tables of thousands of entries. Anything else (IPv6, odd spellings) goes through ip-cidr; a test
 * checks that both give the same result.
 */
function parseCanonicalIpv4(text: string): ParsedCidr | undefined {
  const match = CANONICAL_IPV4_CIDR.exec(text);
  if (!match) return undefined;
  const address = ((Number(match[1]) << 24) | (Number(match[2]) << 16) | (Number(match[3]) << 8) | Number(match[4])) >>> 0;
  const prefix = Number(match[5]);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return { cidr: `${octets.join('.')}/${prefix}`, version: 4, prefix, start: BigInt(network), end: BigInt(network + size - 1) };
}

const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ALL_ONES_128 = (1n << 128n) - 1n;

/**
 * IPv6 "addr/n" without ip-cidr (~90 µs a parse: 100,000 IPv6 routes would take seconds). Handles "::" and a
 * trailing dotted IPv4; anything it does not recognise goes to ip-cidr. A test compares both on many inputs.
 */
function parseIpv6(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !text.slice(0, slash).includes(':')) return undefined;
  const prefixText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > 128) return undefined;
  let address = text.slice(0, slash);
  const lastColon = address.lastIndexOf(':');
  const tail = address.slice(lastColon + 1);
  if (tail.includes('.')) {
    const octets = tail.split('.');
    if (octets.length !== 4 || !octets.every((octet) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(octet))) return undefined;
    const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
    address = `${address.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0] ?? '');
  const rest = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (halves.length === 1 ? head.length !== 8 : head.length + rest.length > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - head.length - rest.length).fill('0'), ...rest];
  if (!groups.every((group) => IPV6_GROUP.test(group))) return undefined;
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  const start = value & (ALL_ONES_128 ^ hostMask);
  return { cidr: `${formatIpv6(start)}/${prefix}`, version: 6, prefix, start, end: start | hostMask };
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as "::". */
function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
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

/**
 * An address or CIDR as one normal text: the normalised CIDR, a bare address as its /32 (/128) (whitelists and
 * some security-group APIs list single hosts so), anything else trimmed as it came.
 */
export function canonicalCidr(text: string): string {
  const trimmed = text.trim();
  return (parseCidr(trimmed) ?? (isValidIp(trimmed) ? parseCidr(hostCidr(trimmed)) : undefined))?.cidr ?? trimmed;
}

/**
 * The one CIDR equality of podreach: the same network after normalising ("10.0.0.1/16" = "10.0.0.0/16"), a bare
 * address equal to its host CIDR. Two missing values are equal; text that is no CIDR equals only itself.
 */
export function sameCidr(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a === b || canonicalCidr(a) === canonicalCidr(b);
}

/** true when `ip` is inside `cidr`. */
export function cidrContainsIp(cidr: string, ip: string): boolean {
  return cidrContains(cidr, hostCidr(ip));
}

/**
 * The CIDRs of `cidrs` not contained in another of them, sorted: the union without redundant entries. One pass: in
 * address order a block comes before the blocks inside it, and two blocks either nest or are disjoint, so a block is
 * redundant exactly when it lies inside the last one kept.
 */
export function cidrUnion(cidrs: readonly string[]): string[] {
  const kept: ParsedCidr[] = [];
  const unique = new Map<string, ParsedCidr>();
  for (const text of cidrs) {
    const parsed = mustParse(text);
    unique.set(parsed.cidr, parsed);
  }
  for (const block of [...unique.values()].sort(compareParsed)) {
    const last = kept.at(-1);
    if (last && last.version === block.version && block.start >= last.start && block.end <= last.end) continue;
    kept.push(block);
  }
  return kept.map((block) => block.cidr);
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

/** Address order: IPv4 before IPv6, then by start, a block before the blocks inside it. */
export function compareParsed(a: ParsedCidr, b: ParsedCidr): number {
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
 * Two CIDR blocks are either nested or disjoint, never partly overlapping, so the entries overlapping a query
 * are its supernets (found by one map lookup per prefix length present: at most 33 for IPv4, 129 for IPv6)
 * and the entries inside it (one contiguous run of the list sorted by start, found by binary search).
 * A query costs O(prefix lengths + log n + answer), even with a 0.0.0.0/0 in the index.
 */
export class CidrIndex<T> {
  private readonly byVersion = new Map<4 | 6, { items: IndexedCidr<T>[]; byBlock: Map<string, IndexedCidr<T>[]>; prefixes: number[] }>();

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
      // stable: entries of the same block keep their insertion order
      items.sort((a, b) => compareParsed(a.parsed, b.parsed));
      const byBlock = new Map<string, IndexedCidr<T>[]>();
      const prefixes = new Set<number>();
      for (const item of items) {
        const key = blockKey(item.parsed.start, item.parsed.prefix);
        const list = byBlock.get(key);
        if (list) list.push(item);
        else byBlock.set(key, [item]);
        prefixes.add(item.parsed.prefix);
      }
      this.byVersion.set(version, { items, byBlock, prefixes: [...prefixes].sort((a, b) => a - b) });
    }
  }

  /** Every entry whose range overlaps `cidr`, in address order (a block before the blocks inside it). */
  overlapping(cidr: string): IndexedCidr<T>[] {
    const query = parseCidr(cidr);
    if (!query) return [];
    return [...this.supernets(query), ...this.inside(query)];
  }

  /** Every entry that contains all of `cidr` (itself included). */
  containing(cidr: string): IndexedCidr<T>[] {
    const query = parseCidr(cidr);
    if (!query) return [];
    const group = this.byVersion.get(query.version);
    return [...this.supernets(query), ...(group?.byBlock.get(blockKey(query.start, query.prefix)) ?? [])];
  }

  /** Every entry inside `cidr` (itself included). */
  within(cidr: string): IndexedCidr<T>[] {
    const query = parseCidr(cidr);
    return query ? this.inside(query) : [];
  }

  /** Entries strictly larger than the query that contain it. */
  private supernets(query: ParsedCidr): IndexedCidr<T>[] {
    const group = this.byVersion.get(query.version);
    if (!group) return [];
    const bits = query.version === 4 ? 32 : 128;
    const found: IndexedCidr<T>[] = [];
    for (const prefix of group.prefixes) {
      if (prefix >= query.prefix) break;
      const hostBits = BigInt(bits - prefix);
      const start = (query.start >> hostBits) << hostBits;
      const list = group.byBlock.get(blockKey(start, prefix));
      if (list) found.push(...list);
    }
    return found;
  }

  /** Entries with a prefix at least the query's and a start inside it: exactly the blocks inside the query. */
  private inside(query: ParsedCidr): IndexedCidr<T>[] {
    const group = this.byVersion.get(query.version);
    if (!group) return [];
    const { items } = group;
    // first index whose start >= query.start
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid]!.parsed.start < query.start) lo = mid + 1;
      else hi = mid;
    }
    const found: IndexedCidr<T>[] = [];
    for (let i = lo; i < items.length; i++) {
      const item = items[i]!;
      if (item.parsed.start > query.end) break;
      // same start with a shorter prefix is a supernet, reported by supernets()
      if (item.parsed.prefix >= query.prefix) found.push(item);
    }
    return found;
  }
}

/** A block's key by number, independent of how addresses are spelt (ip-cidr spells IPv6 uncompressed). */
function blockKey(start: bigint, prefix: number): string {
  return `${start.toString(16)}/${prefix}`;
}
