import type { LedgerEntry } from '../../../../functions/domain/model.js';
import { changeId, configuredFlows, countChanges, planFlow, requiredTargets, SnapshotIncompleteError, targetKey } from '../../../../functions/domain/planner/index.js';
import { applyPlan, contextFor, DX_BGP, plan, route, spec, tkeFacts, VPN_MANAGED, VPN_UNMANAGED, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });
const dxProfile = () => spec({ directConnect: [DX_BGP] });
const idcRoute = (result: ReturnType<typeof plan>) => result.changes.find((c) => c.kind === 'route' && c.cidr === '10.0.0.0/16');

describe('Function: planFlow (diff rules)', () => {
  describe('Method: present with another value', () => {
    it('blocks a route that a foreign entry already holds, naming it', () => {
      // Prepare
      const world: World = { held: [route('rtb-main', '10.0.0.0/16', 'pcx-9')], ledger: [] };

      // Act
      const result = plan(world, tkeFacts(), dxProfile(), 'direct-connect');

      // Assess
      expect(idcRoute(result)).toMatchObject({ status: 'blocked', reason: 'rtb-main already routes 10.0.0.0/16 to pcx-9, not created by podreach' });
    });

    it('updates a route podreach owns when its next hop moved', () => {
      // Prepare: podreach created the route to dcg-1; the profile now names dcg-2
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), dxProfile(), 'direct-connect'));
      const moved = spec({ directConnect: [{ ...DX_BGP, gatewayId: 'dcg-2' }] });

      // Act
      const result = plan(world, tkeFacts(), moved, 'direct-connect');

      // Assess
      expect(idcRoute(result)).toMatchObject({ action: 'update', status: 'planned', nextHop: 'dcg-2' });
    });

    it('treats an identical entry it did not create as unchanged, and never deletes it later', () => {
      // Prepare
      const world: World = { held: [route('rtb-main', '10.0.0.0/16', 'dcg-1')], ledger: [] };
      const first = plan(world, tkeFacts(), dxProfile(), 'direct-connect');
      const after = applyPlan(world, first);

      // Act
      const gone = plan(after, tkeFacts({ deleted: true }), dxProfile(), 'direct-connect');

      // Assess
      expect(idcRoute(first)?.status).toBe('unchanged');
      expect(gone.changes.some((c) => c.kind === 'route')).toBe(false);
    });
  });

  describe('Method: owned entries no longer desired', () => {
    it('deletes an owned route still present, and reports one already gone as an unchanged delete', () => {
      // Prepare
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), dxProfile(), 'direct-connect'));
      const partlyGone = { ...world, held: world.held.filter((entry) => entry.kind !== 'route') };
      const noIdc = spec({ directConnect: [{ ...DX_BGP, idcCidrs: [] }] });

      // Act
      const present = plan(world, tkeFacts(), noIdc, 'direct-connect');
      const absent = plan(partlyGone, tkeFacts(), noIdc, 'direct-connect');

      // Assess
      expect(idcRoute(present)).toMatchObject({ action: 'delete', status: 'planned', nextHop: 'dcg-1' });
      expect(idcRoute(absent)).toMatchObject({ action: 'delete', status: 'unchanged' });
    });

    it('leaves in place an entry whose value someone else changed since podreach set it', () => {
      // Prepare
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), dxProfile(), 'direct-connect'));
      const tampered = { ...world, held: world.held.map((entry) => (entry.kind === 'route' ? { ...entry, nextHop: 'pcx-9', owner: 'foreign' as const } : entry)) };

      // Act
      const result = plan(tampered, tkeFacts({ deleted: true }), dxProfile(), 'direct-connect');

      // Assess
      expect(idcRoute(result)?.status).toBe('blocked');
      expect(idcRoute(result)?.reason).toContain('left in place');
    });

    it('retries a delete that failed', () => {
      // Prepare
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), dxProfile(), 'direct-connect'));
      const failed: LedgerEntry[] = world.ledger.map((row) => ({ ...row, action: 'delete', status: 'failed' }));

      // Act
      const result = plan({ ...world, ledger: failed }, tkeFacts({ deleted: true }), dxProfile(), 'direct-connect');

      // Assess
      expect(result.changes).toHaveLength(3);
      expect(result.changes.every((c) => c.action === 'delete' && c.status === 'planned')).toBe(true);
    });

    it('ignores ledger rows of other flows', () => {
      // Prepare
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), dxProfile(), 'direct-connect'));

      // Act
      const result = plan(world, tkeFacts({ deleted: true }), dxProfile(), 'vpn');

      // Assess
      expect(result.changes).toEqual([]);
    });
  });

  describe('Method: provider limits', () => {
    it('blocks a kind the provider cannot apply, with the reason', () => {
      // Prepare
      const world: World = { ...empty(), unsupported: [['tencent', 'dx-prefix']] };

      // Act
      const result = plan(world, tkeFacts(), dxProfile(), 'direct-connect');

      // Assess
      const prefixes = result.changes.filter((c) => c.kind === 'dx-prefix');
      expect(prefixes).toHaveLength(2);
      expect(prefixes.every((c) => c.status === 'blocked' && c.reason?.includes('cannot apply dx-prefix'))).toBe(true);
      expect(idcRoute(result)?.status).toBe('planned');
    });

    it('blocks the creates that would exceed routesPerTable, naming the quota', () => {
      // Prepare: rtb-main holds 49 foreign routes; the quota is 50; two remote CIDRs want in
      const held = Array.from({ length: 49 }, (_, i) => route('rtb-main', `10.100.${i}.0/24`, 'pcx-9'));
      const profile = spec({ vpn: [{ ...VPN_UNMANAGED, remoteCidrs: ['10.20.0.0/16', '10.21.0.0/16'] }] });

      // Act
      const result = plan({ held, ledger: [] }, tkeFacts(), profile, 'vpn');

      // Assess
      const routes = result.changes.filter((c) => c.kind === 'route');
      expect(routes.map((c) => [c.cidr, c.status])).toEqual([
        ['10.20.0.0/16', 'planned'],
        ['10.21.0.0/16', 'blocked'],
      ]);
      expect(routes[1]?.reason).toContain('routesPerTable');
    });

    it('lets the profile\'s quota override the provider\'s', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_BGP], quotas: { prefixesPerDxGateway: 1 } });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.changes.filter((c) => c.kind === 'dx-prefix').map((c) => c.status)).toEqual(['planned', 'blocked']);
    });
  });

  describe('Method: determinism', () => {
    it('gives the same plan, byte for byte, whatever the order of the inputs', () => {
      // Prepare
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), spec({ vpn: [VPN_MANAGED], directConnect: [DX_BGP] }), 'vpn'));
      const shuffled: World = { held: [...world.held].reverse(), ledger: [...world.ledger].reverse() };
      const changedProfile = spec({ vpn: [{ ...VPN_MANAGED, remoteCidrs: ['10.21.0.0/16', '10.20.0.0/16'] }] });
      const reversedFacts = tkeFacts({ podCidrs: ['172.20.0.0/16', '172.16.0.0/16', '172.24.0.0/16'] });

      // Act
      const a = plan(world, tkeFacts({ podCidrs: ['172.16.0.0/16', '172.20.0.0/16', '172.24.0.0/16'] }), spec({ vpn: [{ ...VPN_MANAGED, remoteCidrs: ['10.20.0.0/16', '10.21.0.0/16'] }] }), 'vpn');
      const b = plan(shuffled, reversedFacts, changedProfile, 'vpn');

      // Assess
      expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      expect(new Set(a.changes.map((c) => c.id)).size).toBe(a.changes.length);
    });

    it('keeps the same entry desired by two attachments once', () => {
      // Prepare: two gateways route the same IDC CIDR through the same gateway id and table
      const profile = spec({ directConnect: [DX_BGP, { ...DX_BGP, routing: 'static' }] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.changes).toHaveLength(3);
      expect(new Set(result.changes.map((c) => c.id)).size).toBe(3);
    });

    it('warns, and keeps the first, when two attachments want one entry with different next hops', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_BGP, { ...DX_BGP, gatewayId: 'dcg-2', idcCidrs: ['10.0.0.0/16'] }] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.changes.filter((c) => c.kind === 'route').map((c) => c.nextHop)).toEqual(['dcg-1']);
      expect(result.warnings.join('\n')).toContain('dcg-2');
    });
  });
});

