// The neutral port text of sg-rule and whitelist entries ("tcp:22", "udp:53", "tcp:80-90", "tcp", "icmp", "all"),
// parsed once for every adapter; each cloud maps the parsed form to its own fields.
import { InvalidInputError } from './errors.js';

export interface PortRange {
  protocol: 'tcp' | 'udp' | 'icmp' | 'all';
  /** Both set for a port range; both absent for every port of the protocol. */
  from?: number;
  to?: number;
}

const PORT_PATTERN = /^(tcp|udp)(?::(\d{1,5})(?:-(\d{1,5}))?)?$/;

/** Parses port text (undefined or "" = all); InvalidInputError naming `port` otherwise. */
export function parsePort(text: string | undefined): PortRange {
  const port = (text ?? 'all').trim().toLowerCase();
  if (port === '' || port === 'all' || port === '-1') return { protocol: 'all' };
  if (port === 'icmp') return { protocol: 'icmp' };
  const match = PORT_PATTERN.exec(port);
  if (!match) throw new InvalidInputError('port', `"${text}" is not one of tcp:N, udp:N, tcp:N-M, icmp, all`);
  const protocol = match[1] as 'tcp' | 'udp';
  if (match[2] === undefined) return { protocol };
  const from = Number(match[2]);
  const to = match[3] === undefined ? from : Number(match[3]);
  if (from > 65535 || to > 65535 || from > to) throw new InvalidInputError('port', `"${text}" is not a valid port range`);
  // every port of the protocol, spelt as a range by some APIs
  if ((from === 0 || from === 1) && to === 65535) return { protocol };
  return { protocol, from, to };
}

/** A cloud's protocol and range, read back into port text ("-1" / "ALL" = all, full ranges = the protocol). */
export function portText(protocol: string | undefined, from?: number | string, to?: number | string): string {
  const name = (protocol ?? 'all').toLowerCase();
  if (name === 'all' || name === '-1' || name === '') return 'all';
  if (name === 'icmp' || name === '1') return 'icmp';
  const low = from === undefined || from === '' ? undefined : Number(from);
  const high = to === undefined || to === '' ? low : Number(to);
  if (low === undefined || high === undefined || Number.isNaN(low) || Number.isNaN(high) || low < 0) return name;
  if ((low === 0 || low === 1) && high === 65535) return name;
  return low === high ? `${name}:${low}` : `${name}:${low}-${high}`;
}

/**
 * A cloud's port field that may list several ports or ranges ("80,443", "22,8000-8080"; empty, "ALL" or "-1" = every
 * port): one port text each. Read as one range, "80,443" would be no number at all, and so every port.
 */
export function portTexts(protocol: string | undefined, ports: string | undefined): string[] {
  const field = (ports ?? '').trim();
  if (field === '' || field.toUpperCase() === 'ALL' || field === '-1') return [portText(protocol)];
  return field.split(',').map((part) => {
    const [from, to] = part.trim().split('-');
    return portText(protocol, from, to);
  });
}

export function formatPort(range: PortRange): string {
  return portText(range.protocol, range.from, range.to);
}

/** The same protocol and ports after normalising both ("tcp:22" = "tcp:22-22", undefined = "all"). */
export function samePort(a: string | undefined, b: string | undefined): boolean {
  return formatPort(parsePort(a)) === formatPort(parsePort(b));
}

/** What a connection needs a rule to admit: a protocol and, for tcp / udp, one port. */
export interface PortNeed {
  protocol: 'tcp' | 'udp' | 'icmp';
  port?: number;
}

/**
 * Whether a rule's port text admits the connection (diagnose): "all" admits everything, a protocol without ports
 * admits all its ports, a range admits the ports inside it. No need (no port asked for): any rule admits.
 */
export function portCovers(rule: string | undefined, need: PortNeed | undefined): boolean {
  if (need === undefined) return true;
  let range: PortRange;
  try {
    range = parsePort(rule);
  } catch {
    return false;
  }
  if (range.protocol === 'all') return true;
  if (range.protocol !== need.protocol) return false;
  if (need.port === undefined || range.from === undefined || range.to === undefined) return true;
  return range.from <= need.port && need.port <= range.to;
}

/** "tcp:80", "icmp", or "any port" for no need. */
export function describePortNeed(need: PortNeed | undefined): string {
  if (need === undefined) return 'any port';
  return need.port === undefined ? need.protocol : `${need.protocol}:${need.port}`;
}
