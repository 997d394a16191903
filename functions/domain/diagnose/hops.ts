// The hops of each path: what each one reads and how it is judged. The entries a hop expects are those the flows'
// designers produce for the cluster (designFlow), so a hop is "missing" exactly when the flow has not laid what it
// would lay; a hop the profile does not ask for names the profile section to add instead.
import { clusterAccount, networkAccount, placeOf, type Place } from '../accounts.js';
import { hostCidr } from '../cidr.js';
import { whitelistTarget } from '../conflicts.js';
import { reviewBgpPeer, selectorMatches } from '../bgp/peer-rules.js';
import type { Artifact, ClusterFacts, Flow, NodeFacts, ProviderEntry } from '../model.js';
import type { BgpPeer, ProfileSpec } from '../profile.js';
import { whitelistSchema } from '../profile.js';
import { targetKey, targetRef } from '../planner/identity.js';
import type { DesiredEntry, TargetRef } from '../planner/types.js';
import {
  artifactCheck,
  conflictsCheck,
  coverageCheck,
  fixedHop,
  longest,
  manualHop,
  noSourceHop,
  noSourceText,
  placed,
  probeText,
  routeCheck,
  triggerFix,
  type CoverageCheck,
  type DiagnosisContext,
  type HopSpec,
} from './checks.js';
import { holds, nodeHolding, prefixLength } from './endpoints.js';
import type { AddressLookup, Hop, HopCheck, HopDirection, HopFix } from './model.js';
import { vpcCidrs, type PathChoice } from './paths.js';
import { describePortNeed } from '../port.js';

/** The hops of one path, with what the CIDR-conflict hop must look at. */
export class PathHops {
  readonly specs: HopSpec[] = [];
  private readonly conflictEntries: DesiredEntry[] = [];
  private readonly conflictFlows: { flow: Flow; profile?: ProfileSpec }[] = [];

  constructor(private readonly ctx: DiagnosisContext) {}

  add(...specs: HopSpec[]): void {
    this.specs.push(...specs);
  }

  conflictsOf(flow: Flow, entries: readonly DesiredEntry[], profile?: ProfileSpec): void {
    this.conflictEntries.push(...entries);
    this.conflictFlows.push(profile ? { flow, profile } : { flow });
  }

  /** Every spec, the conflict hop last. */
  all(): HopSpec[] {
    return [...this.specs, conflictsCheck(this.ctx, this.conflictFlows, this.conflictEntries)];
  }
}

/** An account a resource is in: the provider and region, and the account when the profile names one. */
export type { Place } from '../accounts.js';

// Each target is read in the account its flow lays entries in (accounts.ts, as the designers use it): the same
// account, so the same provider credentials and the same target key.

/** The cluster's own resources (its route tables, subnets, groups), or a peer VPC's (own: its account). */
export function clusterPlace(facts: ClusterFacts, profile: ProfileSpec, own?: string): Place {
  return { provider: facts.provider, region: facts.region, ...clusterAccount(profile, own) };
}

/** Gateways a network account may hold: Direct Connect gateways, cloud-connect networks, transit routers. */
function networkPlace(ctx: DiagnosisContext, own?: string): Place {
  return { provider: ctx.facts.provider, region: ctx.facts.region, ...networkAccount(ctx.profile, own) };
}

/** A managed VPN opposite: its own provider and region, and its account when named (as the vpn flow lays it). */
function ref(place: Place, kind: TargetRef['kind'], target: string): TargetRef {
  return targetRef({ ...place, kind, target });
}

function sameTarget(entry: DesiredEntry, target: TargetRef): boolean {
  return targetKey(targetRef(entry)) === targetKey(target);
}

const destHost = (ctx: DiagnosisContext) => hostCidr(ctx.to.ip);

/** Route checks of the pod side, one per probe; unknown when no source is recorded (noSourceText). */
function perProbe(ctx: DiagnosisContext, probes: readonly string[], check: HopCheck, target: TargetRef, lookFor: string, make: (probe: string) => HopSpec): HopSpec[] {
  return probes.length === 0 ? [noSourceHop(ctx, check, 'return', target, lookFor)] : probes.map(make);
}

/** The node subnets the traffic leaves through: the pod's node's subnet (--from), else every node subnet. */
function nodeSubnets(ctx: DiagnosisContext): ClusterFacts['nodeSubnets'] {
  const subnetId = ctx.source.node?.subnetId;
  const all = ctx.facts.nodeSubnets;
  const mine = subnetId === undefined ? [] : all.filter((subnet) => subnet.subnetId === subnetId);
  return mine.length > 0 ? mine : all;
}

/**
 * The route table a node subnet uses must be one the path's routes are laid in. A subnet the flow binds (vpn
 * subnetIds) is judged as the flow judges it: one bound elsewhere is never re-bound, a conflict. The table a subnet
 * is found bound to is known only from this reading, after the plan's reads are chosen, so an unlisted table's own
 * routes are not read: the hop says so, and what to check in it.
 */
