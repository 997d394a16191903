// Issue 6 acceptance: the Terway Edge scenarios run with the alibaba provider (@alicloud SDKs against the Alibaba
// contract server) with the same outcome as on the sandbox, except BGPPeer entries: a BGPPeer is a Kubernetes
// object, not an Alibaba Cloud API, so the adapter does not support bgp-peer (it is applied from the rendered
// artifact); those changes are blocked with that reason, and with nothing applied there is nothing to delete.
import type { ExpectedDifference } from './harness.js';
import { loadScenario } from './harness.js';
import { describeScenario } from './scenario-suite.js';
import { startAlibabaAccount } from './alibaba-account.js';

const bgpPeerBlocked: ExpectedDifference[] = [
  { key: /^bgp-edge bgp-peer create /, status: 'blocked', reason: /^alibaba cannot apply bgp-peer changes/ },
  { key: /^bgp-edge bgp-peer delete /, status: 'absent', reason: /.*/ },
];

for (const name of ['terway-edge-one-lan', 'terway-edge-two-lans', 'terway-edge-two-domains']) {
  const scenario = loadScenario(`examples/scenarios/${name}`);
  const bgpEvents = scenario.events.map((_, index) => index);
  describeScenario({
    scenario,
    startAccount: startAlibabaAccount,
    // The rule applies to every event; events without BGPPeer changes simply match none of it.
    differences: Object.fromEntries(bgpEvents.map((index) => [index, bgpPeerBlocked])),
    requireEveryDifference: false,
  });
}
