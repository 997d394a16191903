// The diagnose path model on plain values: the guides' networks (CCE's ECS 192.168.10.52, TKE's IDC behind Direct
// Connect and VPN, a CCN with a rival, Terway Edge peers), what a provider holds given as entries, and each hop's
// verdict and fix. No provider, no store: the application reads, the domain judges.
import { InvalidInputError } from '../../../functions/domain/errors.js';
import {
  lookupAccounts,
  parseDestination,
  planDiagnosis,
  sourceOf,
  type AddressLookup,
  type Diagnosis,
  type Hop,
  type Readings,
} from '../../../functions/domain/diagnose/index.js';
import type { Artifact, ClusterFacts, ProviderEntry } from '../../../functions/domain/model.js';
import type { ProfileSpec } from '../../../functions/domain/profile.js';
import { designFlow, targetKey } from '../../../functions/domain/planner/index.js';
import { cceFacts, cceSpec, PEERING } from './planner/cce.js';
import { DX_BGP, DX_STATIC, spec, tkeFacts, VPN_MANAGED, VPN_UNMANAGED } from './planner/fixtures.js';

type Held = ProviderEntry & { provider: ClusterFacts['provider']; region: string; account?: string };

function readings(held: readonly Held[], artifacts: readonly Artifact[] = [], unreadable: string[] = []): Readings {
  return {
    entries: (ref) => (unreadable.includes(ref.target) ? undefined : held.filter((entry) => targetKey(entry) === targetKey(ref))),
    unreadable: (ref) => (unreadable.includes(ref.target) ? `cannot read ${ref.kind}` : undefined),
    artifacts,
  };
}

function run(facts: ClusterFacts, profile: ProfileSpec, to: string, held: readonly Held[], options: { from?: string; lookups?: AddressLookup[]; artifacts?: Artifact[]; unreadable?: string[] } = {}): Diagnosis {
  const plan = planDiagnosis({ facts, profile, to: parseDestination(to), source: sourceOf(facts, options.from) }, options.lookups ?? []);
  return plan.evaluate(readings(held, options.artifacts ?? [], options.unreadable ?? []));
}

const line = (hop: Hop) => `${hop.status} ${hop.check} ${hop.where}`;
const failing = (d: Diagnosis) => d.hops.filter((hop) => hop.status === 'missing' || hop.status === 'conflict');

const CCE = { provider: 'huawei' as const, region: 'cn-north-4' };
const TKE = { provider: 'tencent' as const, region: 'ap-guangzhou' };
const found = (securityGroups: string[], extra: Partial<AddressLookup['holder']> = {}): AddressLookup[] => [
  { ...CCE, outcome: 'found', holder: { ip: '192.168.10.52', securityGroups, vpcId: 'vpc-demo', ...extra } },
];
const rule = (target: string, cidr: string, port: string): Held => ({ ...CCE, kind: 'sg-rule', target, cidr, port });

describe('Function: parseDestination', () => {
  it('reads IP, IP:PORT (tcp by default) and IP:PORT/PROTO', () => {
    expect(parseDestination('192.168.10.52')).toEqual({ ip: '192.168.10.52', text: '192.168.10.52' });
    expect(parseDestination('192.168.10.52:80').need).toEqual({ protocol: 'tcp', port: 80 });
    expect(parseDestination('10.0.0.5:53/UDP').need).toEqual({ protocol: 'udp', port: 53 });
  });

  it.each(['192.168.10', 'host.example:80', '10.0.0.5:0', '10.0.0.5:70000', '10.0.0.5:80/sctp', ''])('refuses %p naming --to', (text) => {
    expect(() => parseDestination(text)).toThrow(InvalidInputError);
    expect(() => parseDestination(text)).toThrow(/^--to: /);
  });
});