function subnetSpecs(ctx: DiagnosisContext, tables: readonly string[], flow: Flow, section: string, nextHop: string): HopSpec[] {
  const designed = ctx.design(flow).entries.filter((entry) => entry.kind === 'subnet-association');
  const place = clusterPlace(ctx.facts, ctx.profile);
  const dest = probeText(destHost(ctx));
  const subnets = nodeSubnets(ctx);
  if (subnets.length === 0) {
    return [
      fixedHop({
        check: 'subnet-association',
        direction: 'outbound',
        where: ctx.facts.vpcId,
        ...placeOf(place),
        status: 'unknown',
        detail: `no node subnet of ${ctx.facts.clusterId} is recorded, so which route table the nodes use is not known: check by hand that their subnets use ${tables.join(' or ') || 'a table listed in ' + section + '.routeTableIds'}`,
      }),
    ];
  }
  // what the route hops read does not carry the traffic of a subnet bound elsewhere: say which table to look in
  const unread = (subnetId: string, table: string) =>
    `${tables.length > 0 ? `${tables.join(', ')}'s routes do not carry ${subnetId}'s traffic, and ` : ''}${table} is not read (diagnose reads the tables ${section}.routeTableIds lists)`;
  const checkByHand = (table: string) => `or check by hand that ${table} routes ${dest} to ${nextHop}`;
  return subnets.map((subnet): HopSpec => {
    const target = ref(place, 'subnet-association', subnet.subnetId);
    const binding = designed.find((entry) => entry.target === subnet.subnetId);
    return {
      reads: [target],
      evaluate(readings) {
        const base = { check: 'subnet-association' as const, direction: 'outbound' as const, ...placed(target) };
        const held = readings.entries(target);
        if (!held) return [{ ...base, status: 'unknown', detail: `${readings.unreadable(target) ?? 'not read'}; check by hand that ${subnet.subnetId} uses ${tables.join(' or ')}` }];
        const current = held.find((entry) => entry.kind === 'subnet-association');
        if (binding) {
          const accepted = binding.acceptedNextHops ?? [binding.nextHop ?? ''];
          if (!current) return [{ ...base, status: 'missing', detail: `${subnet.subnetId} is bound to no route table; the ${flow} flow binds it to ${binding.nextHop ?? '?'}`, expected: [{ kind: binding.kind, target: binding.target, ...(binding.nextHop ? { nextHop: binding.nextHop } : {}) }], fix: triggerFix(ctx.facts, flow) }];
          if (current.nextHop !== undefined && !accepted.includes(current.nextHop)) {
            return [
              {
                ...base,
                status: 'conflict',
                detail: `${binding.mismatchReason?.(current) ?? `${subnet.subnetId} is bound to ${current.nextHop}`}; ${unread(subnet.subnetId, current.nextHop)}`,
                fix: { profileSection: `${section}.routeTableIds`, text: `bind ${subnet.subnetId} to ${accepted.join(' or ')} by hand, or list ${current.nextHop} in ${section}.routeTableIds (${checkByHand(current.nextHop)})` },
              },
            ];
          }
          return [{ ...base, status: 'ok', detail: `${subnet.subnetId} uses ${current.nextHop ?? '?'}` }];
        }
        if (!current) {
          return [{ ...base, status: 'unknown', detail: `${subnet.subnetId} has no explicit route table (it uses the VPC's default table): check that table is one of ${tables.join(', ') || '(none listed)'}` }];
        }
        if (current.nextHop !== undefined && tables.includes(current.nextHop)) return [{ ...base, status: 'ok', detail: `${subnet.subnetId} uses ${current.nextHop}` }];
        const table = current.nextHop ?? 'its table';
        return [
          {
            ...base,
            status: 'missing',
            detail: `${subnet.subnetId} uses ${table}, not ${tables.join(' or ') || 'a listed table'}: podreach lays no route for ${dest} there; ${unread(subnet.subnetId, table)}`,
            fix: {
              profileSection: `${section}.routeTableIds`,
              text: `list ${table} in ${section}.routeTableIds (or ${subnet.subnetId} in subnetIds, for a VPN), then podreach trigger ${flow} --cluster ${ctx.facts.clusterId}; ${checkByHand(table)}`,
            },
          },
        ];
      },
    };
  });
}

/** A place as a hop's fields (provider, region, and the account when named). */
function designedRoutes(ctx: DiagnosisContext, flow: Flow, kind: DesiredEntry['kind'], target: string, probe: string, nextHop?: string): DesiredEntry[] {
  return ctx.design(flow).entries.filter((entry) => entry.kind === kind && entry.target === target && holds(entry.cidr, probe) && (nextHop === undefined || entry.nextHop === nextHop));
}

function artifactSpecs(ctx: DiagnosisContext, flow: Flow, match: (artifact: Artifact) => boolean, direction: HopDirection): HopSpec[] {
  return ctx
    .design(flow)
    .artifacts.filter(match)
    .map((artifact) => artifactCheck(ctx, flow, artifact, direction));
}

// ---- the destination: found by its address, then its security groups and whitelists

/** `, account: X` for a profile entry when the resource is not in the account the section defaults to. */
function accountWords(ctx: DiagnosisContext, where: Place): string {
  return where.account !== clusterAccount(ctx.profile).account && where.account !== undefined ? `, account: ${where.account}` : '';
}

function sgSpec(ctx: DiagnosisContext, where: Place, groupId: string, fallback: boolean): { spec: HopSpec; entries: DesiredEntry[]; profile: ProfileSpec } {
  const listedIndex = ctx.profile.securityGroups.findIndex((group) => group.id === groupId);
  const listed = ctx.profile.securityGroups[listedIndex];
  const need = ctx.to.need;
  const port = need ? describePortNeed(need) : undefined;
  const ports = [...new Set([...(listed?.ports ?? []), ...(port ? [port] : listed ? [] : ['all'])])];
  const target = ref(where, 'sg-rule', groupId);
  const sameCloud = where.provider === ctx.facts.provider && where.region === ctx.facts.region;
  // The security flow's design with this group listed for this port, in this account: what it would admit (and
  // which conflicts block it).
  const account = listed?.account ?? (sameCloud && where.account !== clusterAccount(ctx.profile).account ? where.account : undefined);
  const augmented: ProfileSpec = {
    ...ctx.profile,
    securityGroups: [
      ...ctx.profile.securityGroups.filter((group) => group.id !== groupId),
      { id: groupId, ports, ...(listed?.bridgeCidr ? { bridgeCidr: listed.bridgeCidr } : {}), ...(account !== undefined ? { account } : {}) },
    ],
  };
  const inTarget = (entry: DesiredEntry) => entry.kind === 'sg-rule' && sameTarget(entry, target);
  const designed = ctx.design('security').entries.filter(inTarget);
  const conflicting = ctx.design('security', augmented).entries.filter(inTarget);
  const listedHere = listed !== undefined && sameTarget({ ...clusterPlace(ctx.facts, ctx.profile, listed.account), kind: 'sg-rule', target: groupId }, target);
  const portWords = port ? `"${port}"` : 'the ports the pods use (e.g. "tcp:80")';
  const profileFix: HopFix = !sameCloud
    ? { text: `${groupId} is in ${where.provider} ${where.region}, not the cluster's account, where the security flow opens groups: admit ${ctx.source.seen.join(', ')} on ${describePortNeed(need)} in it by hand` }
    : listedHere
      ? { profileSection: `spec.securityGroups[${listedIndex}].ports`, text: `add ${portWords} to securityGroups[${listedIndex}].ports (${groupId}) in the profile, then podreach trigger security --cluster ${ctx.facts.clusterId}` }
      : listed
        ? { profileSection: `spec.securityGroups[${listedIndex}].account`, text: `${groupId} is in account ${where.account ?? "the credentials' own"}, not the one securityGroups[${listedIndex}] names: set its account to it, then podreach trigger security --cluster ${ctx.facts.clusterId}` }
        : {
            profileSection: 'spec.securityGroups',
            text: `add to the profile: securityGroups: [{ id: ${groupId}, ports: [${portWords}]${accountWords(ctx, where)} }] (the security flow then admits ${ctx.source.seen.join(', ')}), then podreach trigger security --cluster ${ctx.facts.clusterId}`,
          };
  const what = `${groupId}'s ingress rules${fallback ? ` (a group the profile lists; ${ctx.to.ip} itself was not found)` : ''}`;
  const spec = admittedBy(ctx, { check: 'sg-rule', ref: target, expected: designed, profileFix, withProfileFix: conflicting, what });
  return { spec, entries: conflicting, profile: augmented };
}

