// Flows whose designer is a later task: they know when a profile configures them, and desire nothing yet.
import type { Flow } from '../../model.js';
import type { ProfileSpec } from '../../profile.js';
import { emptyDesiredState, type FlowDesigner } from '../types.js';

export function pendingDesigner(flow: Flow, configured: (profile: ProfileSpec) => boolean): FlowDesigner {
  return { flow, configured, design: () => emptyDesiredState() };
}

export { bgpEdgeDesigner } from './bgp-edge.js';
