// CIDR conflicts of a cluster's container CIDRs with the networks around it (the CCE guide's last check: "whether
// the container engine is installed on the peer server and whether it conflicts with the container CIDR block").
// Each conflict is reported in the plan of the flows it concerns; a conflict that makes an entry unable to work
// also blocks that entry (DesiredEntry.blockedReason), naming both sides. Conflicts that only may hurt warn.
//
// | with                      | flows                        | severity                                          | blocks                         |
// | the cluster's VPC         | every flow                   | vpc-router: block (the VPC's local route wins);   | every entry for that CIDR      |
// |                           |                              | overlay: warn (pods cannot reach the overlap);    |                                |
// |                           |                              | eni: not checked (pods live in VPC subnets)       |                                |
// | the service CIDR          | every flow                   | warn (kube-proxy shadows pods in the overlap)     | -                              |
// | an IDC network            | direct-connect, vpn, bgp-edge| block (the IDC routes the range to itself)        | that flow's entries for it     |
// | a peer VPC                | peering                      | block (overlay: warn, pods leave as the node IP)  | routes in that peer's tables   |
// | a peer's docker0 bridge   | peering, security            | pod CIDR inside the bridge: block (replies go to  | that peer's routes / rules /   |
// |                           |                              | docker0); partial overlap: warn. overlay: not     | whitelist entries for it       |
// |                           |                              | checked (the peer sees node IPs)                  |                                |
import { cidrContains, cidrsOverlap, uniqueCidrs } from './cidr.js';
import type { ClusterFacts, Conflict, Flow, NetworkEntry } from './model.js';
import type { ProfileSpec } from './profile.js';

export interface ConflictCheck {
  /** Sorted by container CIDR, then `with`; each conflict once. */
  conflicts: Conflict[];
  /** Why `entry` cannot work, when a blocking conflict concerns it (the first one, in conflict order). */
  blockReason(entry: NetworkEntry): string | undefined;
}

interface Rule {
  conflict: Conflict;
  /** Targets whose entries the conflict blocks; undefined: every target of the flow. */
  targets?: ReadonlySet<string>;
  why: string;
}

function conflict(cidr: string, withWhat: string, withCidr: string, severity: Conflict['severity']): Conflict {
  return { cidr, with: withWhat, withCidr, severity };
}

/** One rule per container CIDR overlapping `withCidr`. */
function against(
  podCidrs: readonly string[],
  withWhat: string,
  withCidr: string,
  severity: (podCidr: string) => Conflict['severity'] | undefined,
  why: string,
  targets?: readonly string[],
): Rule[] {
  const rules: Rule[] = [];
  for (const podCidr of podCidrs) {
    if (!cidrsOverlap(podCidr, withCidr)) continue;
    const level = severity(podCidr);
    if (!level) continue;
    rules.push({ conflict: conflict(podCidr, withWhat, withCidr, level), why, ...(targets ? { targets: new Set(targets) } : {}) });
  }
  return rules;
}

