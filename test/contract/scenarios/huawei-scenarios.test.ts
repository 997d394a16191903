// Issue 6 acceptance: the CCE scenarios run with the huawei provider (@huaweicloud SDKs against the Huawei
// contract server) with the same outcome as on the sandbox. No declared difference: every change kind these
// scenarios plan (sg-rule, route via peering, DCS whitelist-entry) is one the Huawei adapter applies.
import { loadScenario } from './harness.js';
import { SEEDED_WHITELIST_GROUP, startHuaweiAccount } from './huawei-account.js';
import { describeScenario } from './scenario-suite.js';

// The ECS's security group admits the container CIDR on icmp and tcp:80 until the cluster is deleted; the two
// seeded rules (node subnet icmp, office tcp:22) stay.
describeScenario({
  scenario: loadScenario('examples/scenarios/cce-vpc-security-group'),
  startAccount: startHuaweiAccount,
  afterAll: ({ server }) => {
    const rules = server.rules.filter((rule) => rule.security_group_id === 'sg-ecs0a1b2c');
    expect(rules.map((rule) => `${rule.remote_ip_prefix ?? ''} ${rule.protocol ?? 'all'} ${rule.multiport ?? ''} ${rule.description}`.trim()).sort()).toEqual([
      '10.8.0.0/16 tcp 22 seeded',
      '192.168.10.0/24 icmp  seeded',
    ]);
    expect(server.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/security-group-rules'))).toHaveLength(2);
  },
});

// vpc-demo2's table routes the nodes and both container CIDRs through peering-demo until the cluster is deleted;
// the foreign VPN route stays.
describeScenario({
  scenario: loadScenario('examples/scenarios/cce-cross-vpc-peering'),
  startAccount: startHuaweiAccount,
  afterAll: ({ server }) => {
    expect(server.routeTables.get('rtb-vpc-demo2')?.routes).toEqual([{ type: 'vpn', destination: '172.20.0.0/16', nexthop: 'vpngw-demo2', description: 'seeded' }]);
    expect(server.requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/routetables/rtb-vpc-demo2'))).toHaveLength(6);
  },
});

// The DCS whitelist (a whole-list API, applied asynchronously) ends with exactly the two entries it had, in the
// group they were in; podreach's group is gone with its last entry. One PUT per applied change (8), none repeated.
describeScenario({
  scenario: loadScenario('examples/scenarios/cce-redis-whitelist'),
  startAccount: startHuaweiAccount,
  afterAll: ({ server }) => {
    expect(server.whitelistOf('dcs-7c2e9b1a')).toEqual([{ group_name: SEEDED_WHITELIST_GROUP, ip_list: ['192.168.50.0/24', '10.8.8.8'] }]);
    expect(server.requests.filter((request) => request.method === 'PUT' && request.path.endsWith('/instance/dcs-7c2e9b1a/whitelist'))).toHaveLength(8);
  },
});