/** What a peer sees of the pods must be admitted, on the port needed, by the destination's group or whitelist (the security flow's). */
function admittedBy(ctx: DiagnosisContext, spec: Pick<CoverageCheck, 'check' | 'ref' | 'expected' | 'profileFix' | 'withProfileFix' | 'what'>): HopSpec {
  return coverageCheck(ctx, {
    ...spec,
    probes: ctx.source.seen.map((cidr) => ({ cidr })),
    ...(ctx.to.need ? { need: ctx.to.need } : {}),
    direction: 'outbound',
    flow: 'security',
    verb: 'admitted by',
  });
}

function whitelistSpec(ctx: DiagnosisContext, where: Place, whitelist: string): { spec: HopSpec; entries: DesiredEntry[]; profile?: ProfileSpec } {
  const [service, ...rest] = whitelist.split(':');
  const instanceId = rest.join(':');
  const account = where.account !== clusterAccount(ctx.profile).account ? where.account : undefined;
  const parsed = whitelistSchema.safeParse({ service, instanceId, ...(account !== undefined ? { account } : {}) });
  const listed = ctx.profile.whitelists.some((list) => whitelistTarget(list.service, list.instanceId) === whitelist);
  const augmented: ProfileSpec | undefined = parsed.success && !listed ? { ...ctx.profile, whitelists: [...ctx.profile.whitelists, parsed.data] } : undefined;
  const target = ref(where, 'whitelist-entry', whitelist);
  const inTarget = (entry: DesiredEntry) => entry.kind === 'whitelist-entry' && sameTarget(entry, target);
  const designed = ctx.design('security').entries.filter(inTarget);
  const conflicting = augmented ? ctx.design('security', augmented).entries.filter(inTarget) : designed;
  const profileFix: HopFix = parsed.success
    ? { profileSection: 'spec.whitelists', text: `add to the profile: whitelists: [{ service: ${parsed.data.service}, instanceId: ${parsed.data.instanceId}${accountWords(ctx, where)} }], then podreach trigger security --cluster ${ctx.facts.clusterId}` }
    : { text: `add ${ctx.source.seen.join(', ')} to the whitelist of ${whitelist} by hand` };
  const spec = admittedBy(ctx, { check: 'whitelist-entry', ref: target, expected: designed, profileFix, withProfileFix: conflicting, what: `the whitelist of ${whitelist}` });
  return { spec, entries: conflicting, ...(augmented ? { profile: augmented } : {}) };
}

function destinationSpecs(ctx: DiagnosisContext, hops: PathHops, lookups: readonly AddressLookup[]): void {
  const found = lookups.find((lookup) => lookup.outcome === 'found' && lookup.holder);
  const holder = found?.holder;
  const seen = `${seenText(ctx)} on ${describePortNeed(ctx.to.need)}`;
  if (found && holder) {
    const where = `${holder.resourceId ?? 'an interface'}${holder.vpcId ? ` in ${holder.vpcId}` : ''}${holder.subnetId ? ` (subnet ${holder.subnetId})` : ''}`;
    const guards = [holder.securityGroups.length > 0 ? `security groups ${holder.securityGroups.join(', ')}` : 'no security group', ...(holder.whitelists?.length ? [`whitelists ${holder.whitelists.join(', ')}`] : [])];
    hops.add(fixedHop({ check: 'destination', direction: 'outbound', where: ctx.to.ip, ...placeOf(found), status: 'ok', detail: `${ctx.to.ip} is held by ${where}: ${guards.join('; ')}` }));
    for (const groupId of holder.securityGroups) {
      const { spec, entries, profile } = sgSpec(ctx, found, groupId, false);
      hops.add(spec);
      hops.conflictsOf('security', entries, profile);
    }
    for (const target of holder.whitelists ?? []) {
      const { spec, entries, profile } = whitelistSpec(ctx, found, target);
      hops.add(spec);
      hops.conflictsOf('security', entries, profile);
    }
    return;
  }
  const asked = lookups.map((lookup) => `${lookup.provider} ${lookup.region}`).join(', ');
  const unsupported = lookups.filter((lookup) => lookup.outcome === 'unsupported');
  const why =
    lookups.length === 0
      ? 'not looked up'
      : unsupported.length === lookups.length
        ? unsupported.map((lookup) => lookup.reason ?? `the ${lookup.provider} adapter cannot look addresses up`).join('; ')
        : `no network interface in ${asked} holds ${ctx.to.ip}`;
  const groups = ctx.profile.securityGroups;
  hops.add(
    fixedHop({
      check: 'destination',
      direction: 'outbound',
      where: ctx.to.ip,
      status: 'unknown',
      detail: `${why}; its security group is not known${groups.length > 0 ? `: the groups the profile lists are checked instead` : `: check that it admits ${seen}`}`,
    }),
  );
  for (const group of groups) {
    const { spec, entries, profile } = sgSpec(ctx, clusterPlace(ctx.facts, ctx.profile, group.account), group.id, true);
    hops.add(spec);
    hops.conflictsOf('security', entries, profile);
  }
}