function rulesOf(facts: ClusterFacts, profile: ProfileSpec, flow: Flow): Rule[] {
  const podCidrs = uniqueCidrs(facts.podCidrs);
  const model = facts.networkModel;
  const rules: Rule[] = [];

  if (profile.vpc && model !== 'eni') {
    for (const vpcCidr of uniqueCidrs([profile.vpc.cidr, ...profile.vpc.secondaryCidrs])) {
      rules.push(
        ...against(
          podCidrs,
          `VPC ${profile.vpc.id}`,
          vpcCidr,
          () => (model === 'vpc-router' ? 'block' : 'warn'),
          model === 'vpc-router' ? "the VPC's own route for it wins, so traffic for those pods never leaves the VPC" : 'pods cannot reach the VPC addresses in the overlap',
        ),
      );
    }
  }
  if (facts.serviceCidr) {
    rules.push(...against(podCidrs, 'the service CIDR', facts.serviceCidr, () => 'warn', 'kube-proxy takes the addresses in the overlap'));
  }

  const idc = (withWhat: string, cidrs: readonly string[]) => {
    for (const idcCidr of uniqueCidrs(cidrs)) {
      rules.push(...against(podCidrs, withWhat, idcCidr, () => 'block', 'the data centre routes that range to itself'));
    }
  };
  if (flow === 'direct-connect') for (const gateway of profile.directConnect) idc(`the IDC network of Direct Connect ${gateway.gatewayId}`, gateway.idcCidrs);
  if (flow === 'vpn') for (const vpn of profile.vpn) idc(`the remote network of VPN ${vpn.connectionId}`, vpn.remoteCidrs);
  if (flow === 'bgp-edge' && profile.bgp?.transit) idc(`the IDC hosts behind ${profile.bgp.transit.borderRouterId}`, profile.bgp.transit.idcHostCidrs);

  // Only pods' own addresses reach a peer in vpc-router and eni; in overlay the peer sees node IPs.
  const podsSeenByPeer = model !== 'overlay';
  const bridge = (withWhat: string, bridgeCidr: string, targets: readonly string[]) => {
    if (!podsSeenByPeer) return;
    rules.push(
      ...against(
        podCidrs,
        withWhat,
        bridgeCidr,
        (podCidr) => (cidrContains(bridgeCidr, podCidr) ? 'block' : 'warn'),
        "the peer's replies to those pods go to its docker0 bridge",
        targets,
      ),
    );
  };
  if (flow === 'peering') {
    for (const peering of profile.peering) {
      rules.push(
        ...against(
          podCidrs,
          `peer VPC ${peering.peerVpc.id}`,
          peering.peerVpc.cidr,
          () => (podsSeenByPeer ? 'block' : 'warn'),
          podsSeenByPeer ? "the peer VPC's own route for it wins" : 'pods cannot reach the peer addresses in the overlap',
          peering.peerRouteTableIds,
        ),
      );
      bridge(`the container bridge of peer VPC ${peering.peerVpc.id}`, peering.bridgeCidr ?? profile.bridgeCidr, peering.peerRouteTableIds);
    }
  }
  if (flow === 'security') {
    for (const group of profile.securityGroups) bridge(`the container bridge behind ${group.id}`, group.bridgeCidr ?? profile.bridgeCidr, [group.id]);
    for (const list of profile.whitelists) {
      const target = whitelistTarget(list.service, list.instanceId);
      bridge(`the container bridge behind ${target}`, profile.bridgeCidr, [target]);
    }
  }
  return rules;
}

/** The target of a whitelist's entries: "<service>:<instanceId>" (model.ts). */
export function whitelistTarget(service: string, instanceId: string): string {
  return `${service}:${instanceId}`;
}

function compareConflicts(a: Conflict, b: Conflict): number {
  const x = `${a.cidr}|${a.with}|${a.withCidr}`;
  const y = `${b.cidr}|${b.with}|${b.withCidr}`;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** "172.17.0.0/24 overlaps the container bridge behind sg-ecs 172.17.0.0/16: the peer's replies ..." */
function describeConflict(found: Conflict, why: string): string {
  return `${found.cidr} overlaps ${found.with} ${found.withCidr}: ${why}`;
}

/** The conflicts of a live cluster's container CIDRs that concern `flow`, and which of its entries they block. */
export function checkConflicts(facts: ClusterFacts, profile: ProfileSpec, flow: Flow): ConflictCheck {
  if (facts.deleted) return { conflicts: [], blockReason: () => undefined };
  const rules = rulesOf(facts, profile, flow);
  const unique = new Map<string, Rule>();
  for (const rule of rules) {
    const key = `${rule.conflict.cidr}|${rule.conflict.with}|${rule.conflict.withCidr}`;
    if (!unique.has(key)) unique.set(key, rule);
  }
  const sorted = [...unique.values()].sort((a, b) => compareConflicts(a.conflict, b.conflict));
  const blocking = sorted.filter((rule) => rule.conflict.severity === 'block');
  return {
    conflicts: sorted.map((rule) => rule.conflict),
    blockReason(entry) {
      const cidrs = [entry.cidr, entry.peerCidr].filter((cidr): cidr is string => cidr !== undefined);
      for (const rule of blocking) {
        if (rule.targets && !rule.targets.has(entry.target)) continue;
        // an entry for the conflicting pod CIDR or any part of it (a node's pod CIDR) cannot work either
        if (cidrs.some((cidr) => cidrContains(rule.conflict.cidr, cidr))) return describeConflict(rule.conflict, rule.why);
      }
      return undefined;
    },
  };
}
