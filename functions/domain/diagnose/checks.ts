// The kinds of hop a path is made of, each a read (the targets it needs) and an evaluation of what was read:
// a route (the longest enabled prefix that holds the probe decides, as a route table does), a list whose entries
// together must cover the probes (selectors, advertised prefixes, security-group rules, whitelists), a subnet's
// route table, an artifact podreach renders for a person, the CIDR conflicts on the path, and the manual checks of
// what no API shows.
// What "in place" means comes from the flows' designers (DesiredEntry): diagnose never re-derives an entry.
import { checkConflicts } from '../conflicts.js';
import type { Artifact, ClusterFacts, Flow, NetworkEntry, ProviderEntry } from '../model.js';
import type { PortNeed } from '../port.js';
import { describePortNeed, portCovers } from '../port.js';
import type { ProfileSpec } from '../profile.js';
import { targetKey } from '../planner/identity.js';
import type { DesiredEntry, DesiredState, TargetRef } from '../planner/types.js';
import { holds, inside, prefixLength, unionHolds } from './endpoints.js';
import type { Destination, Hop, HopCheck, HopDirection, HopFix, Source } from './model.js';

export interface DiagnosisContext {
  facts: ClusterFacts;
  /** The cluster's profile (an empty one when none matches). */
  profile: ProfileSpec;
  source: Source;
  to: Destination;
  /** What a flow designs for the cluster under `profile` (default: the cluster's own). */
  design(flow: Flow, profile?: ProfileSpec): DesiredState;
  notes: string[];
}

/** What the provider and the state hold now, as read for the hops. */
export interface Readings {
  /** The target's entries; undefined when it could not be read (unreadable says why). */
  entries(ref: TargetRef): readonly ProviderEntry[] | undefined;
  unreadable(ref: TargetRef): string | undefined;
  /** The artifacts podreach rendered for the cluster (its state). */
  artifacts: readonly Artifact[];
}

/** One or more hops: what they read, and how they judge it. */
export interface HopSpec {
  reads: TargetRef[];
  evaluate(readings: Readings): Hop[];
}

export function triggerFix(facts: ClusterFacts, flow: Flow, why?: string): HopFix {
  return { flow, text: `${why ? `${why}: ` : ''}podreach trigger ${flow} --cluster ${facts.clusterId}` };
}

/** Where a hop's resource is: the target, and the account it was read in (the account only when the profile names one). */
export function placed(ref: TargetRef): Pick<Hop, 'where' | 'provider' | 'region' | 'account'> {
  return { where: ref.target, provider: ref.provider, region: ref.region, ...(ref.account !== undefined ? { account: ref.account } : {}) };
}

/**
 * Why a check that needs the source has nothing to check: no container CIDR is recorded, or (overlay, where a peer
 * sees the nodes) no node subnet or node is. Such a hop is unknown, never ok: nothing was found admitted.
 */
export function noSourceText(ctx: DiagnosisContext): string {
  return ctx.source.podCidrs.length === 0
    ? `no container CIDR of ${ctx.facts.clusterId} is recorded, so the source is not known`
    : `no node subnet or node of ${ctx.facts.clusterId} is recorded, so what a peer sees of its pods (the nodes' addresses, ${ctx.source.networkModel} model) is not known`;
}

/** A hop that needs the source when none is recorded (noSourceText): unknown, with what to check by hand. */
export function noSourceHop(ctx: DiagnosisContext, check: HopCheck, direction: HopDirection, ref: TargetRef, lookFor: string): HopSpec {
  return fixedHop({ check, direction, ...placed(ref), status: 'unknown', detail: `${noSourceText(ctx)}: diagnose again once it is, or check by hand that ${lookFor}` });
}

function plain(entry: NetworkEntry): NetworkEntry {
  const out: NetworkEntry = { kind: entry.kind, target: entry.target };
  if (entry.cidr !== undefined) out.cidr = entry.cidr;
  if (entry.peerCidr !== undefined) out.peerCidr = entry.peerCidr;
  if (entry.port !== undefined) out.port = entry.port;
  if (entry.nextHop !== undefined) out.nextHop = entry.nextHop;
  if (entry.enabled !== undefined) out.enabled = entry.enabled;
  return out;
}

/** "10.0.0.5" for a host probe, the CIDR otherwise. */
export function probeText(probe: string): string {
  return probe.replace(/\/(32|128)$/, '');
}

