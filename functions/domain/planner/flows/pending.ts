// Flows whose designer is a later task: they know when a profile configures them, and desire nothing yet.
import type { Flow } from '../../model.js';
import type { ProfileSpec } from '../../profile.js';
import { emptyDesiredState, type FlowDesigner } from '../types.js';

export function pendingDesigner(flow: Flow, configured: (profile: ProfileSpec) => boolean): FlowDesigner {
  return { flow, configured, design: () => emptyDesiredState() };
}

export const cloudConnectDesigner = pendingDesigner('cloud-connect', (profile) => profile.cloudConnect.length > 0);
export const peeringDesigner = pendingDesigner('peering', (profile) => profile.peering.length > 0);
export const securityDesigner = pendingDesigner('security', (profile) => profile.securityGroups.length > 0 || profile.whitelists.length > 0);
export { bgpEdgeDesigner } from './bgp-edge.js';
