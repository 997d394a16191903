// Issue 6 acceptance: the Terway Edge scenarios run with the alibaba provider (@alicloud SDKs against the Alibaba
// contract server) with the same outcome as on the sandbox, event by event, with no declared difference. The pod
// routes a BGPPeer advertises are not cloud entries (the BGPPeer is a Kubernetes object, the switch learns them
// over BGP), so the bgp-edge flow renders them as artifacts, never as bgp-peer changes the adapter would have to
// refuse: what either side applies is the transit routes (route / transit-route), which the Alibaba adapter supports.
import { loadScenario } from './harness.js';
import { describeScenario } from './scenario-suite.js';
import { startAlibabaAccount } from './alibaba-account.js';

for (const name of ['terway-edge-one-lan', 'terway-edge-two-lans', 'terway-edge-two-domains']) {
  describeScenario({ scenario: loadScenario(`examples/scenarios/${name}`), startAccount: startAlibabaAccount });
}