function owner(entry: ProviderEntry): string {
  return entry.owner === 'podreach' ? 'made by podreach' : entry.owner === 'foreign' ? 'not made by podreach' : 'not known to be podreach\'s';
}

export function describeHeld(entries: readonly ProviderEntry[], limit = 6): string {
  if (entries.length === 0) return 'nothing';
  const shown = entries.slice(0, limit).map((entry) => {
    const what = [entry.cidr ?? '?', entry.peerCidr ? `<-> ${entry.peerCidr}` : undefined, entry.port, entry.nextHop ? `-> ${entry.nextHop}` : undefined, entry.enabled === false ? '(disabled)' : undefined];
    return what.filter(Boolean).join(' ');
  });
  return `${shown.join(', ')}${entries.length > limit ? ` and ${entries.length - limit} more` : ''}`;
}

function unreadableHop(check: HopCheck, direction: HopDirection, ref: TargetRef, why: string, lookFor: string): Hop {
  return { check, direction, ...placed(ref), status: 'unknown', detail: `${why}; check by hand that ${lookFor}` };
}

export interface RouteCheck {
  check: 'route' | 'transit-route';
  ref: TargetRef;
  /** The address (host CIDR) or CIDR the route must carry. */
  probe: string;
  nextHop: string;
  /** Other next hops that do (a second table of a VPN, an association's gateway). */
  accepted?: readonly string[];
  direction: HopDirection;
  flow: Flow;
  /** The entries the flow designs for this hop (empty: the profile does not ask for it). */
  expected: readonly DesiredEntry[];
  /** The fix when the flow designs nothing for it (a profile section). */
  profileFix?: HopFix;
}

function routeText(entry: ProviderEntry): string {
  return `${entry.cidr ?? '?'} -> ${entry.nextHop ?? '?'}`;
}

/** The entry with the longest prefix (the first listed on a tie). */
export function longest(entries: readonly ProviderEntry[]): ProviderEntry | undefined {
  return [...entries].sort((a, b) => prefixLength(b.cidr) - prefixLength(a.cidr))[0];
}

/**
 * A route table decides by the longest enabled prefix holding the address: that route must go to the next hop, and
 * no enabled route inside the probe (a part of a container CIDR) may send that part elsewhere. A disabled route
 * carries nothing (Tencent lists routes with `enabled: false`): it is said when it is the longest match.
 */
export function routeCheck(ctx: DiagnosisContext, spec: RouteCheck): HopSpec {
  const lookFor = `${spec.ref.target} routes ${probeText(spec.probe)} to ${spec.nextHop}`;
  return {
    reads: [spec.ref],
    evaluate(readings) {
      const held = readings.entries(spec.ref);
      if (!held) return [unreadableHop(spec.check, spec.direction, spec.ref, readings.unreadable(spec.ref) ?? 'not read', lookFor)];
      return [judgeRoute(ctx, spec, held)];
    },
  };
}

