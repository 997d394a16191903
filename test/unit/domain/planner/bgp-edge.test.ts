// The bgp-edge flow on the Alibaba ACK Edge / Terway Edge guide's three scenarios: one LAN behind a core switch
// (with the uplink / downlink chain through the cloud edge), two LANs of one domain, and two domains.
import { parse } from 'yaml';
import type { ClusterFacts, FlowPlan, NodeFacts } from '../../../../functions/domain/model.js';
import { applyPlan, plan, spec, summary, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });

function node(name: string, ip: string, podCidr: string, asn: string): NodeFacts {
  return { name, ip, podCidr, labels: { ASN: asn } };
}

/** The guide's edge data centre: hosts 10.0.0.0/16, containers 10.10.0.0/16, VPC 192.168.0.0/16. */
function edgeFacts(nodes: NodeFacts[], overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  const seen: Record<string, string> = {};
  for (const n of nodes) seen[n.name] = '2026-01-01T00:00:00Z';
  return {
    clusterId: 'cls-edge',
    provider: 'alibaba',
    region: 'cn-hangzhou',
    vpcId: 'vpc-edge',
    networkModel: 'vpc-router',
    podCidrs: ['10.10.0.0/16'],
    nodeSubnets: [],
    nodes: Object.fromEntries(nodes.map((n) => [n.name, n])),
    deleted: false,
    seen: { created: '2026-01-01T00:00:00Z', podCidrs: '2026-01-01T00:00:00Z', nodes: seen },
    ...overrides,
  };
}

