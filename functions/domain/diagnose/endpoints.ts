// The two ends of a diagnosis: the destination given as IP[:PORT[/PROTO]] (--to) and the source, the cluster's
// container CIDRs or one pod (--from POD_IP), with what a peer sees of it in the cluster's network model (the rule of
// ARCHITECTURE.md "Network models" that the security flow follows too).
import { cidrContains, cidrContainsIp, hostCidr, isValidIp, parseCidr, uniqueCidrs, type ParsedCidr } from '../cidr.js';
import { InvalidInputError } from '../errors.js';
import type { ClusterFacts, NodeFacts } from '../model.js';
import { nodeSources } from '../planner/flows/security.js';
import type { Destination, Source } from './model.js';

const WITH_PORT = /^(?<ip>[0-9.]+):(?<port>\d{1,5})(?:\/(?<protocol>[A-Za-z]+))?$/;
const BRACKETED = /^\[(?<ip>[0-9a-fA-F:.]+)\](?::(?<port>\d{1,5})(?:\/(?<protocol>[A-Za-z]+))?)?$/;

/** Parses --to: "10.0.0.5", "10.0.0.5:80", "10.0.0.5:53/udp", "[fd00::5]:443/tcp". */
export function parseDestination(text: string): Destination {
  const trimmed = text.trim();
  const match = WITH_PORT.exec(trimmed) ?? BRACKETED.exec(trimmed);
  const ip = match?.groups?.ip ?? trimmed;
  if (!isValidIp(ip)) throw new InvalidInputError('--to', `"${text}" is not IP[:PORT[/PROTO]] (an IPv4 address, optionally a port and tcp or udp)`);
  const portText = match?.groups?.port;
  if (portText === undefined) return { ip, text: trimmed };
  const port = Number(portText);
  if (port < 1 || port > 65535) throw new InvalidInputError('--to', `port ${portText} is outside 1-65535`);
  const protocol = (match?.groups?.protocol ?? 'tcp').toLowerCase();
  if (protocol !== 'tcp' && protocol !== 'udp') throw new InvalidInputError('--to', `protocol "${protocol}" is not tcp or udp`);
  return { ip, text: trimmed, need: { protocol, port } };
}

/** The prefix length of a CIDR (an address counts as its host CIDR); -1 for nothing or no CIDR, so it sorts last. */
export function prefixLength(cidr: string | undefined): number {
  return cidr === undefined ? -1 : (asCidr(cidr)?.prefix ?? -1);
}

/** A CIDR, or an address as its host CIDR (whitelists and some rule APIs list single hosts so). */
function asCidr(text: string): ParsedCidr | undefined {
  return parseCidr(text) ?? (isValidIp(text) ? parseCidr(hostCidr(text)) : undefined);
}

/** The node whose pod CIDR holds the address (the most specific one). */
export function nodeHolding(facts: ClusterFacts, ip: string): NodeFacts | undefined {
  return Object.values(facts.nodes)
    .filter((node) => node.podCidr !== undefined && parseCidr(node.podCidr) !== undefined && cidrContainsIp(node.podCidr, ip))
    .sort((a, b) => prefixLength(b.podCidr) - prefixLength(a.podCidr) || (a.name < b.name ? -1 : 1))[0];
}

/**
 * The source of the traffic. With --from, the pod must be inside one of the cluster's container CIDRs (InvalidInputError
 * naming --from otherwise); a peer then sees the pod's address (vpc-router, eni) or its node's (overlay; the node
 * subnets when the node is not known).
 */
export function sourceOf(facts: ClusterFacts, podIp?: string): Source {
  const networkModel = facts.networkModel;
  if (podIp === undefined) {
    const podCidrs = uniqueCidrs(facts.podCidrs);
    const seen = networkModel === 'overlay' ? nodeSources(facts) : podCidrs;
    return { podCidrs, probes: podCidrs, seen, networkModel };
  }
  if (!isValidIp(podIp)) throw new InvalidInputError('--from', `"${podIp}" is not an IP address`);
  const holding = uniqueCidrs(facts.podCidrs).filter((cidr) => cidrContainsIp(cidr, podIp));
  if (holding.length === 0) {
    throw new InvalidInputError('--from', `${podIp} is in none of ${facts.clusterId}'s container CIDRs (${facts.podCidrs.join(', ')})`);
  }
  const node = nodeHolding(facts, podIp);
  const pod = hostCidr(podIp);
  const seen =
    networkModel !== 'overlay'
      ? [pod]
      : node
        ? [hostCidr(node.ip)]
        : nodeSources(facts);
  return { podCidrs: holding, podIp, ...(node ? { node } : {}), probes: [pod], seen, networkModel };
}

/** true when `outer` holds every address of the probe (a CIDR, or an address as its host CIDR). */
export function holds(outer: string | undefined, probe: string): boolean {
  if (outer === undefined) return false;
  const parsed = asCidr(outer);
  const inner = asCidr(probe);
  if (!parsed || !inner) return false;
  return cidrContains(parsed.cidr, inner.cidr);
}

/** true when `inner` lies inside the probe and is more specific than it (a part of the probe). */
export function inside(inner: string | undefined, probe: string): boolean {
  return inner !== undefined && holds(probe, inner) && prefixLength(inner) > prefixLength(probe);
}

/**
 * true when the CIDRs together hold every address of the probe: rules for 172.16.0.0/17 and 172.16.128.0/17 cover
 * 172.16.0.0/16 though neither holds it alone.
 */
export function unionHolds(cidrs: readonly (string | undefined)[], probe: string): boolean {
  const target = asCidr(probe);
  if (!target) return false;
  const parts = cidrs
    .flatMap((cidr) => {
      const parsed = cidr === undefined ? undefined : asCidr(cidr);
      return parsed && parsed.version === target.version && parsed.start <= target.end && target.start <= parsed.end ? [parsed] : [];
    })
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let next = target.start;
  for (const part of parts) {
    if (part.start > next) return false;
    if (part.end >= next) next = part.end + 1n;
    if (next > target.end) return true;
  }
  return false;
}
