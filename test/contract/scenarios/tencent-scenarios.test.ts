// Issue 6 acceptance: the TKE scenarios run with the tencent provider (tencentcloud-sdk-nodejs against the
// Tencent contract server) with the same outcome as on the sandbox.
import { loadScenario, scenarioFromFiles } from './harness.js';
import { describeScenario } from './scenario-suite.js';
import { startTencentAccount } from './tencent-account.js';
import type { ExpectedDifference } from './harness.js';

// TKE opens the container network on a Direct Connect gateway by a ticket (the plan's tke-dx-ticket artifact):
// Tencent's dx-prefix changes only verify by reading, so where the sandbox advertises a container CIDR, the cloud
// blocks it naming the ticket, and a later removal has nothing podreach applied to undo.
const byTicket: ExpectedDifference[] = [
  { key: /^direct-connect dx-prefix create /, status: 'blocked', reason: /ticket/ },
  { key: /^direct-connect dx-prefix delete /, status: 'absent', reason: /.*/ },
];
const everyEvent = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [index, byTicket]));

// The demo (npm start): TKE <-> IDC over a BGP and a static Direct Connect gateway and a VPN whose opposite side
// is managed by podreach too (also tencent), through a node joining and a CIDR change.
describeScenario({
  scenario: scenarioFromFiles({
    name: 'tke-demo',
    provider: 'tencent',
    profileFile: 'examples/profiles/demo.yaml',
    sandboxFile: 'examples/sandbox/demo.yaml',
    eventFiles: ['cluster-created', 'node-added', 'cluster-cidr-changed'].map((name) => `events/samples/${name}.json`),
  }),
  startAccount: startTencentAccount,
  differences: everyEvent(3),
  requireEveryDifference: false,
  afterAll: ({ server }) => {
    // a container CIDR never goes to the Direct Connect gateway's CCN-route (IDC range) API
    expect(server.callsOf('CreateDirectConnectGatewayCcnRoutes')).toBe(0);
    // the foreign peering route seeded in rtb-main is untouched; the CIDR that left is gone everywhere
    const routes = server.routeTables.get('rtb-main')?.routes ?? [];
    expect(routes.filter((route) => route.DestinationCidrBlock === '10.99.0.0/16').map((route) => route.GatewayId)).toEqual(['pcx-legacy']);
    expect(JSON.stringify([...server.routeTables.values(), ...server.vpnConnections.values(), ...server.dxGateways.values()])).not.toContain('172.19.0.0/16');
  },
});

describeScenario({
  scenario: loadScenario('examples/scenarios/tke-idc'),
  startAccount: startTencentAccount,
  differences: everyEvent(4),
  requireEveryDifference: false,
  afterAll: ({ server }) => expect(server.callsOf('CreateDirectConnectGatewayCcnRoutes')).toBe(0),
});

// Tencent's API cannot register a CIDR to a CCN (the CCN registers an attached instance's routes; podreach only
// enables / disables them), so a container CIDR that is not registered yet is blocked with that reason, where the
// sandbox registers it; with nothing applied, Cluster Deleted has nothing to remove.
const notRegistered = /registered by attaching the instance to the CCN/;
describeScenario({
  scenario: loadScenario('examples/scenarios/tke-ccn-conflict'),
  startAccount: startTencentAccount,
  differences: {
    0: [{ key: /^cloud-connect cloud-connect-route create ccn-7c8k2m1p 172\.20\.0\.0\/16 vpc-ccn01$/, status: 'blocked', reason: notRegistered }],
    1: [{ key: /^cloud-connect cloud-connect-route delete ccn-7c8k2m1p /, status: 'absent', reason: /.*/ }],
  },
});
