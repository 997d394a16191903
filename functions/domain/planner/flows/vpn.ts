// IPsec VPN (TKE guide "Communication over VPN"): the container CIDRs enter the SPD policy of the local tunnel
// and of the opposite tunnel, routes go on both sides, and the listed subnets must be bound to a listed route
// table. A subnet has one route table and binding it elsewhere silently replaces its routing, so a subnet
// bound to another table is blocked, never re-bound. An opposite side podreach does not manage gets an artifact.
import { stringify } from 'yaml';
import { uniqueCidrs } from '../../cidr.js';
import type { ClusterFacts } from '../../model.js';
import type { ProfileSpec, VpnAttachment } from '../../profile.js';
import type { DesiredState, FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { clusterAccount, placeOf } from '../../accounts.js';

function designAttachment(facts: ClusterFacts, profile: ProfileSpec, vpn: VpnAttachment, state: DesiredState): void {
  const podCidrs = uniqueCidrs(facts.podCidrs);
  const remoteCidrs = uniqueCidrs(vpn.remoteCidrs);
  const local = { provider: facts.provider, region: facts.region, ...clusterAccount(profile) };
  // the connection's selectors in its own account (a transit gateway's VPN in a network account)
  const connection = { provider: facts.provider, region: facts.region, ...clusterAccount(profile, vpn.account) };

  for (const cidr of podCidrs) {
    for (const peerCidr of remoteCidrs) {
      state.entries.push({ ...connection, kind: 'vpn-selector', target: vpn.connectionId, cidr, peerCidr });
    }
  }
  for (const routeTableId of vpn.routeTableIds) {
    for (const cidr of remoteCidrs) {
      state.entries.push({ ...local, kind: 'route', target: routeTableId, cidr, nextHop: vpn.gatewayId, nextHopType: 'vpn-gateway' });
    }
  }

  const [firstTable] = vpn.routeTableIds;
  if (firstTable === undefined) {
    if (vpn.subnetIds.length > 0) {
      state.warnings.push(`VPN ${vpn.connectionId}: subnets ${vpn.subnetIds.join(', ')} are listed but no route table is, so none is bound`);
    }
  } else {
    const listed = [...vpn.routeTableIds];
    for (const subnetId of [...new Set(vpn.subnetIds)]) {
      state.entries.push({
        ...local,
        kind: 'subnet-association',
        target: subnetId,
        nextHop: firstTable,
        nextHopType: 'route-table',
        acceptedNextHops: listed,
        mismatchReason: (current) =>
          `${subnetId} is bound to route table ${current.nextHop ?? '?'}, not to ${listed.join(' or ')}; podreach never re-binds a subnet (bind it by hand or list ${current.nextHop ?? 'that table'})`,
      });
    }
  }

  const opposite = vpn.opposite;
  if (opposite) {
    const far = placeOf(opposite);
    for (const cidr of remoteCidrs) {
      for (const peerCidr of podCidrs) {
        state.entries.push({ ...far, kind: 'vpn-selector', target: opposite.connectionId, cidr, peerCidr });
      }
    }
    for (const routeTableId of opposite.routeTableIds) {
      for (const cidr of podCidrs) {
        state.entries.push({ ...far, kind: 'route', target: routeTableId, cidr, nextHop: opposite.gatewayId, nextHopType: 'vpn-gateway' });
      }
    }
    return;
  }

  const selectors = remoteCidrs.flatMap((localCidr) => podCidrs.map((remoteCidr) => ({ local: localCidr, remote: remoteCidr })));
  const routes = podCidrs.map((cidr) => ({ destination: cidr, via: `the VPN tunnel to ${vpn.gatewayId} (connection ${vpn.connectionId})` }));
  state.artifacts.push({
    kind: 'vpn-opposite-config',
    name: `vpn-opposite-config-${vpn.connectionId}.yaml`,
    flow: 'vpn',
    mediaType: 'application/yaml',
    content:
      `# The opposite side of VPN connection ${vpn.connectionId}, which podreach does not manage: add these traffic\n` +
      `# selectors (SPD policy) to the opposite tunnel and these routes to the opposite routing device.\n` +
      stringify({ clusterId: facts.clusterId, connectionId: vpn.connectionId, selectors, routes }),
  });
}

export const vpnDesigner: FlowDesigner = {
  flow: 'vpn',
  configured: (profile: ProfileSpec) => profile.vpn.length > 0,
  design(facts, profile) {
    const state = emptyDesiredState();
    for (const vpn of profile.vpn) designAttachment(facts, profile, vpn, state);
    return state;
  },
};