function judgeRoute(ctx: DiagnosisContext, spec: RouteCheck, held: readonly ProviderEntry[]): Hop {
  const base = { check: spec.check, direction: spec.direction, ...placed(spec.ref), ...(spec.expected.length > 0 ? { expected: spec.expected.map(plain) } : {}) };
  const probe = probeText(spec.probe);
  const routes = held.filter((entry) => entry.kind === spec.ref.kind);
  const holding = routes.filter((entry) => holds(entry.cidr, spec.probe));
  const best = longest(holding.filter((entry) => entry.enabled !== false));
  const disabled = longest(holding.filter((entry) => entry.enabled === false && prefixLength(entry.cidr) > prefixLength(best?.cidr)));
  const accepted = (entry: ProviderEntry) => entry.nextHop === undefined || entry.nextHop === spec.nextHop || (spec.accepted?.includes(entry.nextHop) ?? false);
  if (!best) {
    if (disabled && accepted(disabled)) {
      return {
        ...base,
        status: 'conflict',
        detail: `${routeText(disabled)} holds ${probe} but is disabled, so it carries nothing`,
        fix: { text: `enable ${spec.ref.target}'s route ${routeText(disabled)} (${owner(disabled)}; podreach never enables a route it finds disabled)` },
      };
    }
    const blocked = spec.expected.find((entry) => entry.blockedReason !== undefined);
    const fix: HopFix | undefined =
      spec.expected.length === 0
        ? spec.profileFix
        : blocked
          ? { text: `podreach does not lay it while this holds: ${blocked.blockedReason ?? ''}` }
          : triggerFix(ctx.facts, spec.flow, `the ${spec.flow} flow lays ${describeHeld(spec.expected)}`);
    const detail = disabled ? `no enabled route holds ${probe} (${routeText(disabled)} is disabled)` : `no route holds ${probe}`;
    return { ...base, status: 'missing', detail: `${detail}; expected one to ${spec.nextHop}`, ...(fix ? { fix } : {}) };
  }
  const to = best.nextHop;
  const besides = disabled ? `; the more specific ${routeText(disabled)} is disabled` : '';
  if (accepted(best)) {
    if (best.description?.includes('blackhole')) {
      return { ...base, status: 'conflict', detail: `${best.cidr ?? '?'} -> ${to ?? '?'} holds ${probe} but is a blackhole (its target is gone)`, fix: { text: `recreate or reattach ${to ?? 'its target'}, or replace the route by hand` } };
    }
    // the probe is a CIDR on the routes back: a more specific route inside it takes that part's traffic elsewhere
    const takers = routes.filter((entry) => entry.enabled !== false && inside(entry.cidr, spec.probe) && !accepted(entry));
    if (takers.length > 0) {
      const names = takers.map((entry) => `${routeText(entry)} (${owner(entry)})`).join(', ');
      return {
        ...base,
        status: 'conflict',
        detail: `${best.cidr ?? '?'} -> ${to ?? spec.nextHop} holds ${probe}, but the more specific ${takers.map(routeText).join(', ')} send${takers.length === 1 ? 's' : ''} part of it elsewhere`,
        fix: { text: `the longest prefix wins: ${names} take${takers.length === 1 ? 's' : ''} ${takers.map((entry) => entry.cidr ?? '?').join(', ')} away from ${spec.nextHop}; remove ${takers.length === 1 ? 'it' : 'them'} or route those addresses to ${spec.nextHop} by hand` },
      };
    }
    return { ...base, status: 'ok', detail: `${best.cidr ?? '?'} -> ${to ?? spec.nextHop} holds ${probe}${besides}` };
  }
  const sameAsExpected = spec.expected.some((entry) => entry.cidr === best.cidr);
  const fix: HopFix = sameAsExpected
    ? { text: `${spec.ref.target}'s route ${best.cidr ?? '?'} -> ${to ?? '?'} is ${owner(best)}; podreach never overwrites it: change or remove it by hand, then podreach trigger ${spec.flow} --cluster ${ctx.facts.clusterId}` }
    : { text: `the route ${best.cidr ?? '?'} -> ${to ?? '?'} (${owner(best)}) is the longest prefix holding ${probe} and takes its traffic: remove it or route ${probe} by hand` };
  return { ...base, status: 'conflict', detail: `${best.cidr ?? '?'} -> ${to ?? '?'} holds ${probe}, not ${spec.nextHop}${besides}`, fix };
}

export interface CoverageProbe {
  cidr: string;
  peerCidr?: string;
}

export interface CoverageCheck {
  check: 'vpn-selector' | 'dx-prefix' | 'sg-rule' | 'whitelist-entry';
  ref: TargetRef;
  probes: readonly CoverageProbe[];
  /** For sg-rule and whitelist-entry: the protocol and port the connection needs. */
  need?: PortNeed;
  direction: HopDirection;
  flow: Flow;
  /** What the flow designs in this target under the cluster's profile. */
  expected: readonly DesiredEntry[];
  /** The fix when the cluster's profile designs nothing that covers a probe. */
  profileFix?: HopFix;
  /** What the flow would design with that profile fix made (its conflicts block entries the fix would ask for). */
  withProfileFix?: readonly DesiredEntry[];
  /** What the list is, in words ("the traffic selectors of vpnx-1"). */
  what: string;
  /** What the list does to a probe: "admitted by", "carried by", "advertised by". */
  verb: string;
}

/** Whether the list's kind judges ports: a security group's rules, and a whitelist whose entries carry one (Tencent's are its bound groups' rules). */
function judgesPort(kind: NetworkEntry['kind']): boolean {
  return kind === 'sg-rule' || kind === 'whitelist-entry';
}

