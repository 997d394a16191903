import { readFileSync } from 'node:fs';
import { parseProfileText } from '../../../../functions/application/profile-text.js';
import { checkConflicts } from '../../../../functions/domain/conflicts.js';
import { plan, spec, tkeFacts, type World } from './fixtures.js';
import { cceFacts, cceSpec, PEERING } from './cce.js';

const empty = (): World => ({ held: [], ledger: [] });

describe('Function: checkConflicts', () => {
  it('reports a container CIDR inside the VPC: blocking in vpc-router, a warning in overlay, nothing in eni', () => {
    // Prepare
    const profile = cceSpec({});
    const podCidrs = ['192.168.128.0/17'];

    // Act
    const router = checkConflicts(cceFacts({ podCidrs }), profile, 'security');
    const overlay = checkConflicts(cceFacts({ podCidrs, networkModel: 'overlay' }), profile, 'security');
    const eni = checkConflicts(cceFacts({ podCidrs, networkModel: 'eni' }), profile, 'security');

    // Assess
    expect(router.conflicts).toEqual([{ cidr: '192.168.128.0/17', with: 'VPC vpc-demo', withCidr: '192.168.0.0/16', severity: 'block' }]);
    expect(router.blockReason({ kind: 'sg-rule', target: 'sg-ecs', cidr: '192.168.128.0/17', port: 'tcp:22' })).toContain('VPC vpc-demo 192.168.0.0/16');
    expect(overlay.conflicts.map((c) => c.severity)).toEqual(['warn']);
    expect(overlay.blockReason({ kind: 'sg-rule', target: 'sg-ecs', cidr: '192.168.128.0/17' })).toBeUndefined();
    expect(eni.conflicts).toEqual([]);
  });

  it('warns about a container CIDR overlapping the service CIDR', () => {
    // Act
    const check = checkConflicts(cceFacts({ serviceCidr: '172.16.128.0/20' }), cceSpec({}), 'peering');

    // Assess
    expect(check.conflicts).toEqual([{ cidr: '172.16.0.0/16', with: 'the service CIDR', withCidr: '172.16.128.0/20', severity: 'warn' }]);
  });

  it('reports IDC networks in the flow that reaches them only', () => {
    // Prepare
    const profile = spec({ directConnect: [{ gatewayId: 'dcg-1', idcCidrs: ['172.20.0.0/14'] }], peering: [PEERING] });

    // Act
    const dx = checkConflicts(tkeFacts(), profile, 'direct-connect');
    const peering = checkConflicts(tkeFacts(), profile, 'peering');

    // Assess
    expect(dx.conflicts).toEqual([{ cidr: '172.20.0.0/16', with: 'the IDC network of Direct Connect dcg-1', withCidr: '172.20.0.0/14', severity: 'block' }]);
    expect(peering.conflicts).toEqual([]);
  });

  it('reports nothing for a deleted cluster', () => {
    // Act
    const check = checkConflicts(tkeFacts({ deleted: true, podCidrs: ['192.168.0.0/24'] }), spec({}), 'direct-connect');

    // Assess
    expect(check.conflicts).toEqual([]);
  });
});

describe('Function: planFlow (conflicts of every flow)', () => {
  it('blocks the Direct Connect advertisement of a container CIDR that overlaps the IDC, and carries the conflict', () => {
    // Prepare
    const profile = spec({ directConnect: [{ gatewayId: 'dcg-1', idcCidrs: ['172.20.0.0/14'], routeTableIds: ['rtb-main'] }] });

    // Act
    const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

    // Assess
    const prefixes = result.changes.filter((c) => c.kind === 'dx-prefix');
    expect(prefixes.map((c) => [c.cidr, c.status])).toEqual([
      ['172.16.0.0/16', 'planned'],
      ['172.20.0.0/16', 'blocked'],
    ]);
    expect(prefixes[1]?.reason).toBe('172.20.0.0/16 overlaps the IDC network of Direct Connect dcg-1 172.20.0.0/14: the data centre routes that range to itself');
    expect(result.conflicts).toHaveLength(1);
  });

  it('plans the CONTRACT example profile, against an empty snapshot, in the cloud-connect, peering and security flows', () => {
    // Prepare
    const profile = parseProfileText(readFileSync('examples/profiles/contract-example.yaml', 'utf8')).spec;
    const facts = tkeFacts({ clusterId: 'cls-demo', vpcId: 'vpc-demo', podCidrs: ['172.16.0.0/16'] });

    // Act
    const flows = (['cloud-connect', 'peering', 'security'] as const).map((flow) => plan(empty(), facts, profile, flow));

    // Assess
    for (const result of flows) {
      expect(result.changes.length).toBeGreaterThan(0);
      expect(result.changes.every((c) => c.status === 'planned')).toBe(true);
    }
    const [cloudConnect, peering, security] = flows;
    expect(cloudConnect!.changes.map((c) => `${c.target} ${c.cidr} ${c.nextHop} ${c.enabled}`)).toEqual(['ccn-1 172.16.0.0/16 vpc-demo true']);
    expect(peering!.changes.map((c) => `${c.target} ${c.cidr} ${c.nextHop}`)).toEqual(['rtb-peer 172.16.0.0/16 pcx-1', 'rtb-peer 192.168.0.0/16 pcx-1']);
    expect(security!.changes.map((c) => `${c.kind} ${c.target} ${c.cidr} ${c.port ?? ''}`.trim())).toEqual([
      'sg-rule sg-ecs 172.16.0.0/16 icmp',
      'sg-rule sg-ecs 172.16.0.0/16 tcp:22',
      'whitelist-entry redis:dcs-1 172.16.0.0/16',
      'whitelist-entry redis:dcs-1 192.168.1.0/24',
    ]);
  });
});