/** What a peer sees of the pods, in words; "the nodes' addresses" when no node is recorded yet (overlay). */
function seenText(ctx: DiagnosisContext): string {
  return ctx.source.seen.map(probeText).join(', ') || "the source (not recorded yet: the nodes' addresses)";
}

function hostInDataCentre(ctx: DiagnosisContext, what: string): HopSpec {
  return manualHop(ctx.to.ip, 'outbound', `${what}: the host ${ctx.to.ip} (its firewall, its own routes) admits ${seenText(ctx)} on ${describePortNeed(ctx.to.need)} and answers through the same way back`);
}

// ---- the paths

function sameVpc(ctx: DiagnosisContext, hops: PathHops, cidrs: readonly string[], lookups: readonly AddressLookup[]): void {
  hops.add(
    fixedHop({
      check: 'route',
      direction: 'both',
      where: `${ctx.facts.vpcId} (local)`,
      ...placeOf(clusterPlace(ctx.facts, ctx.profile)),
      status: 'ok',
      detail: `${ctx.to.ip} is inside the cluster's VPC${cidrs.length > 0 ? ` (${cidrs.join(', ')})` : ''}: the VPC's local route carries it`,
    }),
  );
  hops.conflictsOf('security', []);
  destinationSpecs(ctx, hops, lookups);
}

function peeringPath(ctx: DiagnosisContext, hops: PathHops, choice: Extract<PathChoice, { kind: 'peering' }>, lookups: readonly AddressLookup[]): void {
  const { peering, index } = choice;
  const section = `spec.peering[${index}]`;
  const subnets = ctx.facts.nodeSubnets.map((subnet) => subnet.subnetId);
  hops.add(
    manualHop(
      ctx.facts.vpcId,
      'outbound',
      `the route tables of ${subnets.length > 0 ? subnets.join(', ') : "the cluster's subnets"} in ${ctx.facts.vpcId} route ${peering.peerVpc.cidr} to ${peering.connectionId} (podreach lays the peer side only)`,
    ),
  );
  // what the peer sees: the pods themselves (vpc-router, eni) or their nodes (overlay)
  const probes = ctx.source.networkModel === 'overlay' ? ctx.source.seen : ctx.source.probes;
  if (peering.peerRouteTableIds.length === 0) {
    hops.add(
      fixedHop({
        check: 'route',
        direction: 'return',
        where: peering.peerVpc.id,
        status: 'missing',
        detail: `no route table of ${peering.peerVpc.id} is listed, so nothing routes ${probes.join(', ') || 'the source'} back through ${peering.connectionId}`,
        fix: { profileSection: `${section}.peerRouteTableIds`, text: `list ${peering.peerVpc.id}'s route tables in ${section}.peerRouteTableIds, then podreach trigger peering --cluster ${ctx.facts.clusterId}` },
      }),
    );
  }
  const peer = clusterPlace(ctx.facts, ctx.profile, peering.peerVpc.account);
  for (const table of peering.peerRouteTableIds) {
    const target = ref(peer, 'route', table);
    hops.add(
      ...perProbe(ctx, probes, 'route', target, `${table} routes the source back to ${peering.connectionId}`, (probe) =>
        routeCheck(ctx, {
          check: 'route',
          ref: target,
          probe,
          nextHop: peering.connectionId,
          direction: 'return',
          flow: 'peering',
          expected: designedRoutes(ctx, 'peering', 'route', table, probe, peering.connectionId),
          profileFix: { profileSection: section, text: `${section} routes ${probeText(probe)} only when the network model needs it; route it through ${peering.connectionId} by hand` },
        }),
      ),
    );
  }
  hops.conflictsOf('peering', ctx.design('peering').entries.filter((entry) => peering.peerRouteTableIds.includes(entry.target)));
  destinationSpecs(ctx, hops, lookups);
}

/** The profile section lists no route table: nothing routes `cidr` to `nextHop` (missing, the section its fix). */
function noRouteTables(ctx: DiagnosisContext, section: string, flow: 'vpn' | 'direct-connect', cidr: string, nextHop: string): HopSpec {
  return fixedHop({
    check: 'route',
    direction: 'outbound',
    where: ctx.facts.vpcId,
    status: 'missing',
    detail: `no route table is listed, so nothing routes ${cidr} to ${nextHop}`,
    fix: { profileSection: `${section}.routeTableIds`, text: `list the cluster's route tables in ${section}.routeTableIds, then podreach trigger ${flow} --cluster ${ctx.facts.clusterId}` },
  });
}

