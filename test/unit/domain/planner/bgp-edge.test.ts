// The bgp-edge flow on the Alibaba ACK Edge / Terway Edge guide's three scenarios: one LAN behind a core switch
// (with the uplink / downlink chain through the cloud edge), two LANs of one domain, and two domains. The pod
// routes the switch learns over BGP are artifacts (the BGPPeer YAML and the switch checklist), never changes: the
// only changes are the transit routes and, for a peer breaking a rule, one blocked peer-level bgp-peer change.
import { parse } from 'yaml';
import type { ClusterFacts, FlowPlan, LedgerEntry, NodeFacts } from '../../../../functions/domain/model.js';
import { changeId } from '../../../../functions/domain/planner/index.js';
import { applyPlan, plan, spec, summary, type Held, type World } from './fixtures.js';

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

const LAN_NODES = [node('node-1', '10.0.0.10', '10.10.0.0/24', '65010'), node('node-2', '10.0.0.11', '10.10.1.0/24', '65010'), node('node-3', '10.0.0.12', '10.10.2.0/24', '65010')];
const LAN_PEER = { name: 'peer', localAsn: 65010, peerIp: '10.0.0.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['node-1', 'node-2', 'node-3'] };
const TRANSIT = { vpcRouteTableId: 'vtb-edge', transitRouterRouteTableId: 'vtb-tr-1', borderRouterId: 'vbr-1', idcHostCidrs: ['10.0.0.0/16'] };

function artifact(result: FlowPlan, name: string): unknown {
  const found = result.artifacts.find((a) => a.name === name);
  if (!found) throw new Error(`no artifact ${name} in ${result.artifacts.map((a) => a.name).join(', ')}`);
  return parse(found.content);
}

function blocked(result: FlowPlan): string[] {
  return result.changes.filter((c) => c.status === 'blocked').map((c) => `${c.target} ${c.cidr ?? '-'}: ${c.reason ?? ''}`);
}

interface Checklist {
  neighbours: { speaker: string; address: string }[];
  expectedRoutes: { destination: string; nextHop: string; node: string }[];
}

/** "destination -> nextHop (node)" for each route the peer's checklist tells the switch to expect. */
function expectedRoutes(result: FlowPlan, peer: string): string[] {
  return (artifact(result, `bgp-switch-checklist-${peer}.yaml`) as Checklist).expectedRoutes.map((r) => `${r.destination} -> ${r.nextHop} (${r.node})`);
}

/** What an earlier version left: one applied, podreach-owned bgp-peer entry per node pod CIDR, and its ledger row. */
function legacyWorld(routes: { peer: string; cidr: string; nextHop: string }[]): World {
  const held: Held[] = routes.map(({ peer, cidr, nextHop }) => ({ provider: 'alibaba', region: 'cn-hangzhou', kind: 'bgp-peer', target: peer, cidr, nextHop, nextHopType: 'node', owner: 'podreach' }));
  const ledger: LedgerEntry[] = held.map(({ owner: _owner, ...entry }) => ({
    ...entry,
    id: changeId('cls-edge', 'bgp-edge', entry),
    clusterId: 'cls-edge',
    flow: 'bgp-edge',
    action: 'create',
    status: 'applied',
    owned: true,
    attempts: 1,
    updatedAt: '2025-12-01T00:00:00Z',
  }));
  return { held, ledger };
}

const LAN_LEGACY = [
  { peer: 'peer', cidr: '10.10.0.0/24', nextHop: '10.0.0.10' },
  { peer: 'peer', cidr: '10.10.1.0/24', nextHop: '10.0.0.11' },
  { peer: 'peer', cidr: '10.10.2.0/24', nextHop: '10.0.0.12' },
];

describe('Class: BgpEdgeDesigner (through planFlow)', () => {
  describe('Method: planFlow — one LAN behind a core switch (edge container communication)', () => {
    it('plans only the downlink / uplink chain through the cloud edge: no change per node pod CIDR', () => {
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
      ]);
      const hopTypes = Object.fromEntries(result.changes.map((c) => [`${c.target} ${c.cidr ?? ''}`, c.nextHopType]));
      expect(hopTypes).toEqual({
        'vtb-edge 10.0.0.0/16': 'transit-router',
        'vtb-edge 10.10.0.0/16': 'transit-router',
        'vtb-tr-1 10.0.0.0/16': 'border-router',
        'vtb-tr-1 10.10.0.0/16': 'border-router',
        'vbr-1 10.0.0.0/16': 'core-switch',
        'vbr-1 10.10.0.0/16': 'core-switch',
        'vbr-1 192.168.0.0/16': 'transit-router',
        'vtb-tr-1 192.168.0.0/16': 'vpc',
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
        spec: { localSpeakers: ['node-1', 'node-2', 'node-3'], localAsNumber: 65010, peerIP: '10.0.0.1', peerAsNumber: 65001, nodeSelector: 'ASN=65010' },
      });
      expect(artifact(result, 'bgp-switch-checklist-peer.yaml')).toEqual({
        clusterId: 'cls-edge',
        bgpPeer: 'peer',
        switch: { address: '10.0.0.1', asNumber: 65001 },
        neighbours: [
          { speaker: 'node-1', address: '10.0.0.10', remoteAsNumber: 65010 },
          { speaker: 'node-2', address: '10.0.0.11', remoteAsNumber: 65010 },
          { speaker: 'node-3', address: '10.0.0.12', remoteAsNumber: 65010 },
        ],
        gracefulRestart: { enabled: true, restartTimerSeconds: 300 },
        expectedRoutes: [
          { destination: '10.10.0.0/24', nextHop: '10.0.0.10', node: 'node-1' },
          { destination: '10.10.1.0/24', nextHop: '10.0.0.11', node: 'node-2' },
          { destination: '10.10.2.0/24', nextHop: '10.0.0.12', node: 'node-3' },
        ],
        uplinkRoutes: [{ destination: '192.168.0.0/16', nextHop: 'vbr-1', via: 'border router (VBR) over Express Connect' }],
      });
    });

    it('writes "unknown" (never the node name) as a speaker\'s address while its IP is unknown, and warns', () => {
      // Prepare: no Node Added event yet
      const profile = spec({ bgp: { peers: [LAN_PEER] } });

      // Act
      const result = plan(empty(), edgeFacts([]), profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      const checklist = artifact(result, 'bgp-switch-checklist-peer.yaml') as { neighbours: { address: string }[]; expectedRoutes: unknown[] };
      expect(checklist.neighbours.map((n) => n.address)).toEqual(['unknown', 'unknown', 'unknown']);
      expect(checklist.expectedRoutes).toEqual([]);
      expect(result.warnings).toContain('BGPPeer peer: the IP of speakers node-1, node-2, node-3 is not known yet (no Node Added event): the switch checklist says "unknown" for them');
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
      expect(first.changes).toHaveLength(8);
      expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    });
  });

  describe('Method: planFlow — across two LANs of one domain', () => {
    it('gives each switch’s checklist the routes of the nodes carrying its ASN label, next hop each node, and plans no change', () => {
      // Prepare: the guide names one speaker per LAN, accepted explicitly
      const nodes = [
        node('node-1', '10.0.10.11', '10.10.1.0/24', '65010'),
        node('node-2', '10.0.10.12', '10.10.2.0/24', '65010'),
        node('node-5', '10.0.20.15', '10.10.5.0/24', '65020'),
        node('node-6', '10.0.20.16', '10.10.6.0/24', '65020'),
      ];
      const profile = spec({
        bgp: {
          peers: [
            { name: 'peer-a', localAsn: 65010, peerIp: '10.0.10.1', peerAsn: 65002, nodeSelector: { ASN: '65010' }, speakers: ['node-1'], acceptFewerSpeakers: true },
            { name: 'peer-b', localAsn: 65020, peerIp: '10.0.20.1', peerAsn: 65003, nodeSelector: { ASN: '65020' }, speakers: ['node-5'], acceptFewerSpeakers: true },
          ],
        },
      });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      expect(expectedRoutes(result, 'peer-a')).toEqual(['10.10.1.0/24 -> 10.0.10.11 (node-1)', '10.10.2.0/24 -> 10.0.10.12 (node-2)']);
      expect(expectedRoutes(result, 'peer-b')).toEqual(['10.10.5.0/24 -> 10.0.20.15 (node-5)', '10.10.6.0/24 -> 10.0.20.16 (node-6)']);
      expect(result.warnings).toHaveLength(2);
      expect(result.warnings.join('\n')).toMatch(/peer-a: 1 speaker\(s\) \(node-1\), fewer than the 3 .* accepted by acceptFewerSpeakers/);
      expect(artifact(result, 'bgp-peer-peer-b.yaml')).toEqual({
        apiVersion: 'network.openyurt.io/v1alpha1',
        kind: 'BGPPeer',
        metadata: { name: 'peer-b' },
        spec: { localSpeakers: ['node-5'], localAsNumber: 65020, peerIP: '10.0.20.1', peerAsNumber: 65003, nodeSelector: 'ASN=65020' },
      });
    });
  });

  describe('Method: planFlow — across two domains', () => {
    const nodes = [node('node-1', '10.0.10.11', '10.10.1.0/24', '65010'), node('node-5', '10.0.20.15', '10.10.5.0/24', '65020')];
    const peers = [
      { name: 'peer-a', localAsn: 65010, peerIp: '10.0.10.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['node-1'], acceptFewerSpeakers: true },
      { name: 'peer-b', localAsn: 65020, peerIp: '10.0.20.1', peerAsn: 65002, nodeSelector: { ASN: '65020' }, speakers: ['node-5'], acceptFewerSpeakers: true },
    ];

    it('renders one checklist per domain and routes both domains’ hosts and the containers down the cloud edge', () => {
      // Prepare: both domains reach the VPC through the border router
      const transit = { ...TRANSIT, idcHostCidrs: ['10.0.10.0/24', '10.0.20.0/24'], coreSwitchIp: '10.0.10.1' };
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers, transit } });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(result.changes.filter((c) => c.kind === 'bgp-peer')).toEqual([]);
      expect(new Set(result.changes.map((c) => c.kind))).toEqual(new Set(['route', 'transit-route']));
      expect(result.changes.filter((c) => c.target === 'vtb-edge').map((c) => c.cidr)).toEqual(['10.0.10.0/24', '10.0.20.0/24', '10.10.0.0/16']);
      expect(expectedRoutes(result, 'peer-a')).toEqual(['10.10.1.0/24 -> 10.0.10.11 (node-1)']);
      expect(expectedRoutes(result, 'peer-b')).toEqual(['10.10.5.0/24 -> 10.0.20.15 (node-5)']);
      expect(blocked(result)).toEqual([]);
      expect(result.artifacts.map((a) => a.name)).toEqual(['bgp-peer-peer-a.yaml', 'bgp-peer-peer-b.yaml', 'bgp-switch-checklist-peer-a.yaml', 'bgp-switch-checklist-peer-b.yaml']);
    });

    it('blocks a peer whose switch is outside every idcHostCidr, naming the rule', () => {
      // Prepare: domain B's hosts are not listed
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers, transit: { ...TRANSIT, idcHostCidrs: ['10.0.10.0/24'] } } });

      // Act
      const result = plan(empty(), edgeFacts(nodes), profile, 'bgp-edge');

      // Assess
      expect(blocked(result)).toEqual(['peer-b -: BGPPeer peer-b breaks a rule: rule peer-ip-in-idc: peerIp 10.0.20.1 is not inside any idcHostCidr: 10.0.10.0/24']);
      expect(result.changes.filter((c) => c.kind === 'bgp-peer').map((c) => `${c.action} ${c.status} ${c.target} ${c.cidr ?? '-'}`)).toEqual(['create blocked peer-b -']);
      expect(result.artifacts.map((a) => a.name)).toEqual(['bgp-peer-peer-a.yaml', 'bgp-switch-checklist-peer-a.yaml']);
    });
  });

  describe('Method: planFlow — the guide’s rules', () => {
    it('blocks a peer with 2 speakers with one peer-level change naming the rule, and renders nothing for it', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, speakers: ['node-1', 'node-2'] }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.kind} ${c.target} ${c.cidr ?? '-'} ${c.nextHop ?? '-'}`)).toEqual(['create blocked bgp-peer peer - -']);
      expect(result.changes[0]?.reason).toBe(
        'BGPPeer peer breaks a rule: rule min-speakers: at least 3 BGP speakers are required for high availability, 2 listed (node-1, node-2) (set acceptFewerSpeakers: true to accept fewer)',
      );
      expect(result.artifacts).toEqual([]);
    });

    it('accepts 2 speakers when the profile says so, with a warning', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, speakers: ['node-1', 'node-2'], acceptFewerSpeakers: true }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      expect(expectedRoutes(result, 'peer')).toEqual(['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)', '10.10.2.0/24 -> 10.0.0.12 (node-3)']);
      expect(result.warnings).toEqual([expect.stringContaining('2 speaker(s) (node-1, node-2), fewer than the 3 the guide asks for')]);
    });

    it('blocks a 120 s graceful restart, naming the rule', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, gracefulRestartSeconds: 120 }] } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.kind} ${c.target} ${c.cidr ?? '-'}`)).toEqual(['create blocked bgp-peer peer -']);
      expect(result.changes[0]?.reason).toBe(
        'BGPPeer peer breaks a rule: rule graceful-restart: gracefulRestartSeconds must be at least 300, got 120 (a dropped session would withdraw the pod routes)',
      );
      expect(result.artifacts).toEqual([]);
    });

    it('names every rule broken, once each', () => {
      // Prepare: same ASN on both sides, a reserved ASN, 1 speaker, 60 s, switch outside the hosts
      const peer = { ...LAN_PEER, localAsn: 65535, peerAsn: 65535, speakers: ['node-1'], gracefulRestartSeconds: 60, peerIp: '172.31.0.1' };
      const profile = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [peer], transit: TRANSIT } });

      // Act
      const result = plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.filter((c) => c.kind === 'bgp-peer').map((c) => `${c.status} ${c.target} ${c.cidr ?? '-'}`)).toEqual(['blocked peer -']);
      const reason = result.changes.find((c) => c.kind === 'bgp-peer' && c.cidr === undefined)?.reason ?? '';
      expect(reason.match(/rule [a-z-]+:/g)).toEqual(['rule min-speakers:', 'rule graceful-restart:', 'rule asn-range:', 'rule distinct-asn:', 'rule peer-ip-in-idc:']);
      expect(reason).toContain('BGPPeer peer breaks 5 rules');
      expect(reason).toContain('localAsn 65535 is a reserved ASN; peerAsn 65535 is a reserved ASN');
    });

  });

  describe('Method: planFlow — per-node bgp-peer rows an earlier version applied', () => {
    it('deletes them beside a valid peer, whose checklist still lists the routes', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [LAN_PEER] } });

      // Act
      const result = plan(legacyWorld(LAN_LEGACY), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(summary(result)).toEqual([
        'delete planned alibaba/cn-hangzhou bgp-peer peer 10.10.0.0/24 -> 10.0.0.10',
        'delete planned alibaba/cn-hangzhou bgp-peer peer 10.10.1.0/24 -> 10.0.0.11',
        'delete planned alibaba/cn-hangzhou bgp-peer peer 10.10.2.0/24 -> 10.0.0.12',
      ]);
      expect(expectedRoutes(result, 'peer')).toEqual(['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)', '10.10.2.0/24 -> 10.0.0.12 (node-3)']);
    });

    it('deletes them beside a peer that breaks a rule, which is blocked at peer level', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [{ ...LAN_PEER, gracefulRestartSeconds: 120 }] } });

      // Act
      const result = plan(legacyWorld(LAN_LEGACY), edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.kind} ${c.target} ${c.cidr ?? '-'}`)).toEqual([
        'create blocked bgp-peer peer -',
        'delete planned bgp-peer peer 10.10.0.0/24',
        'delete planned bgp-peer peer 10.10.1.0/24',
        'delete planned bgp-peer peer 10.10.2.0/24',
      ]);
      expect(result.artifacts).toEqual([]);
    });

    it('counts a deleted one as gone: the next plan has nothing left to remove', () => {
      // Prepare
      const profile = spec({ bgp: { peers: [LAN_PEER] } });
      const cleaned = applyPlan(legacyWorld(LAN_LEGACY), plan(legacyWorld(LAN_LEGACY), edgeFacts(LAN_NODES), profile, 'bgp-edge'));

      // Act
      const result = plan(cleaned, edgeFacts(LAN_NODES), profile, 'bgp-edge');

      // Assess
      expect(cleaned.held).toEqual([]);
      expect(result.changes).toEqual([]);
    });
  });

  describe('Method: planFlow — nodes joining and leaving', () => {
    const profile = spec({ bgp: { peers: [LAN_PEER] } });

    it('adds a node carrying the selector’s label to the peer’s checklist, and only that node, with no change', () => {
      // Prepare
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));
      const joined = [...LAN_NODES, node('node-4', '10.0.0.13', '10.10.3.0/24', '65010'), node('node-9', '10.0.9.9', '10.10.9.0/24', '65099')];

      // Act
      const result = plan(applied, edgeFacts(joined), profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.warnings).toEqual(['node node-9 matches no BGPPeer nodeSelector: its pod CIDR 10.10.9.0/24 is advertised to no switch']);
      expect(expectedRoutes(result, 'peer')).toEqual([
        '10.10.0.0/24 -> 10.0.0.10 (node-1)',
        '10.10.1.0/24 -> 10.0.0.11 (node-2)',
        '10.10.2.0/24 -> 10.0.0.12 (node-3)',
        '10.10.3.0/24 -> 10.0.0.13 (node-4)',
      ]);
    });

    it('drops a removed speaker’s route and neighbour from the checklist, reports the speaker and warns below 3 speakers', () => {
      // Prepare: node-2 was removed (its tombstone stays in seen.nodes)
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), profile, 'bgp-edge'));
      const facts = edgeFacts(LAN_NODES.filter((n) => n.name !== 'node-2'));
      facts.seen.nodes['node-2'] = '2026-01-02T00:00:00Z';

      // Act
      const result = plan(applied, facts, profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.warnings).toEqual([
        expect.stringContaining('BGPPeer peer: speaker node-2 was removed from the cluster'),
        expect.stringContaining('BGPPeer peer: 2 speaker(s) left, fewer than 3'),
      ]);
      const manifest = artifact(result, 'bgp-peer-peer.yaml') as { spec: { localSpeakers: string[] } };
      expect(manifest.spec.localSpeakers).toEqual(['node-1', 'node-3']);
      expect(expectedRoutes(result, 'peer')).toEqual(['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.2.0/24 -> 10.0.0.12 (node-3)']);
      expect((artifact(result, 'bgp-switch-checklist-peer.yaml') as Checklist).neighbours.map((n) => n.speaker)).toEqual(['node-1', 'node-3']);
    });

    it('drops a removed non-speaker’s route from the checklist without a speaker warning', () => {
      // Prepare: a fourth node joins, then leaves
      const four = [...LAN_NODES, node('node-4', '10.0.0.13', '10.10.3.0/24', '65010')];
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(four), profile, 'bgp-edge'));
      const facts = edgeFacts(LAN_NODES);
      facts.seen.nodes['node-4'] = '2026-01-02T00:00:00Z';

      // Act
      const result = plan(applied, facts, profile, 'bgp-edge');

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.warnings).toEqual([]);
      expect(expectedRoutes(result, 'peer')).toEqual(['10.10.0.0/24 -> 10.0.0.10 (node-1)', '10.10.1.0/24 -> 10.0.0.11 (node-2)', '10.10.2.0/24 -> 10.0.0.12 (node-3)']);
    });

    it('withdraws every transit route and every earlier version’s per-node row once the cluster is deleted, rendering nothing', () => {
      // Prepare: the transit chain applied, beside per-node rows an earlier version left
      const withTransit = spec({ vpc: { id: 'vpc-edge', cidr: '192.168.0.0/16' }, bgp: { peers: [LAN_PEER], transit: TRANSIT } });
      const applied = applyPlan(empty(), plan(empty(), edgeFacts(LAN_NODES), withTransit, 'bgp-edge'));
      const legacy = legacyWorld(LAN_LEGACY);
      const world: World = { held: [...applied.held, ...legacy.held], ledger: [...applied.ledger, ...legacy.ledger], holdings: [...(applied.holdings ?? []), ...(legacy.holdings ?? [])] };

      // Act
      const result = plan(world, edgeFacts(LAN_NODES, { deleted: true }), withTransit, 'bgp-edge');

      // Assess
      expect(result.changes.map((c) => `${c.action} ${c.status} ${c.kind} ${c.target} ${c.cidr ?? '-'}`)).toEqual([
        'delete planned route vtb-edge 10.0.0.0/16',
        'delete planned route vtb-edge 10.10.0.0/16',
        'delete planned transit-route vbr-1 10.0.0.0/16',
        'delete planned transit-route vbr-1 10.10.0.0/16',
        'delete planned transit-route vbr-1 192.168.0.0/16',
        'delete planned transit-route vtb-tr-1 10.0.0.0/16',
        'delete planned transit-route vtb-tr-1 10.10.0.0/16',
        'delete planned transit-route vtb-tr-1 192.168.0.0/16',
        'delete planned bgp-peer peer 10.10.0.0/24',
        'delete planned bgp-peer peer 10.10.1.0/24',
        'delete planned bgp-peer peer 10.10.2.0/24',
      ]);
      expect(result.artifacts).toEqual([]);
    });
  });
});
