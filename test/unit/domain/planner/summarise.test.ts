import { normaliseCidr } from '../../../../functions/domain/cidr.js';
import { summariseCidrs } from '../../../../functions/domain/summarise.js';
import { applyPlan, plan, type Held, type World } from './fixtures.js';
import { cceFacts, cceSpec } from './cce.js';

const empty = (): World => ({ held: [], ledger: [] });
const profile = cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:22'] }] });
const foreignRule: Held = { provider: 'huawei', region: 'cn-north-4', kind: 'sg-rule', target: 'sg-ecs', cidr: '192.168.0.0/16', port: 'tcp:22' };

describe('Function: summariseCidrs', () => {
  it('merges sibling halves only, so a summary adds no address', () => {
    // Act
    const merged = summariseCidrs(['10.1.1.0/24', '10.1.0.0/24']);
    const apart = summariseCidrs(['10.1.0.0/24', '10.1.2.0/24']);
    const chain = summariseCidrs(['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/23', '10.1.2.0/24', '10.1.1.0/24']);
    const notAligned = summariseCidrs(['10.1.1.0/24', '10.1.2.0/24']);

    // Assess
    expect(merged).toEqual([{ cidr: '10.1.0.0/23', members: ['10.1.0.0/24', '10.1.1.0/24'] }]);
    expect(apart.map((s) => s.cidr)).toEqual(['10.1.0.0/24', '10.1.2.0/24']);
    expect(chain).toEqual([{ cidr: '10.1.0.0/22', members: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/23', '10.1.2.0/24'] }]);
    expect(notAligned.map((s) => s.cidr)).toEqual(['10.1.1.0/24', '10.1.2.0/24']);
  });

  it('handles IPv6 blocks the same way', () => {
    // Act
    const merged = summariseCidrs(['2001:db8:0:1::/64', '2001:db8::/64']);

    // Assess
    // cidr.ts spells IPv6 as ip-cidr does (uncompressed); compare by the same normalisation
    expect(merged.map((s) => s.cidr)).toEqual([normaliseCidr('2001:db8::/63')]);
  });
});

describe('Function: planFlow (quota summarisation)', () => {
  it('summarises adjacent container CIDRs only when the rules would overflow the group', () => {
    // Prepare
    const facts = cceFacts({ podCidrs: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'] });

    // Act
    const roomy = plan(empty(), facts, profile, 'security');
    const tight = plan({ held: [], ledger: [], quotas: { rulesPerSecurityGroup: 2 } }, facts, profile, 'security');

    // Assess
    expect(roomy.changes.map((c) => c.cidr)).toEqual(['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24']);
    expect(tight.changes.map((c) => [c.cidr, c.status])).toEqual([
      ['10.1.0.0/23', 'planned'],
      ['10.1.2.0/24', 'planned'],
    ]);
    expect(tight.warnings).toEqual(['sg-ecs: 10.1.0.0/24, 10.1.1.0/24 summarised as 10.1.0.0/23 to stay within the rulesPerSecurityGroup quota (2; 0 other entries there)']);
  });

  it('never summarises non-adjacent CIDRs: what still does not fit is blocked, naming the quota and the numbers', () => {
    // Prepare
    const facts = cceFacts({ podCidrs: ['10.1.0.0/24', '10.1.2.0/24'] });

    // Act
    const result = plan({ held: [foreignRule], ledger: [], quotas: { rulesPerSecurityGroup: 2 } }, facts, profile, 'security');

    // Assess
    expect(result.changes.map((c) => [c.cidr, c.status])).toEqual([
      ['10.1.0.0/24', 'planned'],
      ['10.1.2.0/24', 'blocked'],
    ]);
    expect(result.changes[1]?.reason).toBe('sg-ecs would exceed the rulesPerSecurityGroup quota of huawei (2 sg-rule entries; 2 there or planned)');
  });

  it('replaces applied rules by their summary: the summary is created, then the rules it covers are deleted', () => {
    // Prepare: 10.1.0.0/24 applied beside a foreign rule; then two more CIDRs arrive and the quota is 3
    const world: World = { held: [foreignRule], ledger: [], quotas: { rulesPerSecurityGroup: 3 } };
    const applied = applyPlan(world, plan(world, cceFacts({ podCidrs: ['10.1.0.0/24'] }), profile, 'security'));
    const grown = cceFacts({ podCidrs: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'] });

    // Act
    const first = plan(applied, grown, profile, 'security');
    const second = plan(applyPlan(applied, first), grown, profile, 'security');

    // Assess
    expect(first.changes.map((c) => [c.action, c.cidr, c.status])).toEqual([
      ['create', '10.1.0.0/23', 'planned'],
      ['delete', '10.1.0.0/24', 'planned'],
      ['create', '10.1.2.0/24', 'blocked'],
    ]);
    expect(second.changes.map((c) => [c.action, c.cidr, c.status])).toEqual([
      ['create', '10.1.0.0/23', 'unchanged'],
      ['create', '10.1.2.0/24', 'planned'],
    ]);
  });

  it('keeps the rules a summary would replace while the summary itself cannot be created', () => {
    // Prepare: both /24 rules applied; the quota shrinks to what is there, so no room for the summary
    const world: World = { held: [foreignRule], ledger: [] };
    const facts = cceFacts({ podCidrs: ['10.1.0.0/24', '10.1.1.0/24'] });
    const applied = { ...applyPlan(world, plan(world, facts, profile, 'security')), quotas: { rulesPerSecurityGroup: 2 } };

    // Act
    const result = plan(applied, facts, profile, 'security');

    // Assess
    expect(result.changes.map((c) => [c.action, c.cidr, c.status])).toEqual([
      ['create', '10.1.0.0/23', 'blocked'],
      ['create', '10.1.0.0/24', 'unchanged'],
      ['create', '10.1.1.0/24', 'unchanged'],
    ]);
  });
});
