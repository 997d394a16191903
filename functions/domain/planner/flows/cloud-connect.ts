// Cloud-connect (TKE guide "registering container CIDRs to CCN", CEN, transit gateways): every container CIDR is
// registered in each listed network with the cluster's VPC as the instance. Whether another instance's route
// overlaps it is known only from the network's route list, so the diff decides (DesiredEntry.exclusive): beside
// a rival the route is registered disabled and blocked, naming the rival; enableConflicting enables it anyway.
import { uniqueCidrs } from '../../cidr.js';
import type { FlowDesigner } from '../types.js';
import { emptyDesiredState } from '../types.js';
import { networkAccount } from '../../accounts.js';

export const cloudConnectDesigner: FlowDesigner = {
  flow: 'cloud-connect',
  configured: (profile) => profile.cloudConnect.length > 0,
  design(facts, profile) {
    const state = emptyDesiredState();
    const podCidrs = uniqueCidrs(facts.podCidrs);
    for (const network of profile.cloudConnect) {
      const account = { provider: facts.provider, region: facts.region, ...networkAccount(profile, network.account) };
      for (const cidr of podCidrs) {
        state.entries.push({
          ...account,
          kind: 'cloud-connect-route',
          target: network.id,
          cidr,
          nextHop: facts.vpcId,
          nextHopType: 'vpc',
          enabled: true,
          exclusive: { enableConflicting: network.enableConflicting },
        });
      }
    }
    return state;
  },
};
