// Safety rules across flows: what podreach did not create (or no longer holds as it left it) is never changed.
import { parse } from 'yaml';
import { applyPlan, plan, route, spec, tkeFacts, DX_BGP, type Held, type World } from './fixtures.js';

describe('Function: planFlow — ownership', () => {
  it('blocks, never overwrites, a route podreach created that someone has since replaced', () => {
    // Prepare: podreach created 10.0.0.0/16 -> dcg-1; a person replaced it with -> pcx-human (marked foreign)
    const profile = spec({ directConnect: [DX_BGP] });
    const created = applyPlan({ held: [], ledger: [] }, plan({ held: [], ledger: [] }, tkeFacts(), profile, 'direct-connect'));
    const replaced: World = {
      ...created,
      held: created.held.map((entry) => (entry.kind === 'route' && entry.cidr === '10.0.0.0/16' ? { ...entry, nextHop: 'pcx-human', owner: 'foreign' as const } : entry)),
    };

    // Act
    const result = plan(replaced, tkeFacts(), profile, 'direct-connect');

    // Assess
    const routeChange = result.changes.find((c) => c.kind === 'route' && c.cidr === '10.0.0.0/16');
    expect(routeChange).toMatchObject({ status: 'blocked', action: 'create' });
    expect(routeChange?.reason).toContain('pcx-human');
    expect(result.changes.filter((c) => c.status === 'planned')).toEqual([]);
  });

  it("enables the cloud's own CCN registration of the cluster VPC but never takes it over: no delete when the cluster goes", () => {
    // Prepare: TKE registered both CIDRs for vpc-tke, disabled, with no owner mark (the API has no description)
    const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
    const registration = (cidr: string): Held => ({ provider: 'tencent', region: 'ap-guangzhou', kind: 'cloud-connect-route', target: 'ccn-1', cidr, nextHop: 'vpc-tke', enabled: false });
    const world: World = { held: [registration('172.16.0.0/16'), registration('172.20.0.0/16')], ledger: [] };

    // Act
    const enabled = applyPlan(world, plan(world, tkeFacts(), profile, 'cloud-connect'));
    const afterDelete = plan(enabled, tkeFacts({ deleted: true }), profile, 'cloud-connect');

    // Assess
    expect(enabled.held.every((entry) => entry.enabled === true)).toBe(true);
    expect(enabled.ledger.every((row) => row.owned === false)).toBe(true);
    expect(afterDelete.changes).toEqual([]);
  });

  it('does not update a registration explicitly marked as someone else’s', () => {
    const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
    const foreign: Held = { provider: 'tencent', region: 'ap-guangzhou', kind: 'cloud-connect-route', target: 'ccn-1', cidr: '172.16.0.0/16', nextHop: 'vpc-tke', enabled: false, owner: 'foreign' };
    const result = plan({ held: [foreign], ledger: [] }, tkeFacts({ podCidrs: ['172.16.0.0/16'] }), profile, 'cloud-connect');
    expect(result.changes.map((c) => [c.action, c.status])).toEqual([['create', 'blocked']]);
  });
});