describe('Function: sourceOf', () => {
  it('a pod outside every container CIDR is bad input naming --from', () => {
    expect(() => sourceOf(cceFacts(), '10.9.9.9')).toThrow(/^--from: 10\.9\.9\.9 is in none of cls-cce's container CIDRs/);
  });

  it('a peer sees the pod (vpc-router), or the node that carries it (overlay)', () => {
    const node = { name: 'node-a', ip: '192.168.10.7', podCidr: '172.16.3.0/24', labels: {} };
    expect(sourceOf(cceFacts(), '172.16.3.4').seen).toEqual(['172.16.3.4/32']);
    expect(sourceOf(cceFacts({ networkModel: 'overlay', nodes: { 'node-a': node } }), '172.16.3.4').seen).toEqual(['192.168.10.7/32']);
    expect(sourceOf(cceFacts({ networkModel: 'overlay' })).seen).toEqual(['192.168.10.0/24']);
  });
});

describe('Function: planDiagnosis (same VPC, the CCE guide)', () => {
  const noGroups = cceSpec({});

  it("finds the ECS's group by its address and names it and the missing container CIDR, with the profile section to add", () => {
    // Act
    const diagnosis = run(cceFacts(), noGroups, '192.168.10.52:80/tcp', [rule('sg-ecs0a1b2c', '192.168.10.0/24', 'icmp')], { lookups: found(['sg-ecs0a1b2c']) });
    // Assess
    expect(diagnosis.path.kind).toBe('same-vpc');
    expect(diagnosis.reachable).toBe(false);
    const [missing] = failing(diagnosis);
    expect(failing(diagnosis)).toHaveLength(1);
    expect(missing).toMatchObject({ check: 'sg-rule', where: 'sg-ecs0a1b2c', status: 'missing', fix: { profileSection: 'spec.securityGroups' } });
    expect(missing?.detail).toContain('172.16.0.0/16 on tcp:80 not admitted');
    expect(missing?.fix?.text).toContain('securityGroups: [{ id: sg-ecs0a1b2c, ports: ["tcp:80"] }]');
  });

  it('a group admitting only the node subnet lacks the container CIDR (VPC model) but suffices for the tunnel model', () => {
    const held = [rule('sg-ecs', '192.168.10.0/24', 'all')];
    const vpc = run(cceFacts(), cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:22'] }] }), '192.168.10.52:22', held, { lookups: found(['sg-ecs']) });
    const overlay = run(cceFacts({ networkModel: 'overlay' }), cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:22'] }] }), '192.168.10.52:22', held, { lookups: found(['sg-ecs']) });
    expect(failing(vpc).map((hop) => [hop.where, hop.detail])).toEqual([['sg-ecs', expect.stringContaining('172.16.0.0/16 on tcp:22 not admitted')]]);
    // the flow designs the rule for this group: the fix is its trigger, not a profile change
    expect(failing(vpc)[0]?.fix).toMatchObject({ flow: 'security' });
    expect(overlay.reachable).toBe(true);
  });

  it('a rule on another port does not admit the connection; one on the protocol or "all" does', () => {
    const at = (port: string) => run(cceFacts(), noGroups, '192.168.10.52:443', [rule('sg-x', '172.16.0.0/12', port)], { lookups: found(['sg-x']) }).reachable;
    expect([at('tcp:80'), at('tcp:400-500'), at('tcp'), at('all'), at('udp:443')]).toEqual([false, true, true, true, false]);
  });

  it('after the security flow ran (the rule is there), every hop is ok', () => {
    const diagnosis = run(cceFacts(), noGroups, '192.168.10.52:80/tcp', [rule('sg-ecs0a1b2c', '172.16.0.0/16', 'tcp:80')], { lookups: found(['sg-ecs0a1b2c']) });
    expect(diagnosis.reachable).toBe(true);
    expect(diagnosis.hops.map(line)).toEqual(['ok route vpc-demo (local)', 'ok destination 192.168.10.52', 'ok sg-rule sg-ecs0a1b2c', 'ok cidr-conflict 172.16.0.0/16']);
  });

  it('names the peer bridge conflict when a container CIDR lies inside 172.17.0.0/16, even where the rule is there', () => {
    const facts = cceFacts({ podCidrs: ['172.17.8.0/24'] });
    const diagnosis = run(facts, noGroups, '192.168.10.52:80', [rule('sg-ecs', '172.17.8.0/24', 'tcp:80')], { lookups: found(['sg-ecs']) });
    const conflicts = diagnosis.hops.filter((hop) => hop.status === 'conflict');
    expect(conflicts.map((hop) => hop.detail)).toEqual([expect.stringMatching(/^172\.17\.8\.0\/24 overlaps the container bridge behind sg-ecs 172\.17\.0\.0\/16/)]);
    expect(conflicts[0]?.fix?.text).toMatch(/bridge/);
  });

  it('a whitelist at the address must hold what the peer sees; the bridge blocks it with the conflict named', () => {
    const lookups: AddressLookup[] = [{ ...CCE, outcome: 'found', holder: { ip: '192.168.0.100', securityGroups: [], whitelists: ['redis:dcs-1'] } }];
    const wl = (cidr: string): Held => ({ ...CCE, kind: 'whitelist-entry', target: 'redis:dcs-1', cidr });
    expect(run(cceFacts(), noGroups, '192.168.0.100:6379', [wl('192.168.50.0/24')], { lookups }).hops.filter((hop) => hop.check === 'whitelist-entry').map((hop) => [hop.status, hop.fix?.profileSection])).toEqual([
      ['missing', 'spec.whitelists'],
    ]);
    expect(run(cceFacts(), noGroups, '192.168.0.100:6379', [wl('172.16.0.0/16')], { lookups }).reachable).toBe(true);
    const bridged = run(cceFacts({ podCidrs: ['172.17.0.0/16'] }), noGroups, '192.168.0.100:6379', [wl('192.168.50.0/24')], { lookups });
    expect(failing(bridged).map((hop) => `${hop.status} ${hop.check}`)).toEqual(['missing whitelist-entry', 'conflict cidr-conflict']);
    expect(failing(bridged)[0]?.fix?.text).toMatch(/^podreach does not add it while this holds: 172\.17\.0\.0\/16 overlaps the container bridge behind redis:dcs-1/);
  });

  it('an address nobody holds leaves the destination unknown (not failed) and checks the groups the profile lists', () => {
    const lookups: AddressLookup[] = [{ ...CCE, outcome: 'not-found' }];
    const diagnosis = run(cceFacts(), cceSpec({ securityGroups: [{ id: 'sg-listed', ports: ['tcp:80'] }] }), '192.168.10.52:80', [rule('sg-listed', '172.16.0.0/16', 'tcp:80')], { lookups });
    expect(diagnosis.hops.map(line)).toEqual(['ok route vpc-demo (local)', 'unknown destination 192.168.10.52', 'ok sg-rule sg-listed', 'ok cidr-conflict 172.16.0.0/16']);
    expect(diagnosis.reachable).toBe(true);
  });
});

describe('Function: planDiagnosis (peering, the CCE cross-VPC guide)', () => {
  it('the peer route table must route the container CIDR back through the peering connection', () => {
    const profile = cceSpec({ peering: [PEERING] });
    const facts = cceFacts({ podCidrs: ['10.0.0.0/16'], nodeSubnets: [{ subnetId: 'subnet-node', cidr: '192.168.0.0/24' }] });
    const before = run(facts, profile, '10.1.0.20', [{ ...CCE, kind: 'route', target: 'rtb-demo2', cidr: '192.168.0.0/16', nextHop: 'peering-demo' }]);
    expect(before.path.kind).toBe('peering');
    expect(failing(before).map((hop) => [hop.where, hop.direction, hop.fix?.flow])).toEqual([['rtb-demo2', 'return', 'peering']]);
    const foreign = run(facts, profile, '10.1.0.20', [{ ...CCE, kind: 'route', target: 'rtb-demo2', cidr: '10.0.0.0/16', nextHop: 'vpngw-x', owner: 'foreign' }]);
    expect(failing(foreign).map((hop) => hop.status)).toEqual(['conflict']);
    expect(failing(foreign)[0]?.fix?.text).toMatch(/not made by podreach; podreach never overwrites it/);
    const after = run(facts, profile, '10.1.0.20', [{ ...CCE, kind: 'route', target: 'rtb-demo2', cidr: '10.0.0.0/16', nextHop: 'peering-demo' }]);
    expect(after.reachable).toBe(true);
    expect(after.hops.filter((hop) => hop.status === 'manual').map((hop) => hop.where)).toEqual(['vpc-demo']);
  });
});

describe('Function: planDiagnosis (VPN and Direct Connect, the TKE guide)', () => {
  const assoc = (subnet: string, table: string): Held => ({ ...TKE, kind: 'subnet-association', target: subnet, nextHop: table });

  it('VPN: routes, selectors on both managed tunnels and the routes back; a more specific foreign route is a conflict', () => {
    const profile = spec({ vpn: [VPN_MANAGED] });
    const far = { provider: 'tencent' as const, region: 'ap-shanghai' };
    const before = run(tkeFacts(), profile, '10.20.0.9:443', [assoc('subnet-a', 'rtb-main')]);
    expect(before.path).toMatchObject({ kind: 'vpn', via: 'vpnx-1' });
    expect(failing(before).map((hop) => `${hop.check} ${hop.where} ${hop.fix?.flow ?? ''}`)).toEqual([
      'route rtb-main vpn',
      'vpn-selector vpnx-1 vpn',
      'vpn-selector vpnx-2 vpn',
      'route rtb-far vpn',
      'route rtb-far vpn',
    ]);
    const laid: Held[] = [
      assoc('subnet-a', 'rtb-main'),
      { ...TKE, kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' },
      { ...TKE, kind: 'vpn-selector', target: 'vpnx-1', cidr: '172.16.0.0/12', peerCidr: '10.20.0.0/16' },
      { ...far, kind: 'vpn-selector', target: 'vpnx-2', cidr: '10.20.0.0/16', peerCidr: '172.16.0.0/16' },
      { ...far, kind: 'vpn-selector', target: 'vpnx-2', cidr: '10.20.0.0/16', peerCidr: '172.20.0.0/16' },
      { ...far, kind: 'route', target: 'rtb-far', cidr: '172.16.0.0/16', nextHop: 'vpngw-2' },
      { ...far, kind: 'route', target: 'rtb-far', cidr: '172.20.0.0/16', nextHop: 'vpngw-2' },
    ];
    expect(run(tkeFacts(), profile, '10.20.0.9:443', laid).reachable).toBe(true);
    const stolen = run(tkeFacts(), profile, '10.20.0.9:443', [...laid, { ...TKE, kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/24', nextHop: 'pcx-legacy', owner: 'foreign' }]);
    expect(failing(stolen).map((hop) => hop.detail)).toEqual(['10.20.0.0/24 -> pcx-legacy holds 10.20.0.9, not vpngw-1']);
  });

  it('VPN: a node subnet bound elsewhere is a conflict the flow never resolves; an unmanaged far side is an artifact and a manual check', () => {
    const profile = spec({ vpn: [VPN_UNMANAGED] });
    const diagnosis = run(tkeFacts(), profile, '10.20.0.9', [assoc('subnet-a', 'rtb-other')]);
    const binding = diagnosis.hops.find((hop) => hop.check === 'subnet-association');
    expect(binding).toMatchObject({ status: 'conflict', fix: { profileSection: 'spec.vpn[0].routeTableIds' } });
    expect(binding?.detail).toMatch(/podreach never re-binds a subnet/);
    expect(diagnosis.hops.filter((hop) => hop.check === 'artifact').map(line)).toEqual(['missing artifact vpn-opposite-config-vpnx-1.yaml']);
    const artifacts = designFlow(tkeFacts(), profile, 'vpn').artifacts;
    const rendered = run(tkeFacts(), profile, '10.20.0.9', [], { artifacts });
    expect(rendered.hops.filter((hop) => hop.check === 'artifact').map(line)).toEqual(['ok artifact vpn-opposite-config-vpnx-1.yaml']);
    const stale = run(tkeFacts(), profile, '10.20.0.9', [], { artifacts: artifacts.map((artifact) => ({ ...artifact, content: `${artifact.content}# old\n` })) });
    expect(stale.hops.filter((hop) => hop.check === 'artifact').map((hop) => hop.detail)).toEqual([expect.stringMatching(/stale/)]);
  });

  it('Direct Connect (static): route, advertised prefix, the IDC routes artifact and the manual IDC check', () => {
    const profile = spec({ directConnect: [DX_STATIC] });
    const diagnosis = run(tkeFacts(), profile, '10.0.3.4', [], { from: '172.20.1.1' });
    expect(diagnosis.path.kind).toBe('direct-connect');
    expect(diagnosis.hops.map(line)).toEqual([
      'unknown subnet-association subnet-a',
      'missing route rtb-main',
      'missing dx-prefix dcg-1',
      'missing artifact idc-static-routes-dcg-1.yaml',
      'missing artifact tke-dx-ticket-dcg-1.yaml',
      'manual manual dcg-1',
      'manual manual the data centre behind dcg-1',
      'manual manual 10.0.3.4',
      'ok cidr-conflict 172.20.0.0/16',
    ]);
    expect(lookupAccounts(tkeFacts(), profile, parseDestination('10.0.3.4'))).toEqual([]);
  });

  it('Direct Connect on AWS through a virtual private gateway cannot advertise a container CIDR outside the VPC', () => {
    const facts = tkeFacts({ provider: 'aws', region: 'us-east-1' });
    const profile = spec({ directConnect: [{ ...DX_STATIC, routing: 'bgp', association: 'vgw', associatedGatewayId: 'vgw-1' }] });
    const conflict = run(facts, profile, '10.0.3.4', []).hops.find((hop) => hop.check === 'dx-prefix');
    expect(conflict).toMatchObject({ status: 'conflict', fix: { profileSection: 'spec.directConnect[0].association' } });
  });

  it('no route table listed (VPN or Direct Connect): the route is missing, the list of tables its fix', () => {
    const vpn = run(tkeFacts(), spec({ vpn: [{ ...VPN_UNMANAGED, routeTableIds: [] }] }), '10.20.0.9', []).hops.find((hop) => hop.check === 'route');
    expect(vpn).toMatchObject({ status: 'missing', where: 'vpc-tke', fix: { profileSection: 'spec.vpn[0].routeTableIds' } });
    expect(vpn?.detail).toBe('no route table is listed, so nothing routes 10.20.0.0/16 to vpngw-1');
    expect(vpn?.fix?.text).toMatch(/podreach trigger vpn --cluster /);
    const dx = run(tkeFacts(), spec({ directConnect: [{ ...DX_STATIC, routeTableIds: [] }] }), '10.0.3.4', []).hops.find((hop) => hop.check === 'route');
    expect(dx).toMatchObject({ status: 'missing', fix: { profileSection: 'spec.directConnect[0].routeTableIds' } });
    expect(dx?.fix?.text).toMatch(/podreach trigger direct-connect --cluster /);
  });

  it('an IDC network overlapping the container CIDRs is named as a conflict', () => {
    const profile = spec({ vpn: [{ ...VPN_UNMANAGED, remoteCidrs: ['172.16.0.0/12'] }] });
    expect(run(tkeFacts(), profile, '172.30.0.1', []).hops.filter((hop) => hop.check === 'cidr-conflict').map((hop) => hop.status)).toEqual(['conflict', 'conflict']);
  });
});

describe('Function: planDiagnosis (cloud-connect, the TKE CCN guide)', () => {
  const ccn = (cidr: string, instance: string, enabled = true): Held => ({ ...TKE, kind: 'cloud-connect-route', target: 'ccn-1', cidr, nextHop: instance, enabled });
  const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
  const facts = tkeFacts({ podCidrs: ['172.20.0.0/16', '172.21.0.0/16'] });

  it('a registration left disabled beside a rival is a conflict naming the rival, fixed by enableConflicting or by the rival', () => {
    const held = [ccn('172.20.0.0/16', 'vpc-tke'), ccn('172.21.0.0/16', 'vpc-tke', false), ccn('172.21.8.0/24', 'vpc-rival'), ccn('10.0.0.0/16', 'dcg-idc')];
    const diagnosis = run(facts, profile, '10.0.0.10', held);
    expect(failing(diagnosis).map((hop) => [hop.detail, hop.fix?.profileSection])).toEqual([
      ['172.21.0.0/16 from vpc-tke is registered but disabled: it overlaps 172.21.8.0/24 of vpc-rival', 'spec.cloudConnect[0].enableConflicting'],
    ]);
    expect(run(facts, profile, '10.0.0.10', held, { from: '172.20.1.1' }).reachable).toBe(true);
  });

  it('enabled beside a more specific rival, replies to pods inside the rival go to the rival', () => {
    const held = [ccn('172.21.0.0/16', 'vpc-tke'), ccn('172.21.8.0/24', 'vpc-rival'), ccn('10.0.0.0/16', 'dcg-idc')];
    expect(run(facts, profile, '10.0.0.10', held, { from: '172.21.0.5' }).reachable).toBe(true);
    expect(failing(run(facts, profile, '10.0.0.10', held, { from: '172.21.8.5' })).map((hop) => hop.check)).toEqual(['cloud-connect-rival']);
  });

  it('no registration at all is missing, fixed by the cloud-connect flow; no route to the destination is missing too', () => {
    const diagnosis = run(facts, profile, '10.9.0.1', [], { from: '172.20.1.1' });
    expect(failing(diagnosis).map((hop) => [hop.detail, hop.fix?.flow])).toEqual([
      ['172.20.1.1 is not registered from vpc-tke in ccn-1', 'cloud-connect'],
      ['no instance in ccn-1 registers a route holding 10.9.0.1', undefined],
    ]);
  });
});

describe('Function: planDiagnosis (Terway Edge)', () => {
  const node = (name: string, ip: string, podCidr: string, asn: string) => ({ name, ip, podCidr, labels: { ASN: asn } });
  const nodes = [node('node-1', '10.0.10.11', '10.10.1.0/24', '65010'), node('node-2', '10.0.10.12', '10.10.2.0/24', '65010'), node('node-3', '10.0.10.13', '10.10.3.0/24', '65010'), node('node-5', '10.0.20.15', '10.10.5.0/24', '65020')];
  const facts = tkeFacts({ provider: 'alibaba', region: 'cn-hangzhou', vpcId: 'vpc-edge', podCidrs: ['10.10.0.0/16'], nodeSubnets: [], nodes: Object.fromEntries(nodes.map((n) => [n.name, n])) });
  const peer = (name: string, asn: number, peerIp: string, speakers: string[], gracefulRestartSeconds = 300) => ({ name, localAsn: asn, peerIp, peerAsn: 65001 + asn - 65010, nodeSelector: { ASN: String(asn) }, speakers, gracefulRestartSeconds });

  it('a peer breaking the guide\'s rules (2 speakers, 120 s) is a conflict naming both rules, fixed in the profile', () => {
    const profile = spec({ bgp: { peers: [peer('peer-a', 65010, '10.0.10.1', ['node-1', 'node-2', 'node-3']), peer('peer-b', 65020, '10.0.20.1', ['node-5', 'node-6'], 120)] } });
    const diagnosis = run(facts, profile, '10.10.5.9', [], { from: '10.10.1.5' });
    const broken = failing(diagnosis).filter((hop) => hop.check === 'bgp-peer');
    expect(broken.map((hop) => [hop.where, hop.fix?.profileSection])).toEqual([['BGPPeer peer-b', 'spec.bgp.peers[1]']]);
    expect(broken[0]?.detail).toMatch(/rule min-speakers.*rule graceful-restart/);
  });

  it('a node no peer selects is missing: its pods are advertised to no switch', () => {
    const profile = spec({ bgp: { peers: [peer('peer-a', 65010, '10.0.10.1', ['node-1', 'node-2', 'node-3'])] } });
    const diagnosis = run(facts, profile, '10.10.5.9', [], { from: '10.10.1.5' });
    expect(failing(diagnosis).filter((hop) => hop.check === 'bgp-peer').map((hop) => hop.detail)).toEqual([expect.stringMatching(/^the destination node node-5 matches no BGPPeer nodeSelector/)]);
  });
});

describe('Function: planDiagnosis (no path, unreadable targets)', () => {
  it('a destination no section reaches is missing, naming the sections that could', () => {
    const diagnosis = run(tkeFacts(), spec({}), '10.77.0.1', []);
    expect(diagnosis.path.kind).toBe('none');
    expect(failing(diagnosis).map((hop) => hop.fix?.profileSection)).toEqual(['spec.peering | spec.vpn | spec.directConnect | spec.cloudConnect']);
  });

  it('a target the provider cannot read is unknown, which does not fail the diagnosis', () => {
    const profile = spec({ directConnect: [{ ...DX_STATIC, routing: 'bgp' }] });
    const artifacts = designFlow(tkeFacts(), profile, 'direct-connect').artifacts;
    const held: Held[] = [{ ...TKE, kind: 'route', target: 'rtb-main', cidr: '10.0.0.0/16', nextHop: 'dcg-1' }, { ...TKE, kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-main' }];
    const diagnosis = run(tkeFacts(), profile, '10.0.0.5', held, { unreadable: ['dcg-1'], artifacts });
    expect(diagnosis.hops.find((hop) => hop.check === 'dx-prefix')).toMatchObject({ status: 'unknown' });
    expect(diagnosis.reachable).toBe(true);
  });

  it('the same inputs give the same diagnosis', () => {
    const profile = spec({ vpn: [VPN_MANAGED], directConnect: [DX_STATIC] });
    expect(JSON.stringify(run(tkeFacts(), profile, '10.20.0.9', []))).toBe(JSON.stringify(run(tkeFacts(), profile, '10.20.0.9', [])));
  });
});

describe('Function: planDiagnosis (accounts)', () => {
  const accounts = { cluster: 'acct-cluster', network: 'acct-net' };

  it('reads every target in the account the flows lay it in (spec.accounts and each attachment\'s account)', () => {
    // Prepare
    const profile = spec({
      accounts,
      vpn: [{ ...VPN_MANAGED, account: 'acct-vpn', opposite: { ...VPN_MANAGED.opposite, account: 'acct-far' } }],
      directConnect: [{ ...DX_STATIC, idcCidrs: ['10.0.0.0/16'] }],
      peering: [{ ...PEERING, peerVpc: { ...PEERING.peerVpc, account: 'acct-peer' } }],
      cloudConnect: [{ id: 'ccn-1' }, { id: 'ccn-2', account: 'acct-ccn2' }],
    });
    const facts = tkeFacts();
    const designed = ['vpn', 'direct-connect', 'peering', 'cloud-connect'].flatMap((flow) => designFlow(facts, profile, flow as 'vpn').entries);
    // Act
    const reads = ['10.20.0.9', '10.0.0.9', '10.1.0.20', '10.99.0.1'].flatMap((to) => planDiagnosis({ facts, profile, to: parseDestination(to), source: sourceOf(facts) }, []).reads);
    // Assess
    const accountOf = (kind: string, target: string) => reads.find((read) => read.kind === kind && read.target === target)?.account ?? 'none';
    expect(
      [
        ['subnet-association', 'subnet-a'],
        ['route', 'rtb-main'],
        ['vpn-selector', 'vpnx-1'],
        ['vpn-selector', 'vpnx-2'],
        ['route', 'rtb-far'],
        ['dx-prefix', 'dcg-1'],
        ['route', 'rtb-demo2'],
        ['cloud-connect-route', 'ccn-1'],
        ['cloud-connect-route', 'ccn-2'],
      ].map(([kind, target]) => `${kind} ${target}: ${accountOf(kind ?? '', target ?? '')}`),
    ).toEqual([
      'subnet-association subnet-a: acct-cluster',
      'route rtb-main: acct-cluster',
      'vpn-selector vpnx-1: acct-vpn',
      'vpn-selector vpnx-2: acct-far',
      'route rtb-far: acct-far',
      'dx-prefix dcg-1: acct-net',
      'route rtb-demo2: acct-peer',
      'cloud-connect-route ccn-1: acct-net',
      'cloud-connect-route ccn-2: acct-ccn2',
    ]);
    // each read is where the flow's designer lays its entries
    for (const read of reads) {
      const entry = designed.find((candidate) => candidate.kind === read.kind && candidate.target === read.target);
      if (entry) expect(read.account).toBe(entry.account);
    }
  });

  it('judges what the named account holds, not what the credentials\' own account holds', () => {
    // Prepare
    const profile = spec({ accounts, directConnect: [{ ...DX_BGP, routeTableIds: ['rtb-main'] }] });
    const inCluster = { ...TKE, account: 'acct-cluster' };
    const held = (prefixAccount: string | undefined): Held[] => [
      { ...inCluster, kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-main' },
      { ...inCluster, kind: 'route', target: 'rtb-main', cidr: '10.0.0.0/16', nextHop: 'dcg-1' },
      { ...TKE, ...(prefixAccount ? { account: prefixAccount } : {}), kind: 'dx-prefix', target: 'dcg-1', cidr: '172.16.0.0/16' },
      { ...TKE, ...(prefixAccount ? { account: prefixAccount } : {}), kind: 'dx-prefix', target: 'dcg-1', cidr: '172.20.0.0/16' },
    ];
    // Act
    const inNetwork = run(tkeFacts(), profile, '10.0.0.9', held('acct-net'));
    const inOwn = run(tkeFacts(), profile, '10.0.0.9', held(undefined));
    // Assess
    expect(inNetwork.hops.filter((hop) => hop.check !== 'manual' && hop.check !== 'artifact').map(line)).toEqual(['ok subnet-association subnet-a', 'ok route rtb-main', 'ok dx-prefix dcg-1', 'ok cidr-conflict 172.16.0.0/16, 172.20.0.0/16']);
    expect(inNetwork.hops.find((hop) => hop.check === 'dx-prefix')).toMatchObject({ account: 'acct-net' });
    expect(inOwn.hops.find((hop) => hop.check === 'dx-prefix')?.status).toBe('missing');
  });

  it('looks the destination up in the account that holds it: the cluster\'s, the peer VPC\'s, the managed opposite\'s', () => {
    // Prepare
    const profile = spec({
      accounts,
      peering: [{ ...PEERING, peerVpc: { ...PEERING.peerVpc, account: 'acct-peer' } }],
      vpn: [{ ...VPN_MANAGED, opposite: { ...VPN_MANAGED.opposite, account: 'acct-far' } }],
    });
    // Act
    const at = (to: string) => lookupAccounts(tkeFacts(), profile, parseDestination(to));
    // Assess
    expect(at('192.168.1.5')).toEqual([{ ...TKE, account: 'acct-cluster' }]);
    expect(at('10.1.0.20')).toEqual([{ ...TKE, account: 'acct-peer' }]);
    expect(at('10.20.0.9')).toEqual([{ provider: 'tencent', region: 'ap-shanghai', account: 'acct-far' }]);
  });

  it('a group found in a lookup\'s account is read there', () => {
    // Prepare
    const profile = spec({ accounts });
    const lookups: AddressLookup[] = [{ ...TKE, account: 'acct-cluster', outcome: 'found', holder: { ip: '192.168.1.5', securityGroups: ['sg-1'] } }];
    const held: Held[] = [{ ...TKE, account: 'acct-cluster', kind: 'sg-rule', target: 'sg-1', cidr: '172.16.0.0/12', port: 'all' }];
    // Act
    const diagnosis = run(tkeFacts(), profile, '192.168.1.5:80', held, { lookups });
    // Assess
    expect(diagnosis.hops.find((hop) => hop.check === 'sg-rule')).toMatchObject({ status: 'ok', account: 'acct-cluster' });
  });
});

describe('Function: planDiagnosis (longest prefix and disabled routes)', () => {
  const peerFacts = cceFacts({ podCidrs: ['10.0.0.0/16'], nodeSubnets: [{ subnetId: 'subnet-node', cidr: '192.168.0.0/24' }] });
  const peerRoute = (cidr: string, nextHop: string, extra: Partial<Held> = {}): Held => ({ ...CCE, kind: 'route', target: 'rtb-demo2', cidr, nextHop, ...extra });

  it('a more specific route inside the container CIDR with another next hop takes part of the replies: a conflict naming it', () => {
    // Prepare
    const profile = cceSpec({ peering: [PEERING] });
    const held = [peerRoute('192.168.0.0/16', 'peering-demo'), peerRoute('10.0.0.0/16', 'peering-demo'), peerRoute('10.0.3.0/24', 'vpn-other', { owner: 'foreign' })];
    // Act
    const diagnosis = run(peerFacts, profile, '10.1.0.20', held);
    // Assess
    expect(diagnosis.reachable).toBe(false);
    const [conflict] = failing(diagnosis);
    expect(failing(diagnosis)).toHaveLength(1);
    expect(conflict).toMatchObject({ check: 'route', where: 'rtb-demo2', status: 'conflict', direction: 'return' });
    expect(conflict?.detail).toContain('10.0.3.0/24 -> vpn-other');
    expect(conflict?.fix?.text).toContain('10.0.3.0/24');
  });

  it('cloud-connect: a rival more specific than a whole container CIDR (no --from) takes those replies: a conflict naming it', () => {
    // Prepare
    const ccn = (cidr: string, instance: string): Held => ({ ...TKE, kind: 'cloud-connect-route', target: 'ccn-1', cidr, nextHop: instance, enabled: true });
    const facts = tkeFacts({ podCidrs: ['172.20.0.0/16', '172.21.0.0/16'] });
    const held = [ccn('172.20.0.0/16', 'vpc-tke'), ccn('172.21.0.0/16', 'vpc-tke'), ccn('172.21.8.0/24', 'vpc-rival'), ccn('10.0.0.0/16', 'dcg-idc')];
    // Act
    const diagnosis = run(facts, spec({ cloudConnect: [{ id: 'ccn-1' }] }), '10.0.0.10', held);
    // Assess
    expect(failing(diagnosis).map((hop) => [hop.check, hop.detail])).toEqual([
      ['cloud-connect-rival', '172.21.8.0/24 of vpc-rival is more specific and enabled: replies to 172.21.8.0/24 (inside 172.21.0.0/16) go to vpc-rival'],
    ]);
  });

  it('a more specific route inside the probe to the same next hop, or disabled, is no conflict', () => {
    const profile = cceSpec({ peering: [PEERING] });
    const held = [peerRoute('10.0.0.0/16', 'peering-demo'), peerRoute('10.0.3.0/24', 'peering-demo'), peerRoute('10.0.4.0/24', 'vpn-other', { enabled: false })];
    expect(run(peerFacts, profile, '10.1.0.20', held).reachable).toBe(true);
  });

  it('a disabled route does not carry traffic: the longest enabled one decides, and a disabled longest match is said', () => {
    // Prepare
    const profile = spec({ vpn: [{ ...VPN_UNMANAGED, subnetIds: [] }] });
    const assoc: Held = { ...TKE, kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-main' };
    const route = (cidr: string, nextHop: string, enabled?: boolean): Held => ({ ...TKE, kind: 'route', target: 'rtb-main', cidr, nextHop, ...(enabled === undefined ? {} : { enabled }) });
    const routeHop = (held: Held[]) => run(tkeFacts(), profile, '10.20.0.9', [assoc, ...held]).hops.find((hop) => hop.check === 'route');
    // Act
    const disabledOnly = routeHop([route('10.20.0.0/16', 'vpngw-1', false)]);
    const disabledRival = routeHop([route('10.20.0.0/16', 'vpngw-1'), route('10.20.0.0/24', 'pcx-x', false)]);
    const disabledOther = routeHop([route('10.20.0.0/24', 'pcx-x', false)]);
    // Assess
    expect(disabledOnly).toMatchObject({ status: 'conflict' });
    expect(disabledOnly?.detail).toMatch(/10\.20\.0\.0\/16 -> vpngw-1 holds 10\.20\.0\.9 but is disabled/);
    expect(disabledOnly?.fix?.text).toMatch(/enable/);
    expect(disabledRival?.status).toBe('ok');
    expect(disabledRival?.detail).toMatch(/10\.20\.0\.0\/24 -> pcx-x .*disabled/);
    expect(disabledOther).toMatchObject({ status: 'missing' });
    expect(disabledOther?.detail).toMatch(/no enabled route holds 10\.20\.0\.9.*10\.20\.0\.0\/24 -> pcx-x is disabled/);
  });
});

describe('Function: planDiagnosis (no source recorded)', () => {
  const overlay = cceFacts({ networkModel: 'overlay', nodeSubnets: [], nodes: {} });

  it('an overlay cluster with no node subnet or node: the rules and the routes back are unknown, not ok', () => {
    // Prepare
    const lookups = found(['sg-ecs']);
    // Act
    const sameVpc = run(overlay, cceSpec({}), '192.168.10.52:80', [rule('sg-ecs', '172.16.0.0/16', 'tcp:80')], { lookups });
    const peering = run(overlay, cceSpec({ peering: [PEERING] }), '10.1.0.20', [{ ...CCE, kind: 'route', target: 'rtb-demo2', cidr: '192.168.0.0/16', nextHop: 'peering-demo' }]);
    // Assess
    const sg = sameVpc.hops.find((hop) => hop.check === 'sg-rule');
    expect(sg).toMatchObject({ status: 'unknown', where: 'sg-ecs' });
    expect(sg?.detail).toMatch(/no node subnet or node of cls-cce is recorded/);
    const back = peering.hops.filter((hop) => hop.direction === 'return');
    expect(back.map(line)).toEqual(['unknown route rtb-demo2']);
    expect(back[0]?.detail).toMatch(/no node subnet or node of cls-cce is recorded/);
  });

  it('a VPN path with no node subnet recorded cannot tell which table the nodes use: unknown', () => {
    const diagnosis = run(tkeFacts({ nodeSubnets: [] }), spec({ vpn: [VPN_UNMANAGED] }), '10.20.0.9', []);
    expect(diagnosis.hops.filter((hop) => hop.check === 'subnet-association').map((hop) => [hop.status, hop.detail])).toEqual([['unknown', expect.stringMatching(/no node subnet of cls-tke is recorded/)]]);
  });
});

describe('Function: planDiagnosis (coverage)', () => {
  it('rules for two halves of the container CIDR together admit it; a gap between them does not', () => {
    // Prepare
    const lookups = found(['sg-ecs']);
    const at = (cidrs: string[]) => run(cceFacts(), cceSpec({}), '192.168.10.52:80', cidrs.map((cidr) => rule('sg-ecs', cidr, 'tcp:80')), { lookups });
    // Act
    const halves = at(['172.16.0.0/17', '172.16.128.0/17']);
    const gap = at(['172.16.0.0/17', '172.16.192.0/18']);
    const wrongPort = run(cceFacts(), cceSpec({}), '192.168.10.52:80', [rule('sg-ecs', '172.16.0.0/17', 'tcp:80'), rule('sg-ecs', '172.16.128.0/17', 'tcp:22')], { lookups });
    // Assess
    expect(halves.hops.find((hop) => hop.check === 'sg-rule')).toMatchObject({ status: 'ok', detail: expect.stringContaining('172.16.0.0/17 tcp:80, 172.16.128.0/17 tcp:80') });
    expect(gap.hops.find((hop) => hop.check === 'sg-rule')?.status).toBe('missing');
    expect(wrongPort.hops.find((hop) => hop.check === 'sg-rule')?.status).toBe('missing');
  });

  it('a whitelist entry with a port (the bound groups\' rules) admits only that port', () => {
    // Prepare
    const lookups: AddressLookup[] = [{ ...CCE, outcome: 'found', holder: { ip: '192.168.0.100', securityGroups: [], whitelists: ['redis:dcs-1'] } }];
    const wl = (port?: string): Held => ({ ...CCE, kind: 'whitelist-entry', target: 'redis:dcs-1', cidr: '172.16.0.0/16', ...(port ? { port } : {}) });
    const status = (entry: Held) => run(cceFacts(), cceSpec({}), '192.168.0.100:6379', [entry], { lookups }).hops.find((hop) => hop.check === 'whitelist-entry');
    // Act, Assess
    expect(status(wl('tcp:22'))).toMatchObject({ status: 'missing', detail: expect.stringContaining('172.16.0.0/16 on tcp:6379 not admitted') });
    expect(status(wl('tcp:6379'))?.status).toBe('ok');
    expect(status(wl())?.status).toBe('ok');
  });
});

describe('Function: planDiagnosis (several cloud-connect networks)', () => {
  const ccn = (network: string, cidr: string, instance: string): Held => ({ ...TKE, kind: 'cloud-connect-route', target: network, cidr, nextHop: instance, enabled: true });
  const facts = tkeFacts({ podCidrs: ['172.20.0.0/16'] });
  const profile = spec({ cloudConnect: [{ id: 'ccn-1' }, { id: 'ccn-2' }] });
  const registered = [ccn('ccn-1', '172.20.0.0/16', 'vpc-tke'), ccn('ccn-2', '172.20.0.0/16', 'vpc-tke')];

  it('the destination is reached when one network holds a route to it', () => {
    // Act
    const diagnosis = run(facts, profile, '10.0.0.10', [...registered, ccn('ccn-1', '10.0.0.0/16', 'dcg-idc')]);
    // Assess
    expect(diagnosis.reachable).toBe(true);
    expect(diagnosis.hops.filter((hop) => hop.direction === 'outbound' && hop.check === 'cloud-connect-route').map((hop) => [hop.status, hop.where, hop.detail])).toEqual([
      ['ok', 'ccn-1', '10.0.0.10 is reached through dcg-idc (10.0.0.0/16) in ccn-1'],
    ]);
  });

  it('no network holding a route to it is one missing hop naming them all', () => {
    const diagnosis = run(facts, profile, '10.0.0.10', registered);
    expect(failing(diagnosis).map((hop) => hop.detail)).toEqual(['no instance in ccn-1, ccn-2 registers a route holding 10.0.0.10']);
  });
});

describe('Function: planDiagnosis (the route table a subnet really uses)', () => {
  it('a node subnet bound to an unlisted table says its routes are not read there, and what to check in it', () => {
    // Prepare
    const profile = spec({ vpn: [{ ...VPN_UNMANAGED, subnetIds: [] }] });
    const held: Held[] = [
      { ...TKE, kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-other' },
      { ...TKE, kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' },
    ];
    // Act
    const diagnosis = run(tkeFacts(), profile, '10.20.0.9', held);
    // Assess
    const subnet = diagnosis.hops.find((hop) => hop.check === 'subnet-association');
    expect(subnet).toMatchObject({ status: 'missing', where: 'subnet-a' });
    expect(subnet?.detail).toMatch(/subnet-a uses rtb-other, not rtb-main/);
    expect(subnet?.detail).toMatch(/rtb-main's routes do not carry subnet-a's traffic/);
    expect(subnet?.detail).toMatch(/rtb-other is not read/);
    expect(subnet?.fix?.text).toMatch(/or check by hand that rtb-other routes 10\.20\.0\.9 to vpngw-1/);
  });
});
