// The change kinds each flow's designer can plan: what a least-privilege policy for some flows must allow
// (`podreach permissions --flows`). A unit test designs every flow for profiles with every section and every network
// model and fails when a designer plans a kind missing here.
import type { ChangeKind, Flow } from '../model.js';

export const FLOW_KINDS: Readonly<Record<Flow, readonly ChangeKind[]>> = {
  'direct-connect': ['dx-prefix', 'route'],
  vpn: ['vpn-selector', 'route', 'subnet-association'],
  'cloud-connect': ['cloud-connect-route'],
  peering: ['route'],
  security: ['sg-rule', 'whitelist-entry'],
  'bgp-edge': ['bgp-peer', 'route', 'transit-route'],
};

/** The kinds any of `flows` can plan, in CHANGE_KINDS order. */
export function kindsOfFlows(flows: readonly Flow[]): ChangeKind[] {
  const wanted = new Set(flows.flatMap((flow) => FLOW_KINDS[flow]));
  return [...wanted];
}