describe('Function: planFlow — conflicts reach every part of a conflicting pod CIDR', () => {
  // The pod routes of a BGP edge are artifacts, not changes (bgp-edge.ts): the conflict blocks the transit routes for
  // the pod CIDR, and the switch checklist leaves out every node pod route inside it, each named in a warning (the
  // speakers still advertise them, so the operator must resolve the overlap rather than expect those routes).
  it('blocks the transit routes of a pod CIDR that overlaps the IDC hosts and leaves its node routes out of the switch checklist', () => {
    // Prepare: the pod CIDR 172.16.0.0/16 lies inside the IDC host range 172.16.0.0/12
    const profile = spec({
      bgp: {
        peers: [{ name: 'p1', localAsn: 65010, peerIp: '172.16.255.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['n1', 'n2', 'n3'] }],
        transit: { vpcRouteTableId: 'rtb-main', transitRouterRouteTableId: 'tr-rt-1', borderRouterId: 'vbr-1', idcHostCidrs: ['172.16.0.0/12'] },
      },
    });
    const node = (name: string, n: number) => ({ name, ip: `172.31.0.${n}`, podCidr: `172.16.${n}.0/24`, labels: { ASN: '65010' } });
    const facts = tkeFacts({ podCidrs: ['172.16.0.0/16'], nodes: { n1: node('n1', 1), n2: node('n2', 2), n3: node('n3', 3) } });

    // Act
    const result = plan({ held: [route('rtb-main', '10.99.0.0/16', 'pcx-x')], ledger: [] }, facts, profile, 'bgp-edge');

    // Assess
    const conflict = '172.16.0.0/16 overlaps the IDC hosts behind vbr-1 172.16.0.0/12: the data centre routes that range to itself';
    expect(result.changes.filter((c) => c.cidr === '172.16.0.0/16').map((c) => `${c.status} ${c.kind} ${c.target} -> ${c.nextHop ?? '-'}: ${c.reason ?? ''}`)).toEqual([
      `blocked route rtb-main -> tr-rt-1: ${conflict}`,
      `blocked transit-route tr-rt-1 -> vbr-1: ${conflict}`,
      `blocked transit-route vbr-1 -> 172.16.255.1: ${conflict}`,
    ]);
    expect(result.changes.filter((c) => c.status === 'blocked' && c.cidr !== '172.16.0.0/16')).toEqual([]);
    expect(result.changes.filter((c) => c.kind === 'bgp-peer')).toEqual([]);
    const checklist = parse(result.artifacts.find((a) => a.name === 'bgp-switch-checklist-p1.yaml')?.content ?? '') as { expectedRoutes: unknown[] };
    expect(checklist.expectedRoutes).toEqual([]);
    expect(result.warnings.filter((w) => w.includes('left out of the switch checklist'))).toEqual(
      ['n1', 'n2', 'n3'].map((name, i) => `BGPPeer p1: node ${name}'s pod CIDR 172.16.${i + 1}.0/24 is left out of the switch checklist (the speakers still advertise it): ${conflict}`),
    );
  });

  it('keeps a node pod route outside the conflicting pod CIDR in the switch checklist', () => {
    // Prepare: two container CIDRs, only 172.16.0.0/16 inside the IDC hosts 172.16.0.0/12
    const profile = spec({
      bgp: {
        peers: [{ name: 'p1', localAsn: 65010, peerIp: '172.16.255.1', peerAsn: 65001, nodeSelector: { ASN: '65010' }, speakers: ['n1', 'n2', 'n3'] }],
        transit: { vpcRouteTableId: 'rtb-main', transitRouterRouteTableId: 'tr-rt-1', borderRouterId: 'vbr-1', idcHostCidrs: ['172.16.0.0/12'] },
      },
    });
    const nodes = {
      n1: { name: 'n1', ip: '172.31.0.1', podCidr: '172.16.1.0/24', labels: { ASN: '65010' } },
      n2: { name: 'n2', ip: '172.31.0.2', podCidr: '10.30.2.0/24', labels: { ASN: '65010' } },
    };
    const facts = tkeFacts({ podCidrs: ['172.16.0.0/16', '10.30.0.0/16'], nodes });

    // Act
    const result = plan({ held: [], ledger: [] }, facts, profile, 'bgp-edge');

    // Assess
    const checklist = parse(result.artifacts.find((a) => a.name === 'bgp-switch-checklist-p1.yaml')?.content ?? '') as { expectedRoutes: unknown[] };
    expect(checklist.expectedRoutes).toEqual([{ destination: '10.30.2.0/24', nextHop: '172.31.0.2', node: 'n2' }]);
    expect(result.changes.filter((c) => c.cidr === '10.30.0.0/16').map((c) => c.status)).toEqual(['planned', 'planned', 'planned']);
  });
});
