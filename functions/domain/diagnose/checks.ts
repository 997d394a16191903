// The kinds of hop a path is made of, each a read (the targets it needs) and an evaluation of what was read:
// a route (the longest prefix that holds the probe decides, as a route table does), a list that must cover the
// probes (selectors, advertised prefixes, security-group rules, whitelists), a subnet's route table, an artifact
// podreach renders for a person, the CIDR conflicts on the path, and the manual checks of what no API shows.
// What "in place" means comes from the flows' designers (DesiredEntry): diagnose never re-derives an entry.
import { parseCidr } from '../cidr.js';
import { checkConflicts } from '../conflicts.js';
import type { Artifact, ClusterFacts, Flow, NetworkEntry, ProviderEntry } from '../model.js';
import type { PortNeed } from '../port.js';
import { describePortNeed, portCovers } from '../port.js';
import type { ProfileSpec } from '../profile.js';
import { targetKey } from '../planner/identity.js';
import type { DesiredEntry, DesiredState, TargetRef } from '../planner/types.js';
import { holds } from './endpoints.js';
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

export function refOf(entry: { provider: TargetRef['provider']; region: string; kind: TargetRef['kind']; target: string }): TargetRef {
  return { provider: entry.provider, region: entry.region, kind: entry.kind, target: entry.target };
}

function placed(ref: TargetRef): Pick<Hop, 'where' | 'provider' | 'region'> {
  return { where: ref.target, provider: ref.provider, region: ref.region };
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

function prefixLength(cidr: string | undefined): number {
  return cidr === undefined ? -1 : (parseCidr(cidr)?.prefix ?? -1);
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

/** A route table decides by the longest prefix holding the address: that route must go to the next hop. */
export function routeCheck(ctx: DiagnosisContext, spec: RouteCheck): HopSpec {
  const lookFor = `${spec.ref.target} routes ${probeText(spec.probe)} to ${spec.nextHop}`;
  return {
    reads: [spec.ref],
    evaluate(readings) {
      const held = readings.entries(spec.ref);
      if (!held) return [unreadableHop(spec.check, spec.direction, spec.ref, readings.unreadable(spec.ref) ?? 'not read', lookFor)];
      const base = { check: spec.check, direction: spec.direction, ...placed(spec.ref), ...(spec.expected.length > 0 ? { expected: spec.expected.map(plain) } : {}) };
      const best = held
        .filter((entry) => entry.kind === spec.ref.kind && holds(entry.cidr, spec.probe))
        .sort((a, b) => prefixLength(b.cidr) - prefixLength(a.cidr))[0];
      if (!best) {
        const blocked = spec.expected.find((entry) => entry.blockedReason !== undefined);
        const fix: HopFix | undefined =
          spec.expected.length === 0
            ? spec.profileFix
            : blocked
              ? { text: `podreach does not lay it while this holds: ${blocked.blockedReason ?? ''}` }
              : triggerFix(ctx.facts, spec.flow, `the ${spec.flow} flow lays ${describeHeld(spec.expected)}`);
        return [{ ...base, status: 'missing', detail: `no route holds ${probeText(spec.probe)}; expected one to ${spec.nextHop}`, ...(fix ? { fix } : {}) }];
      }
      const to = best.nextHop;
      if (to === undefined || to === spec.nextHop || spec.accepted?.includes(to)) {
        if (best.description?.includes('blackhole')) {
          return [{ ...base, status: 'conflict', detail: `${best.cidr ?? '?'} -> ${to ?? '?'} holds ${probeText(spec.probe)} but is a blackhole (its target is gone)`, fix: { text: `recreate or reattach ${to ?? 'its target'}, or replace the route by hand` } }];
        }
        return [{ ...base, status: 'ok', detail: `${best.cidr ?? '?'} -> ${to ?? spec.nextHop} holds ${probeText(spec.probe)}` }];
      }
      const sameAsExpected = spec.expected.some((entry) => entry.cidr === best.cidr);
      const fix: HopFix = sameAsExpected
        ? { text: `${spec.ref.target}'s route ${best.cidr ?? '?'} -> ${to} is ${owner(best)}; podreach never overwrites it: change or remove it by hand, then podreach trigger ${spec.flow} --cluster ${ctx.facts.clusterId}` }
        : { text: `the route ${best.cidr ?? '?'} -> ${to} (${owner(best)}) is the longest prefix holding ${probeText(spec.probe)} and takes its traffic: remove it or route ${probeText(spec.probe)} by hand` };
      return [{ ...base, status: 'conflict', detail: `${best.cidr ?? '?'} -> ${to} holds ${probeText(spec.probe)}, not ${spec.nextHop}`, fix }];
    },
  };
}

export interface CoverageProbe {
  cidr: string;
  peerCidr?: string;
}

export interface CoverageCheck {
  check: 'vpn-selector' | 'dx-prefix' | 'sg-rule' | 'whitelist-entry';
  ref: TargetRef;
  probes: readonly CoverageProbe[];
  /** For sg-rule: the protocol and port the connection needs. */
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

function covers(entry: ProviderEntry, probe: CoverageProbe, need: PortNeed | undefined, kind: NetworkEntry['kind']): boolean {
  if (entry.kind !== kind || !holds(entry.cidr, probe.cidr)) return false;
  if (probe.peerCidr !== undefined && !holds(entry.peerCidr, probe.peerCidr)) return false;
  return kind !== 'sg-rule' || portCovers(entry.port, need);
}

function describeProbe(probe: CoverageProbe): string {
  return probe.peerCidr ? `${probeText(probe.cidr)} <-> ${probeText(probe.peerCidr)}` : probeText(probe.cidr);
}

/** A list that must hold an entry covering every probe (selectors, advertised prefixes, rules, whitelists). */
export function coverageCheck(ctx: DiagnosisContext, spec: CoverageCheck): HopSpec {
  const port = spec.check === 'sg-rule' ? ` on ${describePortNeed(spec.need)}` : '';
  return {
    reads: [spec.ref],
    evaluate(readings) {
      const wanted = spec.probes.map(describeProbe).join(', ');
      const held = readings.entries(spec.ref);
      if (!held) return [unreadableHop(spec.check, spec.direction, spec.ref, readings.unreadable(spec.ref) ?? 'not read', `${wanted}${port} is ${spec.verb} ${spec.what}`)];
      const base = { check: spec.check, direction: spec.direction, ...placed(spec.ref), ...(spec.expected.length > 0 ? { expected: spec.expected.map(plain) } : {}) };
      const missing = spec.probes.filter((probe) => !held.some((entry) => covers(entry, probe, spec.need, spec.check)));
      const current = held.filter((entry) => entry.kind === spec.check);
      if (missing.length === 0) {
        const used = current.filter((entry) => spec.probes.some((probe) => covers(entry, probe, spec.need, spec.check)));
        return [{ ...base, status: 'ok', detail: `${wanted}${port} ${spec.verb} ${spec.what}: ${describeHeld(used)}` }];
      }
      const designedFor = (probe: CoverageProbe) => designedIn(spec.expected, probe);
      const designedIn = (entries: readonly DesiredEntry[], probe: CoverageProbe) =>
        entries.filter((entry) => holds(entry.cidr, probe.cidr) && (probe.peerCidr === undefined || holds(entry.peerCidr, probe.peerCidr)) && (spec.check !== 'sg-rule' || portCovers(entry.port, spec.need)));
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