const LAN_NODES = [node('Node-1', '10.0.0.10', '10.10.0.0/24', '65010'), node('Node-2', '10.0.0.11', '10.10.1.0/24', '65010'), node('Node-3', '10.0.0.12', '10.10.2.0/24', '65010')];
const LAN_PEER = { name: 'peer', localAsn: 65010, peerIp: '10.0.0.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['Node-1', 'Node-2', 'Node-3'] };
const TRANSIT = { vpcRouteTableId: 'vtb-edge', transitRouterRouteTableId: 'vtb-tr-1', borderRouterId: 'vbr-1', idcHostCidrs: ['10.0.0.0/16'] };

function artifact(result: FlowPlan, name: string): unknown {
  const found = result.artifacts.find((a) => a.name === name);
  if (!found) throw new Error(`no artifact ${name} in ${result.artifacts.map((a) => a.name).join(', ')}`);
  return parse(found.content);
}

function blocked(result: FlowPlan): string[] {
  return result.changes.filter((c) => c.status === 'blocked').map((c) => `${c.target} ${c.cidr ?? '-'}: ${c.reason ?? ''}`);
}

describe('Class: BgpEdgeDesigner (through planFlow)', () => {
  describe('Method: planFlow — one LAN behind a core switch (edge container communication)', () => {
    it('plans the pod routes the switch must learn and the downlink / uplink chain through the cloud edge', () => {
      // Prepare
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [LAN_PEER], transit: TRANSIT } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(summary(result)).toEqual([
        'create planned alibaba/cn-hangzhou route vtb-edge 10.0.0.0/16 -> vtb-tr-1',
        'create planned alibaba/cn-hangzhou route vtb-edge 10.10.0.0/16 -> vtb-tr-1',
        'create planned alibaba/cn-hangzhou transit-route vbr-1 10.0.0.0/16 -> 10.0.0.1',
        'create planned alibaba/cn-hangzhou transit-route vbr-1 10.10.0.0/16 -> 10.0.0.1',
        'create planned alibaba/cn-hangzhou transit-route vbr-1 192.168.0.0/16 -> vtb-tr-1',
        'create planned alibaba/cn-hangzhou transit-route vtb-tr-1 10.0.0.0/16 -> vbr-1',
        'create planned alibaba/cn-hangzhou transit-route vtb-tr-1 10.10.0.0/16 -> vbr-1',
        'create planned alibaba/cn-hangzhou transit-route vtb-tr-1 192.168.0.0/16 -> vpc-edge',
        'create planned alibaba/cn-hangzhou bgp-peer peer 10.10.0.0/24 -> 10.0.0.10',
        'create planned alibaba/cn-hangzhou bgp-peer peer 10.10.1.0/24 -> 10.0.0.11',
        'create planned alibaba/cn-hangzhou bgp-peer peer 10.10.2.0/24 -> 10.0.0.12',
      ]);
      const hopTypes = Object.fromEntries(result.changes.map((c) => [`${c.target} ${c.cidr ?? ''}`, c.nextHopType]));
      expect(hopTypes).toMatchObject({
        'vtb-edge 10.10.0.0/16': 'transit-router',
        'vtb-tr-1 10.10.0.0/16': 'border-router',
        'vbr-1 10.10.0.0/16': 'core-switch',
        'vbr-1 192.168.0.0/16': 'transit-router',
        'vtb-tr-1 192.168.0.0/16': 'vpc',
        'peer 10.10.1.0/24': 'node',
      });
      expect(result.warnings).toEqual([]);
    });

    it('renders the guide’s BGPPeer and a switch checklist with neighbours, the restart timer, pod routes and the uplink', () => {
      // Prepare
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [LAN_PEER], transit: TRANSIT } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.artifacts.map((a) => [a.kind, a.name, a.flow, a.mediaType])).toEqual([
        ['bgp-peer', 'bgp-peer-peer.yaml', 'bgp-edge', 'application/yaml'],
        ['bgp-switch-checklist', 'bgp-switch-checklist-peer.yaml', 'bgp-edge', 'application/yaml'],
      ]);
      expect(artifact(result, 'bgp-peer-peer.yaml')).toEqual({
        apiVersion: 'network.openyurt.io/v1alpha1',
        kind: 'BGPPeer',
        metadata: { name: 'peer' },
        spec: { localSpeakers: ['Node-1', 'Node-2', 'Node-3'], localAsNumber: 65010, peerIP: '10.0.0.1', peerAsNumber: 65001, nodeSelector: 'ASN=65010' },
      });
      expect(artifact(result, 'bgp-switch-checklist-peer.yaml')).toEqual({
        clusterId: 'cls-edge',
        bgpPeer: 'peer',
        switch: { address: '10.0.0.1', asNumber: 65001 },
        neighbours: [
          { speaker: 'Node-1', address: '10.0.0.10', remoteAsNumber: 65010 },
          { speaker: 'Node-2', address: '10.0.0.11', remoteAsNumber: 65010 },
          { speaker: 'Node-3', address: '10.0.0.12', remoteAsNumber: 65010 },
        ],
        gracefulRestart: { enabled: true, restartTimerSeconds: 300 },
        expectedRoutes: [
          { destination: '10.10.0.0/24', nextHop: '10.0.0.10', node: 'Node-1' },
          { destination: '10.10.1.0/24', nextHop: '10.0.0.11', node: 'Node-2' },
          { destination: '10.10.2.0/24', nextHop: '10.0.0.12', node: 'Node-3' },
        ],
        uplinkRoutes: [{ destination: '192.168.0.0/16', nextHop: 'vbr-1', via: 'border router (VBR) over Express Connect' }],
      });
    });

    it('names a speaker by its node name in the checklist while its IP is unknown', () => {
      // Prepare: no Node Added event yet
      const profile = spec({ bgp: { peers: [LAN_PEER] } });

      // Act
      const result = plan(empty(), edgeFacts([]), profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      const checklist = artifact(result, 'bgp-switch-checklist-peer.yaml') as { neighbours: { address: string }[]; expectedRoutes: unknown[] };
      expect(checklist.neighbours.map((n) => n.address)).toEqual(['Node-1', 'Node-2', 'Node-3']);
      expect(checklist.expectedRoutes).toEqual([]);
    });

    it('reports routes already advertised as unchanged and a plan of the same input as the same bytes', () => {
      // Prepare
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [LAN_PEER], transit: TRANSIT } });
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));

      // Act
      const first = plan(applied, edgeFacts(LAN_NODES), profile, 'bgp-edge');
      const second = plan(applied, edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(first.changes.every((c) => c.status === 'unchanged')).toBe(true);
      expect(first.changes).toHaveLength(11);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    });
  });

  describe('Method: planFlow — across two LANs of one domain', () => {
    it('gives each switch the routes of the nodes carrying its ASN label, next hop each node', () => {
      // Prepare: the guide names one speaker per LAN, accepted explicitly
      const nodes = [
        node('Node-1', '10.0.10.11', '10.10.1.0/24', '65010'),
        node('Node-2', '10.0.10.12', '10.10.2.0/24', '65010'),
        node('Node-5', '10.0.20.15', '10.10.5.0/24', '65020'),
        node('Node-6', '10.0.20.16', '10.10.6.0/24', '65020'),
      ];
      const profile = spec({
        bgp: {
          peers: [
            { name: 'peer-a', localAsn: 65010, peerIp: '10.0.10.1', peerAsn: 65002, nodeSelector: { ASN: '65010' }, speakers: ['Node-1'], acceptFewerSpeakers: true },
            { name: 'peer-b', localAsn: 65020, peerIp: '10.0.20.1', peerAsn: 65003, nodeSelector: { ASN: '65020' }, speakers: ['Node-5'], acceptFewerSpeakers: true },
          ],
        },
      });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(summary(result)).toEqual([
        'create planned alibaba/cn-hangzhou bgp-peer peer-a 10.10.1.0/24 -> 10.0.10.11',
        'create planned alibaba/cn-hangzhou bgp-peer peer-a 10.10.2.0/24 -> 10.0.10.12',
        'create planned alibaba/cn-hangzhou bgp-peer peer-b 10.10.5.0/24 -> 10.0.20.15',
        'create planned alibaba/cn-hangzhou bgp-peer peer-b 10.10.6.0/24 -> 10.0.20.16',
      ]);
      expect(result.warnings).toHaveLength(2);
      expect(result.warnings.join('\n')).toMatch(/peer-a: 1 speaker\(s\) \(Node-1\), fewer than the 3 .* accepted by acceptFewerSpeakers/);
      expect(artifact(result, 'bgp-peer-peer-b.yaml')).toEqual({
        apiVersion: 'network.openyurt.io/v1alpha1',
        kind: 'BGPPeer',
        metadata: { name: 'peer-b' },
        spec: { localSpeakers: ['Node-5'], localAsNumber: 65020, peerIP: '10.0.20.1', peerAsNumber: 65003, nodeSelector: 'ASN=65020' },
      });
    });
  });

  describe('Method: planFlow — across two domains', () => {
    const nodes = [node('Node-1', '10.0.10.11', '10.10.1.0/24', '65010'), node('Node-5', '10.0.20.15', '10.10.5.0/24', '65020')];
    const peers = [
      { name: 'peer-a', localAsn: 65010, peerIp: '10.0.10.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['Node-1'], acceptFewerSpeakers: true },
      { name: 'peer-b', localAsn: 65020, peerIp: '10.0.20.1', peerAsn: 65002, nodeSelector: { ASN: '65020' }, speakers: ['Node-5'], acceptFewerSpeakers: true },
    ];

    it('plans one advertisement per domain and routes both domains’ hosts and the containers down the cloud edge', () => {
      // Prepare: both domains reach the VPC through the border router
      const transit = { ...TRANSIT, idcHostCidrs: ['10.0.10.0/24', '10.0.20.0/24'], coreSwitchIp: '10.0.10.1' };
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers, transit } });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(summary(result).filter((line) => line.includes('bgp-peer'))).toEqual([
        'create planned alibaba/cn-hangzhou bgp-peer peer-a 10.10.1.0/24 -> 10.0.10.11',
        'create planned alibaba/cn-hangzhou bgp-peer peer-b 10.10.5.0/24 -> 10.0.20.15',
      ]);
      expect(result.changes.filter((c) => c.target === 'vtb-edge').map((c) => c.cidr)).toEqual(['10.0.10.0/24', '10.0.20.0/24', '10.10.0.0/16']);
      expect(blocked(result)).toEqual([]);
      expect(result.artifacts.map((a) => a.name)).toEqual(['bgp-peer-peer-a.yaml', 'bgp-peer-peer-b.yaml', 'bgp-switch-checklist-peer-a.yaml', 'bgp-switch-checklist-peer-b.yaml']);
    });

    it('blocks a peer whose switch is outside every idcHostCidr, naming the rule', () => {
      // Prepare: domain B's hosts are not listed
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers, transit: { ...TRANSIT, idcHostCidrs: ['10.0.10.0/24'] } } });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(blocked(result)).toEqual([
        'peer-b -: BGPPeer peer-b breaks a rule: rule peer-ip-in-idc: peerIp 10.0.20.1 is not inside any idcHostCidr: 10.0.10.0/24',
        'peer-b 10.10.5.0/24: BGPPeer peer-b breaks a rule: rule peer-ip-in-idc: peerIp 10.0.20.1 is not inside any idcHostCidr: 10.0.10.0/24',
      ]);
      expect(result.artifacts.map((a) => a.name)).toEqual(['bgp-peer-peer-a.yaml', 'bgp-switch-checklist-peer-a.yaml']);
    });
  });

  describe('Method: planFlow — the guide’s rules', () => {
    it('blocks a peer with 2 speakers, naming the rule, and renders nothing for it', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, speakers: ['Node-1', 'Node-2'] }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.kind} ${c.target} ${c.cidr ?? '-'}`)).toEqual([
        'create blocked bgp-peer peer -',
        'create blocked bgp-peer peer 10.10.0.0/24',
        'create blocked bgp-peer peer 10.10.1.0/24',
        'create blocked bgp-peer peer 10.10.2.0/24',
      ]);
      for (const change of result.changes) {
        expect(change.reason).toContain('rule min-speakers: at least 3 BGP speakers are required for high availability, 2 listed (Node-1, Node-2)');
      }
      expect(result.artifacts).toEqual([]);
    });

    it('accepts 2 speakers when the profile says so, with a warning', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, speakers: ['Node-1', 'Node-2'], acceptFewerSpeakers: true }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(blocked(result)).toEqual([]);
      expect(result.changes.filter((c) => c.status === 'planned')).toHaveLength(3);
      expect(result.warnings).toEqual([expect.stringContaining('2 speaker(s) (Node-1, Node-2), fewer than the 3 the guide asks for')]);
    });

    it('blocks a 120 s graceful restart, naming the rule', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, gracefulRestartSeconds: 120 }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.every((c) => c.status === 'blocked')).toBe(true);
      expect(result.changes[0]?.reason).toBe(
        'BGPPeer peer breaks a rule: rule graceful-restart: gracefulRestartSeconds must be at least 300, got 120 (a dropped session would withdraw the pod routes)',
      );
    });

    it('names every rule broken, once each', () => {
      // Prepare: same ASN on both sides, a reserved ASN, 1 speaker, 60 s, switch outside the hosts
      const peer = { ...LAN_PEER, localAsn: 65535, peerAsn: 65535, speakers: ['Node-1'], gracefulRestartSeconds: 60, peerIp: '172.31.0.1' };
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [peer], transit: TRANSIT } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      const reason = result.changes.find((c) => c.kind === 'bgp-peer' && c.cidr === undefined)?.reason ?? '';
      expect(reason.match(/rule [a-z-]+:/g)).toEqual(['rule min-speakers:', 'rule graceful-restart:', 'rule asn-range:', 'rule distinct-asn:', 'rule peer-ip-in-idc:']);
      expect(reason).toContain('BGPPeer peer breaks 5 rules');
      expect(reason).toContain('localAsn 65535 is a reserved ASN; peerAsn 65535 is a reserved ASN');
    });

    it('keeps routes applied while the peer was valid (blocked, not withdrawn) once it breaks a rule', () => {
      // Prepare
      const valid = spec({ bgp: { peers: [LAN_PEER] } });
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), valid, 'bgp-edge'));
      const broken = spec({ bgp: { peers: [{ ...LAN_PEER, gracefulRestartSeconds: 120 }] } });

      // Act
      const result = plan(applied, edgeFacts(LAN_NODES), broken, 'bgp-edge');

      // Assess
      expect(result.changes.filter((c) => c.action === 'delete')).toEqual([]);
      expect(result.changes.map((c) => c.status)).toEqual(['blocked', 'blocked', 'blocked', 'blocked']);
    });
  });

  describe('Method: planFlow — nodes joining and leaving', () => {
    const profile = spec({ bgp: { peers: [LAN_PEER] } });

    it('adds a node carrying the selector’s label to the peer’s coverage, and only that node', () => {
      // Prepare
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));
      const joined = [...LAN_NODES, node('Node-4', '10.0.0.13', '10.10.3.0/24', '65010'), node('Node-9', '10.0.9.9', '10.10.9.0/24', '65099')];

      // Act
      const result = plan(applied, edgeFacts(joined), profile, 'bgp-edge');

      // Assess
      expect(summary({ ...result, changes: result.changes.filter((c) => c.status !== 'unchanged') })).toEqual([
        'create planned alibaba/cn-hangzhou bgp-peer peer 10.10.3.0/24 -> 10.0.0.13',
      ]);
      expect(result.changes.filter((c) => c.status === 'unchanged')).toHaveLength(3);
      expect(result.warnings).toEqual(['node Node-9 matches no BGPPeer nodeSelector: its pod CIDR 10.10.9.0/24 is advertised to no switch']);
      const checklist = artifact(result, 'bgp-switch-checklist-peer.yaml') as { expectedRoutes: { destination: string }[] };
      expect(checklist.expectedRoutes.map((r) => r.destination)).toEqual(['10.10.0.0/24', '10.10.1.0/24', '10.10.2.0/24', '10.10.3.0/24']);
    });

    it('withdraws a removed speaker’s route, reports the speaker and warns below 3 speakers', () => {
      // Prepare: Node-2 was removed (its tombstone stays in seen.nodes)
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));
      const facts = edgeFacts(LAN_NODES.filter((n) => n.name !== 'Node-2'));
      facts.seen.nodes['Node-2'] = '2026-01-02T00:00:00Z';

      // Act
      const result = plan(applied, facts, profile, 'bgp-edge');

      // Assess
      expect(result.changes.filter((c) => c.status !== 'unchanged').map((c) => `${c.action} ${c.status} ${c.target} ${c.cidr ?? '-'} -> ${c.nextHop ?? '-'}`)).toEqual([
        'delete planned peer 10.10.1.0/24 -> 10.0.0.11',
      ]);
      expect(result.warnings).toEqual([
        expect.stringContaining('BGPPeer peer: speaker Node-2 was removed from the cluster'),
        expect.stringContaining('BGPPeer peer: 2 speaker(s) left, fewer than 3'),
      ]);
      const manifest = artifact(result, 'bgp-peer-peer.yaml') as { spec: { localSpeakers: string[] } };
      expect(manifest.spec.localSpeakers).toEqual(['Node-1', 'Node-3']);
    });

    it('withdraws a removed non-speaker’s route without a speaker warning', () => {
      // Prepare: a fourth node joins, then leaves
      const four = [...LAN_NODES, node('Node-4', '10.0.0.13', '10.10.3.0/24', '65010')];
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(four), profile, 'bgp-edge'));
      const facts = edgeFacts(LAN_NODES);
      facts.seen.nodes['Node-4'] = '2026-01-02T00:00:00Z';

      // Act
      const result = plan(applied, facts, profile, 'bgp-edge');

      // Assess
      expect(result.changes.filter((c) => c.action === 'delete').map((c) => c.cidr)).toEqual(['10.10.3.0/24']);
      expect(result.warnings).toEqual([]);
    });

    it('withdraws every route once the cluster is deleted', () => {
      // Prepare
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));

      // Act
      const result = plan(applied, edgeFacts(LAN_NODES, { deleted: true }), profile, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.cidr ?? '-'}`)).toEqual([
        'delete planned 10.10.0.0/24',
        'delete planned 10.10.1.0/24',
        'delete planned 10.10.2.0/24',
      ]);
      expect(result.artifacts).toEqual([]);
    });
  });
});
