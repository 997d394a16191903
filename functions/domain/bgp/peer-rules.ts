// The rules a Terway Edge BGPPeer must follow (Alibaba ACK Edge guide "Use Terway Edge ... complex on-premises
// network"): enough speakers for high availability, a long enough graceful-restart timer on the switch, usable
// and distinct ASNs, and a switch address inside the data centre's host network. Pure: plain values in, words out.
import { cidrContainsIp } from '../cidr.js';
import type { BgpPeer, BgpTransit } from '../profile.js';

/** The guide: "Designate at least three nodes as BGP speakers." */
export const MIN_SPEAKERS = 3;
/** The guide: "Configure BGP graceful restart with a restart timer of at least 300 seconds." */
export const MIN_GRACEFUL_RESTART_SECONDS = 300;
export const MAX_ASN = 4294967295;

/**
 * ASNs no BGP session may use: 0 and 65535 and 4294967295 are reserved (RFC 7607, RFC 7300), 23456 is AS_TRANS
 * (RFC 6793), a placeholder for 4-byte ASNs on 2-byte speakers.
 */
const RESERVED_ASNS: ReadonlySet<number> = new Set([0, 23456, 65535, MAX_ASN]);

export type BgpRuleName = 'min-speakers' | 'graceful-restart' | 'asn-range' | 'distinct-asn' | 'peer-ip-in-idc';

export interface BgpRuleBreak {
  rule: BgpRuleName;
  message: string;
}

export interface BgpPeerReview {
  /** Rules broken: each makes the peer unusable (its changes are blocked). */
  broken: BgpRuleBreak[];
  /** Rules bent on purpose (acceptFewerSpeakers) or worth a look. */
  warnings: string[];
}

function asnProblem(field: string, asn: number): string | undefined {
  if (!Number.isInteger(asn) || asn < 1 || asn >= MAX_ASN) return `${field} ${asn} is outside the ASN range 1-${MAX_ASN - 1}`;
  if (RESERVED_ASNS.has(asn)) return `${field} ${asn} is a reserved ASN`;
  return undefined;
}

/** Every rule the peer breaks, one entry per rule, in a fixed order. */
export function reviewBgpPeer(peer: BgpPeer, transit: BgpTransit | undefined): BgpPeerReview {
  const broken: BgpRuleBreak[] = [];
  const warnings: string[] = [];
  const speakers = [...new Set(peer.speakers)];

  if (speakers.length < MIN_SPEAKERS) {
    const listed = speakers.length > 0 ? ` (${speakers.join(', ')})` : '';
    if (peer.acceptFewerSpeakers) {
      warnings.push(
        `BGPPeer ${peer.name}: ${speakers.length} speaker(s)${listed}, fewer than the ${MIN_SPEAKERS} the guide asks for; accepted by acceptFewerSpeakers, so one upgrade or node failure can age the pod routes out`,
      );
    } else {
      broken.push({
        rule: 'min-speakers',
        message: `rule min-speakers: at least ${MIN_SPEAKERS} BGP speakers are required for high availability, ${speakers.length} listed${listed} (set acceptFewerSpeakers: true to accept fewer)`,
      });
    }
  }
  if (!(peer.gracefulRestartSeconds >= MIN_GRACEFUL_RESTART_SECONDS)) {
    broken.push({
      rule: 'graceful-restart',
      message: `rule graceful-restart: gracefulRestartSeconds must be at least ${MIN_GRACEFUL_RESTART_SECONDS}, got ${peer.gracefulRestartSeconds} (a dropped session would withdraw the pod routes)`,
    });
  }
  const asnProblems = [asnProblem('localAsn', peer.localAsn), asnProblem('peerAsn', peer.peerAsn)].filter((p): p is string => p !== undefined);
  if (asnProblems.length > 0) broken.push({ rule: 'asn-range', message: `rule asn-range: ${asnProblems.join('; ')}` });
  if (peer.localAsn === peer.peerAsn) {
    broken.push({
      rule: 'distinct-asn',
      message: `rule distinct-asn: localAsn and peerAsn are both ${peer.localAsn}; the container network and the switch must be different autonomous systems`,
    });
  }
  if (transit) {
    const inside = transit.idcHostCidrs.some((cidr) => cidrContainsIp(cidr, peer.peerIp));
    if (!inside) {
      const where = transit.idcHostCidrs.length > 0 ? transit.idcHostCidrs.join(', ') : '(none listed)';
      broken.push({ rule: 'peer-ip-in-idc', message: `rule peer-ip-in-idc: peerIp ${peer.peerIp} is not inside any idcHostCidr: ${where}` });
    }
  }
  return { broken, warnings };
}

/** Labels select a node when it carries every key with the same value (an empty selector selects every node). */
export function selectorMatches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

/** The BGPPeer spelling of a selector: "ASN=65010", "a=1,b=2" (keys sorted, so the same selector gives the same text). */
export function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector)
    .sort()
    .map((key) => `${key}=${selector[key] ?? ''}`)
    .join(',');
}