describe('Function: changeId', () => {
  it('is "chg-" and 16 hex digits, the same for the same entry whatever its value, distinct per identity', () => {
    // Prepare
    const entry = { kind: 'route' as const, target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' };

    // Act
    const id = changeId('cls-tke', 'vpn', entry);

    // Assess
    expect(id).toMatch(/^chg-[0-9a-f]{16}$/);
    expect(changeId('cls-tke', 'vpn', { ...entry, nextHop: 'pcx-9' })).toBe(id);
    expect(changeId('cls-tke', 'vpn', { ...entry, cidr: '10.20.0.1/16' })).toBe(id);
    expect(changeId('cls-tke', 'direct-connect', entry)).not.toBe(id);
    expect(changeId('cls-other', 'vpn', entry)).not.toBe(id);
    expect(changeId('cls-tke', 'vpn', { ...entry, cidr: '10.21.0.0/16' })).not.toBe(id);
    expect(changeId('cls-tke', 'vpn', { ...entry, kind: 'vpn-selector', peerCidr: '172.16.0.0/16' })).not.toBe(id);
  });
});

describe('Function: requiredTargets', () => {
  it('lists desired targets and the targets of entries the flow still holds, sorted and unique', () => {
    // Prepare: podreach holds a route in rtb-old, which the profile no longer lists
    const old = applyPlan(empty(), plan(empty(), tkeFacts(), spec({ directConnect: [{ ...DX_BGP, routeTableIds: ['rtb-old'] }] }), 'direct-connect'));

    // Act
    const refs = requiredTargets(tkeFacts(), dxProfile(), 'direct-connect', old.ledger);

    // Assess
    expect(refs.map(targetKey)).toEqual([
      'tencent|ap-guangzhou|route|rtb-main',
      'tencent|ap-guangzhou|route|rtb-old',
      'tencent|ap-guangzhou|dx-prefix|dcg-1',
    ]);
  });

  it('is what planFlow needs: a snapshot missing a target is an error, not a guess', () => {
    // Prepare
    const ctx = contextFor(empty(), tkeFacts(), dxProfile(), 'direct-connect');
    const partial = new Map([...ctx.snapshot].slice(1));

    // Act / Assess
    expect(() => planFlow({ ...ctx, snapshot: partial })).toThrow(SnapshotIncompleteError);
  });
});

describe('Function: configuredFlows', () => {
  it('lists flows whose profile sections are non-empty, in FLOWS order', () => {
    // Prepare
    const profile = spec({ vpn: [VPN_UNMANAGED], directConnect: [DX_BGP], securityGroups: [{ id: 'sg-1', ports: ['icmp'] }] });

    // Act / Assess
    expect(configuredFlows(profile)).toEqual(['direct-connect', 'vpn', 'security']);
    expect(configuredFlows(spec({}))).toEqual([]);
  });
});

describe('Function: countChanges', () => {
  it('counts outcomes by status', () => {
    // Prepare
    const world = applyPlan({ held: [route('rtb-main', '10.0.0.0/16', 'pcx-9')], ledger: [] }, plan({ held: [route('rtb-main', '10.0.0.0/16', 'pcx-9')], ledger: [] }, tkeFacts(), dxProfile(), 'direct-connect'));
    const replay = plan(world, tkeFacts(), dxProfile(), 'direct-connect');
    const withFailure = [...replay.changes, { ...replay.changes[0]!, status: 'failed' as const }, { ...replay.changes[0]!, status: 'applied' as const }];

    // Act
    const counts = countChanges(withFailure);

    // Assess
    expect(counts).toEqual({ applied: 1, unchanged: 2, blocked: 1, failed: 1 });
  });
});