function vpnPath(ctx: DiagnosisContext, hops: PathHops, choice: Extract<PathChoice, { kind: 'vpn' }>, lookups: readonly AddressLookup[]): void {
  const { vpn, index, remoteCidr } = choice;
  const section = `spec.vpn[${index}]`;
  const dest = destHost(ctx);
  const designed = ctx.design('vpn');
  const cluster = clusterPlace(ctx.facts, ctx.profile);
  hops.add(...subnetSpecs(ctx, vpn.routeTableIds, 'vpn', section, vpn.gatewayId));
  if (vpn.routeTableIds.length === 0) hops.add(noRouteTables(ctx, section, 'vpn', remoteCidr, vpn.gatewayId));
  for (const table of vpn.routeTableIds) {
    hops.add(
      routeCheck(ctx, { check: 'route', ref: ref(cluster, 'route', table), probe: dest, nextHop: vpn.gatewayId, direction: 'outbound', flow: 'vpn', expected: designedRoutes(ctx, 'vpn', 'route', table, dest, vpn.gatewayId) }),
    );
  }
  hops.add(
    coverageCheck(ctx, {
      check: 'vpn-selector',
      ref: ref(clusterPlace(ctx.facts, ctx.profile, vpn.account), 'vpn-selector', vpn.connectionId),
      probes: ctx.source.probes.map((probe) => ({ cidr: probe, peerCidr: dest })),
      direction: 'both',
      flow: 'vpn',
      expected: designed.entries.filter((entry) => entry.kind === 'vpn-selector' && entry.target === vpn.connectionId),
      what: `the traffic selectors (SPD) of ${vpn.connectionId}`,
      verb: 'carried by',
    }),
  );
  const opposite = vpn.opposite;
  if (opposite) {
    const far = placeOf(opposite);
    hops.add(
      coverageCheck(ctx, {
        check: 'vpn-selector',
        ref: ref(far, 'vpn-selector', opposite.connectionId),
        probes: ctx.source.probes.map((probe) => ({ cidr: dest, peerCidr: probe })),
        direction: 'both',
        flow: 'vpn',
        expected: designed.entries.filter((entry) => entry.kind === 'vpn-selector' && entry.target === opposite.connectionId),
        what: `the traffic selectors (SPD) of the opposite tunnel ${opposite.connectionId}`,
        verb: 'carried by',
      }),
    );
    if (opposite.routeTableIds.length === 0) {
      hops.add(manualHop(opposite.connectionId, 'return', `the opposite side (${opposite.provider} ${opposite.region}) routes ${ctx.source.probes.map(probeText).join(', ')} to ${opposite.gatewayId} (no routeTableIds listed in ${section}.opposite)`));
    }
    for (const table of opposite.routeTableIds) {
      const target = ref(far, 'route', table);
      hops.add(
        ...perProbe(ctx, ctx.source.probes, 'route', target, `${table} routes the pods to ${opposite.gatewayId}`, (probe) =>
          routeCheck(ctx, { check: 'route', ref: target, probe, nextHop: opposite.gatewayId, direction: 'return', flow: 'vpn', expected: designedRoutes(ctx, 'vpn', 'route', table, probe, opposite.gatewayId) }),
        ),
      );
    }
  } else {
    hops.add(...artifactSpecs(ctx, 'vpn', (artifact) => artifact.name === `vpn-opposite-config-${vpn.connectionId}.yaml`, 'return'));
    hops.add(
      manualHop(
        `the far end of ${vpn.connectionId}`,
        'return',
        `the opposite tunnel's selectors hold ${remoteCidr} <-> ${ctx.source.podCidrs.join(', ')}, and the far device routes ${ctx.source.podCidrs.join(', ')} into the tunnel (artifact vpn-opposite-config-${vpn.connectionId}.yaml)`,
      ),
    );
  }
  hops.conflictsOf('vpn', designed.entries);
  if (opposite) destinationSpecs(ctx, hops, lookups);
  else hops.add(hostInDataCentre(ctx, `behind ${vpn.connectionId}`));
}

function directConnectPath(ctx: DiagnosisContext, hops: PathHops, choice: Extract<PathChoice, { kind: 'direct-connect' }>): void {
  const { gateway, index, idcCidr } = choice;
  const section = `spec.directConnect[${index}]`;
  const dest = destHost(ctx);
  const designed = ctx.design('direct-connect');
  const hop = gateway.association && gateway.associatedGatewayId ? gateway.associatedGatewayId : gateway.gatewayId;
  hops.add(...subnetSpecs(ctx, gateway.routeTableIds, 'direct-connect', section, hop));
  if (gateway.routeTableIds.length === 0) hops.add(noRouteTables(ctx, section, 'direct-connect', idcCidr, hop));
  for (const table of gateway.routeTableIds) {
    hops.add(routeCheck(ctx, { check: 'route', ref: ref(clusterPlace(ctx.facts, ctx.profile), 'route', table), probe: dest, nextHop: hop, direction: 'outbound', flow: 'direct-connect', expected: designedRoutes(ctx, 'direct-connect', 'route', table, dest, hop) }));
  }
  const vpc = vpcCidrs(ctx.profile);
  const outsideVpc = gateway.association === 'vgw' ? ctx.source.podCidrs.filter((cidr) => !vpc.some((vpcCidr) => holds(vpcCidr, cidr))) : [];
  if (outsideVpc.length > 0) {
    hops.add(
      fixedHop({
        check: 'dx-prefix',
        direction: 'return',
        where: gateway.gatewayId,
        status: 'conflict',
        detail: `${gateway.gatewayId} is associated with a virtual private gateway, which advertises VPC CIDRs only: ${outsideVpc.join(', ')} is not inside ${vpc.join(', ') || 'the VPC'}`,
        fix: { profileSection: `${section}.association`, text: 'add the container CIDR to the VPC as a secondary CIDR, or associate a transit gateway (association: tgw)' },
      }),
    );
  } else {
    hops.add(
      coverageCheck(ctx, {
        check: 'dx-prefix',
        ref: ref(networkPlace(ctx, gateway.account), 'dx-prefix', gateway.gatewayId),
        probes: ctx.source.probes.map((probe) => ({ cidr: probe })),
        direction: 'return',
        flow: 'direct-connect',
        expected: designed.entries.filter((entry) => entry.kind === 'dx-prefix' && entry.target === gateway.gatewayId),
        what: `${gateway.gatewayId} to the data centre`,
        verb: 'advertised by',
      }),
    );
  }
  hops.add(...artifactSpecs(ctx, 'direct-connect', (artifact) => artifact.name.includes(gateway.gatewayId), 'return'));
  if (ctx.design('direct-connect').artifacts.some((artifact) => artifact.kind === 'tke-dx-container-network-ticket' && artifact.name.includes(gateway.gatewayId))) {
    hops.add(manualHop(gateway.gatewayId, 'return', `the Tencent Cloud ticket that opens ${ctx.facts.clusterId}'s container network on ${gateway.gatewayId} was submitted and is done (artifact tke-dx-ticket-${gateway.gatewayId}.yaml)`));
  }
  hops.add(
    manualHop(
      `the data centre behind ${gateway.gatewayId}`,
      'return',
      gateway.routing === 'static'
        ? `the data centre routes ${ctx.source.podCidrs.join(', ')} to ${gateway.gatewayId} (artifact idc-static-routes-${gateway.gatewayId}.yaml)`
        : `the data centre's BGP session with ${gateway.gatewayId} is up and it learns ${ctx.source.podCidrs.join(', ')}`,
    ),
  );
  hops.conflictsOf('direct-connect', designed.entries);
  hops.add(hostInDataCentre(ctx, `behind ${gateway.gatewayId}`));
}

