// Security groups and service whitelists (CCE guide "How Does a Container Access an Intranet in a VPC?"): a
// peer admits exactly the sources the cluster's network model makes it see (ARCHITECTURE.md "Network models"):
// - overlay: the node's IP (the tunnel leaves through the node): the node subnets, and a /32 for each node
//   (from node events) whose IP is in none of them;
// - vpc-router: the container CIDRs;
// - eni: the container subnets (the cluster's podCidrs, which are VPC subnets in this model).
// Whitelists get "the container and node CIDR blocks" (the guide) whatever the model. Never 0.0.0.0/0.
// A removed node leaves the facts, so its /32 entries stop being desired and the diff deletes them.
import { cidrContainsIp, hostCidr, parseCidr, uniqueCidrs } from '../../cidr.js';
import { whitelistTarget } from '../../conflicts.js';
import type { ClusterFacts } from '../../model.js';
import type { FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { clusterAccount } from '../../accounts.js';

/** Node subnets, plus a host CIDR for each node outside all of them. */
export function nodeSources(facts: ClusterFacts): string[] {
  const subnets = facts.nodeSubnets.map((subnet) => subnet.cidr);
  const loose = Object.values(facts.nodes)
    .filter((node) => !subnets.some((cidr) => cidrContainsIp(cidr, node.ip)))
    .map((node) => hostCidr(node.ip));
  return uniqueCidrs([...subnets, ...loose]);
}

/** The ingress sources a peer's security group needs for this cluster's network model. */
function securityGroupSources(facts: ClusterFacts): string[] {
  if (facts.networkModel === 'overlay') return nodeSources(facts);
  if (facts.networkModel === 'vpc-router') return uniqueCidrs(facts.podCidrs);
  // eni: pods carry addresses of their container subnets (the cluster's podCidrs); the node subnets are not needed
  return uniqueCidrs(facts.podCidrs);
}

function isEverywhere(cidr: string): boolean {
  return parseCidr(cidr)?.prefix === 0;
}

export const securityDesigner: FlowDesigner = {
  flow: 'security',
  configured: (profile) => profile.securityGroups.length > 0 || profile.whitelists.length > 0,
  design(facts, profile) {
    const state = emptyDesiredState();
    const place = { provider: facts.provider, region: facts.region };
    const keep = (cidrs: string[], where: string) =>
      cidrs.filter((cidr) => {
        if (!isEverywhere(cidr)) return true;
        state.warnings.push(`${where}: ${cidr} would admit every address; podreach never opens a peer to it`);
        return false;
      });

    const sources = securityGroupSources(facts);
    for (const group of profile.securityGroups) {
      const allowed = keep(sources, group.id);
      if (allowed.length === 0) state.warnings.push(`${group.id}: the ${facts.networkModel} model gives no source to admit (no node subnets or nodes known yet)`);
      for (const port of [...new Set(group.ports)]) {
        for (const cidr of allowed) state.entries.push({ ...place, ...clusterAccount(profile, group.account), kind: 'sg-rule', target: group.id, cidr, port });
      }
    }

    const listed = uniqueCidrs([...facts.podCidrs, ...nodeSources(facts)]);
    for (const list of profile.whitelists) {
      const target = whitelistTarget(list.service, list.instanceId);
      for (const cidr of keep(listed, target)) state.entries.push({ ...place, ...clusterAccount(profile, list.account), kind: 'whitelist-entry', target, cidr });
    }
    return state;
  },
};