/** An entry that admits (part of) the probe: the right kind, overlapping it, holding its peer side, on the port needed. */
function admitsPart(entry: ProviderEntry, probe: CoverageProbe, need: PortNeed | undefined, kind: NetworkEntry['kind']): boolean {
  if (entry.kind !== kind || !(holds(entry.cidr, probe.cidr) || inside(entry.cidr, probe.cidr))) return false;
  if (probe.peerCidr !== undefined && !holds(entry.peerCidr, probe.peerCidr)) return false;
  return !judgesPort(kind) || portCovers(entry.port, need);
}

/** The probe is covered when the entries admitting parts of it hold all of it together (one entry need not). */
function covered(held: readonly ProviderEntry[], probe: CoverageProbe, need: PortNeed | undefined, kind: NetworkEntry['kind']): boolean {
  return unionHolds(held.filter((entry) => admitsPart(entry, probe, need, kind)).map((entry) => entry.cidr), probe.cidr);
}

function describeProbe(probe: CoverageProbe): string {
  return probe.peerCidr ? `${probeText(probe.cidr)} <-> ${probeText(probe.peerCidr)}` : probeText(probe.cidr);
}

/** A list whose entries together must cover every probe (selectors, advertised prefixes, rules, whitelists). */
export function coverageCheck(ctx: DiagnosisContext, spec: CoverageCheck): HopSpec {
  const port = spec.check === 'sg-rule' || (spec.check === 'whitelist-entry' && spec.need) ? ` on ${describePortNeed(spec.need)}` : '';
  if (spec.probes.length === 0) return noSourceHop(ctx, spec.check, spec.direction, spec.ref, `the source${port} is ${spec.verb} ${spec.what}`);
  return {
    reads: [spec.ref],
    evaluate(readings) {
      const wanted = spec.probes.map(describeProbe).join(', ');
      const held = readings.entries(spec.ref);
      if (!held) return [unreadableHop(spec.check, spec.direction, spec.ref, readings.unreadable(spec.ref) ?? 'not read', `${wanted}${port} is ${spec.verb} ${spec.what}`)];
      const base = { check: spec.check, direction: spec.direction, ...placed(spec.ref), ...(spec.expected.length > 0 ? { expected: spec.expected.map(plain) } : {}) };
      const missing = spec.probes.filter((probe) => !covered(held, probe, spec.need, spec.check));
      const current = held.filter((entry) => entry.kind === spec.check);
      if (missing.length === 0) {
        const used = current.filter((entry) => spec.probes.some((probe) => admitsPart(entry, probe, spec.need, spec.check)));
        return [{ ...base, status: 'ok', detail: `${wanted}${port} ${spec.verb} ${spec.what}: ${describeHeld(used)}` }];
      }
      const designedFor = (probe: CoverageProbe) => designedIn(spec.expected, probe);
      const designedIn = (entries: readonly DesiredEntry[], probe: CoverageProbe) =>
        entries.filter((entry) => holds(entry.cidr, probe.cidr) && (probe.peerCidr === undefined || holds(entry.peerCidr, probe.peerCidr)) && (!judgesPort(spec.check) || portCovers(entry.port, spec.need)));
      const designed = missing.flatMap(designedFor);
      const undesigned = missing.filter((probe) => designedFor(probe).length === 0);
      const blocked = [...designed, ...undesigned.flatMap((probe) => designedIn(spec.withProfileFix ?? [], probe))].find((entry) => entry.blockedReason !== undefined);
      const fix: HopFix | undefined = blocked
        ? { ...(undesigned.length > 0 && spec.profileFix?.profileSection ? { profileSection: spec.profileFix.profileSection } : {}), text: `podreach does not add it while this holds: ${blocked.blockedReason ?? ''}` }
        : undesigned.length > 0
          ? spec.profileFix
          : triggerFix(ctx.facts, spec.flow, `the ${spec.flow} flow adds ${describeHeld(designed)}`);
      return [
        {
          ...base,
          status: 'missing',
          detail: `${missing.map(describeProbe).join(', ')}${port} not ${spec.verb} ${spec.what}; ${spec.ref.target} holds ${describeHeld(current)}`,
          ...(fix ? { fix } : {}),
        },
      ];
    },
  };
}

/** A hop decided without reading anything (a BGPPeer rule, a missing section, a path podreach cannot lay). */
export function fixedHop(hop: Hop): HopSpec {
  return { reads: [], evaluate: () => [hop] };
}