function cloudConnectPath(ctx: DiagnosisContext, hops: PathHops, lookups: readonly AddressLookup[]): void {
  const dest = destHost(ctx);
  const designed = ctx.design('cloud-connect').entries;
  const targets = ctx.profile.cloudConnect.map((network) => ref(networkPlace(ctx, network.account), 'cloud-connect-route', network.id));
  const routesIn = (held: readonly ProviderEntry[]) => held.filter((entry) => entry.kind === 'cloud-connect-route' && entry.cidr !== undefined);
  ctx.profile.cloudConnect.forEach((network, index) => {
    const target = targets[index] ?? ref(networkPlace(ctx, network.account), 'cloud-connect-route', network.id);
    hops.add({
      reads: [target],
      evaluate(readings) {
        const base = { direction: 'both' as const, ...placed(target) };
        const held = readings.entries(target);
        if (!held) return [{ ...base, check: 'cloud-connect-route', status: 'unknown', detail: `${readings.unreadable(target) ?? 'not read'}; check by hand that ${network.id} has ${ctx.source.podCidrs.join(', ')} from ${ctx.facts.vpcId} enabled` }];
        const routes = routesIn(held);
        const out: Hop[] = [];
        if (ctx.source.probes.length === 0) out.push({ ...base, check: 'cloud-connect-route', status: 'unknown', detail: `${noSourceText(ctx)}: nothing to look for in ${network.id}` });
        for (const probe of ctx.source.probes) {
          const mine = longest(routes.filter((entry) => entry.nextHop === ctx.facts.vpcId && holds(entry.cidr, probe)));
          const expected = designed.filter((entry) => entry.target === network.id && holds(entry.cidr, probe));
          const rivals = routes.filter((entry) => entry.nextHop !== ctx.facts.vpcId && entry.enabled !== false && entry.cidr !== undefined && (holds(entry.cidr, probe) || holds(probe, entry.cidr)));
          const registration = { ...base, check: 'cloud-connect-route' as const, ...(expected.length > 0 ? { expected: expected.map((entry) => ({ kind: entry.kind, target: entry.target, ...(entry.cidr ? { cidr: entry.cidr } : {}), nextHop: ctx.facts.vpcId, enabled: true })) } : {}) };
          if (!mine) {
            out.push({ ...registration, status: 'missing', detail: `${probeText(probe)} is not registered from ${ctx.facts.vpcId} in ${network.id}`, fix: triggerFix(ctx.facts, 'cloud-connect', `the cloud-connect flow registers ${expected.map((entry) => entry.cidr).join(', ') || probeText(probe)}`) });
            continue;
          }
          if (mine.enabled === false) {
            // what keeps it disabled: another instance's enabled route overlapping the registration (not only the pod)
            const rival = routes.find((entry) => entry.nextHop !== ctx.facts.vpcId && entry.enabled !== false && entry.cidr !== undefined && mine.cidr !== undefined && (holds(entry.cidr, mine.cidr) || holds(mine.cidr, entry.cidr)));
            out.push({
              ...registration,
              status: 'conflict',
              detail: `${mine.cidr ?? '?'} from ${ctx.facts.vpcId} is registered but disabled${rival ? `: it overlaps ${rival.cidr ?? '?'} of ${rival.nextHop ?? '?'}` : ''}`,
              fix: {
                profileSection: `spec.cloudConnect[${index}].enableConflicting`,
                text: `${rival ? `remove or narrow ${rival.nextHop ?? 'the rival'}'s ${rival.cidr ?? ''} route in ${network.id}, or ` : ''}set cloudConnect[${index}].enableConflicting: true to enable it beside the overlap (the longest prefix wins), then podreach trigger cloud-connect --cluster ${ctx.facts.clusterId}`,
              },
            });
            continue;
          }
          out.push({ ...registration, status: 'ok', detail: `${mine.cidr ?? '?'} from ${ctx.facts.vpcId} is registered and enabled` });
          // a more specific route of another instance takes the replies to what it holds: all of the probe when it
          // holds the probe, its own part when it lies inside the probe (a container CIDR, without --from)
          for (const stealer of rivals.filter((entry) => prefixLength(entry.cidr) > prefixLength(mine.cidr)).sort((a, b) => prefixLength(b.cidr) - prefixLength(a.cidr))) {
            const taken = holds(stealer.cidr, probe) ? probeText(probe) : `${stealer.cidr ?? '?'} (inside ${probeText(probe)})`;
            out.push({
              ...base,
              check: 'cloud-connect-rival',
              status: 'conflict',
              detail: `${stealer.cidr ?? '?'} of ${stealer.nextHop ?? '?'} is more specific and enabled: replies to ${taken} go to ${stealer.nextHop ?? '?'}`,
              fix: { text: `run the pods outside ${stealer.cidr ?? '?'}, or have ${stealer.nextHop ?? 'its owner'} withdraw it from ${network.id}` },
            });
            if (holds(stealer.cidr, probe)) break;
          }
        }
        return out;
      },
    });
  });
  // the VPC learns every attached network's routes: the destination is reached when any of them holds a route to it
  const place = targets[0] ?? ref(networkPlace(ctx), 'cloud-connect-route', ctx.facts.vpcId);
  hops.add({
    reads: targets,
    evaluate(readings) {
      const ids = ctx.profile.cloudConnect.map((network) => network.id);
      const reach = { check: 'cloud-connect-route' as const, direction: 'outbound' as const };
      const towards = targets.flatMap((target) =>
        routesIn(readings.entries(target) ?? [])
          .filter((entry) => entry.nextHop !== ctx.facts.vpcId && holds(entry.cidr, dest))
          .map((entry) => ({ entry, target })),
      );
      const best = (list: typeof towards) => [...list].sort((a, b) => prefixLength(b.entry.cidr) - prefixLength(a.entry.cidr))[0];
      const enabled = best(towards.filter(({ entry }) => entry.enabled !== false));
      const disabled = best(towards.filter(({ entry }) => entry.enabled === false));
      if (enabled) return [{ ...reach, ...placed(enabled.target), status: 'ok', detail: `${ctx.to.ip} is reached through ${enabled.entry.nextHop ?? '?'} (${enabled.entry.cidr ?? '?'}) in ${enabled.target.target}` }];
      if (disabled) {
        const { entry, target } = disabled;
        return [{ ...reach, ...placed(target), status: 'conflict', detail: `${entry.cidr ?? '?'} of ${entry.nextHop ?? '?'} holds ${ctx.to.ip} but is disabled in ${target.target}`, fix: { text: `enable ${entry.nextHop ?? 'its'} route ${entry.cidr ?? ''} in ${target.target} (it overlaps another route there)` } }];
      }
      const unread = targets.filter((target) => readings.entries(target) === undefined).map((target) => target.target);
      const where = { ...placed(place), where: ids.join(', ') };
      if (unread.length > 0) return [{ ...reach, ...where, status: 'unknown', detail: `no readable network holds a route to ${ctx.to.ip}, and ${unread.join(', ')} could not be read: check by hand that one of them has an enabled route holding it` }];
      return [{ ...reach, ...where, status: 'missing', detail: `no instance in ${ids.join(', ')} registers a route holding ${ctx.to.ip}`, fix: { text: `attach the destination's network (its VPC, VPN or Direct Connect gateway) to ${ids.join(' or ')} and enable its route` } }];
    },
  });
  hops.add(manualHop(ctx.to.ip, 'return', `the destination's network routes ${ctx.source.podCidrs.join(', ')} into ${ctx.profile.cloudConnect.map((network) => network.id).join(', ')} (a VPC learns the network's routes; a Direct Connect gateway advertises them to the data centre)`));
  hops.conflictsOf('cloud-connect', designed);
  destinationSpecs(ctx, hops, lookups);
}

// ---- edge clusters (Terway Edge): pods in the data centre, advertised to its switch by BGP speakers

function peersOf(profile: ProfileSpec, node: NodeFacts | undefined): { peer: BgpPeer; index: number }[] {
  const peers = profile.bgp?.peers ?? [];
  return peers.map((peer, index) => ({ peer, index })).filter(({ peer }) => node === undefined || selectorMatches(peer.nodeSelector, node.labels));
}

function uncoveredNode(ctx: DiagnosisContext, node: NodeFacts, role: string): HopSpec {
  return fixedHop({
    check: 'bgp-peer',
    direction: 'both',
    where: node.name,
    status: 'missing',
    detail: `${role} node ${node.name} matches no BGPPeer nodeSelector: its pod CIDR ${node.podCidr ?? '(unknown)'} is advertised to no switch`,
    fix: { profileSection: 'spec.bgp.peers', text: `label ${node.name} for a BGPPeer's nodeSelector, or add a peer that selects it, then podreach trigger bgp-edge --cluster ${ctx.facts.clusterId}` },
  });
}

function peerSpecs(ctx: DiagnosisContext, peer: BgpPeer, index: number): HopSpec[] {
  const review = reviewBgpPeer(peer, ctx.profile.bgp?.transit);
  ctx.notes.push(...review.warnings);
  if (review.broken.length > 0) {
    return [
      fixedHop({
        check: 'bgp-peer',
        direction: 'both',
        where: `BGPPeer ${peer.name}`,
        status: 'conflict',
        detail: review.broken.map((rule) => rule.message).join('; '),
        fix: { profileSection: `spec.bgp.peers[${index}]`, text: `change bgp.peers[${index}] (${peer.name}) in the profile so it keeps the rules, then podreach trigger bgp-edge --cluster ${ctx.facts.clusterId}` },
      }),
    ];
  }
  const speakers = peer.speakers.map((speaker) => ctx.facts.nodes[speaker]?.ip ?? speaker);
  return [
    fixedHop({
      check: 'bgp-peer',
      direction: 'both',
      where: `BGPPeer ${peer.name}`,
      status: 'ok',
      detail: `${new Set(peer.speakers).size} speakers (${peer.speakers.join(', ')}), graceful restart ${peer.gracefulRestartSeconds} s, AS ${peer.localAsn} -> ${peer.peerIp} AS ${peer.peerAsn}`,
    }),
    ...artifactSpecs(ctx, 'bgp-edge', (artifact) => artifact.name === `bgp-peer-${peer.name}.yaml` || artifact.name === `bgp-switch-checklist-${peer.name}.yaml`, 'both'),
    manualHop(
      `switch ${peer.peerIp}`,
      'both',
      `kubectl get bgppeer ${peer.name} shows the rendered spec; on the switch the BGP sessions with ${speakers.join(', ')} are Established, graceful restart is at least 300 s, and each selected node's pod CIDR points at its node (artifact bgp-switch-checklist-${peer.name}.yaml)`,
    ),
  ];
}