export function manualHop(where: string, direction: HopDirection, lookFor: string): HopSpec {
  return fixedHop({ check: 'manual', direction, where, status: 'manual', detail: lookFor });
}

/**
 * An artifact podreach renders for a person (IDC routes, the far tunnel's config, BGPPeer, switch checklist): in the
 * state as the flow renders it now, or missing / stale (the flow has not run since).
 */
export function artifactCheck(ctx: DiagnosisContext, flow: Flow, designed: Artifact, direction: HopDirection): HopSpec {
  return {
    reads: [],
    evaluate(readings) {
      const stored = readings.artifacts.find((artifact) => artifact.flow === flow && artifact.name === designed.name);
      const base = { check: 'artifact' as const, direction, where: designed.name };
      if (!stored) return [{ ...base, status: 'missing', detail: `${designed.kind} not rendered yet`, fix: triggerFix(ctx.facts, flow, `the ${flow} flow renders ${designed.name}`) }];
      if (stored.content !== designed.content) {
        return [{ ...base, status: 'missing', detail: `${designed.kind} is stale: rendered before the cluster or the profile last changed`, fix: triggerFix(ctx.facts, flow, `the ${flow} flow renders it again`) }];
      }
      return [{ ...base, status: 'ok', detail: `${designed.kind} rendered as the ${flow} flow renders it now` }];
    },
  };
}

const CONFLICT_FIXES: [RegExp, string][] = [
  [/docker0|container bridge/, "move the peer's container-engine bridge (dockerd --bip, or containerd's CNI bridge) off the container CIDR, or set the profile's bridgeCidr to what it really is"],
  [/^[^ ]+ overlaps VPC /, 'the container CIDR must not overlap the VPC CIDRs in the vpc-router model: change the cluster\'s container CIDR'],
  [/IDC|remote network|data centre/, 'the container CIDR must not overlap the networks on the far side: change the cluster\'s container CIDR or renumber the far network'],
  [/peer VPC/, 'the container CIDR must not overlap the peer VPC: change one of them'],
];

function conflictFix(reason: string): HopFix {
  return { text: CONFLICT_FIXES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'change the container CIDR or the network it overlaps; podreach cannot route around it' };
}

/**
 * The CIDR conflicts on the path (conflicts.ts): those that block an entry of the path, and those of the flows that
 * concern every target (the VPC, the far networks). One ok hop when there are none.
 */
export function conflictsCheck(ctx: DiagnosisContext, flows: readonly { flow: Flow; profile?: ProfileSpec }[], entries: readonly DesiredEntry[]): HopSpec {
  return {
    reads: [],
    evaluate() {
      const reasons = new Set<string>();
      const onPath = (entry: DesiredEntry) =>
        [entry.cidr, entry.peerCidr].some((cidr) => cidr !== undefined && ctx.source.podCidrs.some((pod) => holds(cidr, pod) || holds(pod, cidr)));
      for (const entry of entries) if (entry.blockedReason !== undefined && onPath(entry)) reasons.add(entry.blockedReason);
      for (const { flow, profile } of flows) {
        const check = checkConflicts(ctx.facts, profile ?? ctx.profile, flow);
        // a target no entry has: only the conflicts that concern every target of the flow answer for it
        for (const cidr of ctx.source.podCidrs) {
          const reason = check.blockReason({ kind: 'route', target: '\u0000', cidr });
          if (reason !== undefined) reasons.add(reason);
        }
        for (const conflict of check.conflicts) {
          if (conflict.severity === 'warn' && ctx.source.podCidrs.includes(conflict.cidr)) ctx.notes.push(`${conflict.cidr} overlaps ${conflict.with} ${conflict.withCidr} (a warning: it may hurt)`);
        }
      }
      if (reasons.size === 0) return [{ check: 'cidr-conflict', direction: 'both', where: ctx.source.podCidrs.join(', '), status: 'ok', detail: 'no network on this path overlaps the container CIDRs' }];
      return [...reasons].sort().map((reason) => ({ check: 'cidr-conflict' as const, direction: 'both' as const, where: reason.split(' ')[0] ?? '', status: 'conflict' as const, detail: reason, fix: conflictFix(reason) }));
    },
  };
}

export function uniqueRefs(refs: readonly TargetRef[]): TargetRef[] {
  const byKey = new Map<string, TargetRef>();
  for (const ref of refs) byKey.set(targetKey(ref), ref);
  return [...byKey.values()];
}