function bgpEdgePath(ctx: DiagnosisContext, hops: PathHops, choice: Extract<PathChoice, { kind: 'bgp-edge' }>, lookups: readonly AddressLookup[]): void {
  const srcNode = ctx.source.node;
  const involved = new Map<number, BgpPeer>();
  const srcPeers = peersOf(ctx.profile, srcNode);
  if (srcNode && srcPeers.length === 0) hops.add(uncoveredNode(ctx, srcNode, 'the source'));
  for (const { peer, index } of srcPeers) involved.set(index, peer);
  let destNode: NodeFacts | undefined;
  if (choice.mode === 'pod') {
    destNode = nodeHolding(ctx.facts, ctx.to.ip);
    if (!destNode) {
      hops.add(fixedHop({ check: 'bgp-peer', direction: 'outbound', where: ctx.to.ip, status: 'unknown', detail: `no known node's pod CIDR holds ${ctx.to.ip} (no Node Added event said one)` }));
    } else {
      const destPeers = peersOf(ctx.profile, destNode);
      if (destPeers.length === 0) hops.add(uncoveredNode(ctx, destNode, 'the destination'));
      for (const { peer, index } of destPeers) involved.set(index, peer);
    }
  }
  for (const [index, peer] of [...involved.entries()].sort(([a], [b]) => a - b)) hops.add(...peerSpecs(ctx, peer, index));
  const designed = ctx.design('bgp-edge');
  const podText = ctx.source.probes.map(probeText).join(', ');

  if (choice.mode === 'pod' && destNode) {
    const srcSwitches = srcPeers.map(({ peer }) => peer.peerIp);
    const destSwitches = peersOf(ctx.profile, destNode).map(({ peer }) => peer.peerIp);
    const shared = srcSwitches.filter((address) => destSwitches.includes(address));
    hops.add(
      manualHop(
        shared.length > 0 ? `switch ${shared.join(', ')}` : `switches ${[...new Set([...srcSwitches, ...destSwitches])].join(', ')}`,
        'outbound',
        shared.length > 0
          ? `the switch routes ${destNode.podCidr ?? ctx.to.ip} to ${destNode.ip} (${destNode.name}) and ${podText} back to its node`
          : `switch ${srcSwitches.join(', ') || '(the source node\'s)'} reaches ${destNode.podCidr ?? ctx.to.ip} (learnt from switch ${destSwitches.join(', ') || '?'}, over their BGP session, Express Connect or CEN) and switch ${destSwitches.join(', ') || '?'} reaches ${podText} the same way`,
      ),
    );
  }
  if (choice.mode === 'vpc') {
    const transit = ctx.profile.bgp?.transit;
    if (!transit) {
      hops.add(
        fixedHop({
          check: 'transit-route',
          direction: 'both',
          where: ctx.facts.vpcId,
          status: 'missing',
          detail: `the profile has no bgp.transit, so nothing routes between the VPC and the data centre's pods`,
          fix: { profileSection: 'spec.bgp.transit', text: `add bgp.transit (vpcRouteTableId, transitRouterRouteTableId, borderRouterId, idcHostCidrs) to the profile, then podreach trigger bgp-edge --cluster ${ctx.facts.clusterId}` },
        }),
      );
    } else {
      const dest = destHost(ctx);
      const coreSwitch = transit.coreSwitchIp ?? ctx.profile.bgp?.peers[0]?.peerIp;
      const vpc = vpcCidrs(ctx.profile).join(', ') || ctx.to.ip;
      hops.add(manualHop(`core switch ${coreSwitch ?? ''}`.trim(), 'outbound', `the core switch routes the VPC (${vpc}) to the border router ${transit.borderRouterId} over Express Connect`));
      const transitRoute = (table: string, probe: string, nextHop: string, direction: HopDirection, kind: 'route' | 'transit-route') =>
        routeCheck(ctx, { check: kind, ref: ref(kind === 'route' ? clusterPlace(ctx.facts, ctx.profile) : networkPlace(ctx, transit.account), kind, table), probe, nextHop, direction, flow: 'bgp-edge', expected: designedRoutes(ctx, 'bgp-edge', kind, table, probe, nextHop) });
      hops.add(transitRoute(transit.borderRouterId, dest, transit.transitRouterRouteTableId, 'outbound', 'transit-route'));
      hops.add(transitRoute(transit.transitRouterRouteTableId, dest, ctx.facts.vpcId, 'outbound', 'transit-route'));
      if (ctx.source.probes.length === 0) {
        hops.add(noSourceHop(ctx, 'route', 'return', ref(clusterPlace(ctx.facts, ctx.profile), 'route', transit.vpcRouteTableId), `the chain ${transit.vpcRouteTableId}, ${transit.transitRouterRouteTableId}, ${transit.borderRouterId} routes the pods back to the core switch`));
      }
      for (const probe of ctx.source.probes) {
        hops.add(transitRoute(transit.vpcRouteTableId, probe, transit.transitRouterRouteTableId, 'return', 'route'));
        hops.add(transitRoute(transit.transitRouterRouteTableId, probe, transit.borderRouterId, 'return', 'transit-route'));
        if (coreSwitch) hops.add(transitRoute(transit.borderRouterId, probe, coreSwitch, 'return', 'transit-route'));
        else hops.add(fixedHop({ check: 'transit-route', direction: 'return', where: transit.borderRouterId, status: 'missing', detail: `no coreSwitchIp and no BGP peer: ${transit.borderRouterId} has no next hop toward the data centre`, fix: { profileSection: 'spec.bgp.transit.coreSwitchIp', text: 'set bgp.transit.coreSwitchIp in the profile' } }));
      }
      hops.add(...artifactSpecs(ctx, 'bgp-edge', (artifact) => artifact.name === 'bgp-switch-checklist-core-switch.yaml', 'outbound'));
    }
    hops.conflictsOf('bgp-edge', designed.entries);
    destinationSpecs(ctx, hops, lookups);
    return;
  }
  if (choice.mode === 'idc') {
    hops.add(hostInDataCentre(ctx, 'on the data centre network'));
  }
  hops.conflictsOf('bgp-edge', designed.entries);
}

/** The hops of the chosen path. */
export function pathHops(ctx: DiagnosisContext, choice: PathChoice, lookups: readonly AddressLookup[]): HopSpec[] {
  const hops = new PathHops(ctx);
  switch (choice.kind) {
    case 'in-cluster':
      hops.add(manualHop(choice.podCidr, 'both', `${ctx.to.ip} is a pod of ${ctx.facts.clusterId} (${choice.podCidr}): the cluster's own network (its CNI and network policies) carries it; podreach lays nothing for it`));
      return hops.specs;
    case 'same-vpc':
      sameVpc(ctx, hops, choice.vpcCidrs, lookups);
      break;
    case 'peering':
      peeringPath(ctx, hops, choice, lookups);
      break;
    case 'vpn':
      vpnPath(ctx, hops, choice, lookups);
      break;
    case 'direct-connect':
      directConnectPath(ctx, hops, choice);
      break;
    case 'cloud-connect':
      cloudConnectPath(ctx, hops, lookups);
      break;
    case 'bgp-edge':
      bgpEdgePath(ctx, hops, choice, lookups);
      break;
    case 'none': {
      const found = lookups.find((lookup) => lookup.outcome === 'found')?.holder;
      hops.add(
        fixedHop({
          check: 'path',
          direction: 'outbound',
          where: ctx.to.ip,
          status: 'missing',
          detail: `no section of the profile reaches ${ctx.to.ip}${found?.vpcId ? ` (it is in ${found.vpcId})` : ''}: it is not in the cluster's VPC, a peer VPC, a VPN's remoteCidrs or a Direct Connect gateway's idcCidrs, and no cloud-connect network is listed`,
          fix: { profileSection: 'spec.peering | spec.vpn | spec.directConnect | spec.cloudConnect', text: `add the section that reaches ${ctx.to.ip} to the profile (peering, vpn, directConnect or cloudConnect), then run its flow` },
        }),
      );
      return hops.specs;
    }
  }
  return hops.all();
}
