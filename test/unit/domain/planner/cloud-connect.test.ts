import { applyPlan, plan, spec, tkeFacts, type Held, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });
// The TKE guide's CCN case: another VPC registered 172.16.0.0/12, which holds both container CIDRs.
const rival: Held = { provider: 'tencent', region: 'ap-guangzhou', kind: 'cloud-connect-route', target: 'ccn-1', cidr: '172.16.0.0/12', nextHop: 'vpc-other', enabled: true, owner: 'foreign' };

describe('Class: CloudConnectDesigner (through planFlow)', () => {
  describe('Method: planFlow — registration', () => {
    it('registers each container CIDR in each network, enabled, with the cluster VPC as instance', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }, { id: 'ccn-2' }] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.action, c.status, c.target, c.cidr, c.nextHop, c.nextHopType, c.enabled])).toEqual([
        ['create', 'planned', 'ccn-1', '172.16.0.0/16', 'vpc-tke', 'vpc', true],
        ['create', 'planned', 'ccn-1', '172.20.0.0/16', 'vpc-tke', 'vpc', true],
        ['create', 'planned', 'ccn-2', '172.16.0.0/16', 'vpc-tke', 'vpc', true],
        ['create', 'planned', 'ccn-2', '172.20.0.0/16', 'vpc-tke', 'vpc', true],
      ]);
      expect(result.warnings).toEqual([]);
    });

    it('registers disabled beside an overlapping route of another instance, naming the rival', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });

      // Act
      const result = plan({ held: [rival], ledger: [] }, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.action, c.status, c.cidr, c.enabled])).toEqual([
        ['create', 'planned', '172.16.0.0/16', false],
        ['create', 'planned', '172.20.0.0/16', false],
      ]);
      expect(result.changes[0]?.reason).toBe('overlaps 172.16.0.0/12 of vpc-other in ccn-1: registered disabled');
    });

    it('treats a route of another instance with the very same CIDR as a rival, not as the entry itself', () => {
      // Prepare
      const same: Held = { ...rival, cidr: '172.16.0.0/16' };
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });

      // Act
      const result = plan({ held: [same], ledger: [] }, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.cidr, c.status, c.enabled])).toEqual([
        ['172.16.0.0/16', 'planned', false],
        ['172.20.0.0/16', 'planned', true],
      ]);
      expect(result.changes[0]?.reason).toContain('172.16.0.0/16 of vpc-other');
    });

    it('enables it anyway with enableConflicting, and warns naming the rival', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1', enableConflicting: true }] });

      // Act
      const result = plan({ held: [rival], ledger: [] }, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.status, c.enabled, c.reason])).toEqual([
        ['planned', true, undefined],
        ['planned', true, undefined],
      ]);
      expect(result.warnings).toEqual([
        '172.16.0.0/16 overlaps 172.16.0.0/12 of vpc-other in ccn-1: enabled anyway (enableConflicting)',
        '172.20.0.0/16 overlaps 172.16.0.0/12 of vpc-other in ccn-1: enabled anyway (enableConflicting)',
      ]);
    });
  });

  describe('Method: planFlow — a later run', () => {
    it('enables the disabled route once the rival is gone, and keeps it blocked while the rival stays', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
      const registered = applyPlan({ held: [rival], ledger: [] }, plan({ held: [rival], ledger: [] }, tkeFacts(), profile, 'cloud-connect'));
      const rivalGone: World = { ...registered, held: registered.held.filter((entry) => entry.nextHop !== 'vpc-other') };

      // Act
      const stillThere = plan(registered, tkeFacts(), profile, 'cloud-connect');
      const afterRival = plan(rivalGone, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(stillThere.changes.map((c) => [c.action, c.status, c.enabled])).toEqual([
        ['create', 'blocked', false],
        ['create', 'blocked', false],
      ]);
      expect(stillThere.changes[0]?.reason).toContain('overlaps 172.16.0.0/12 of vpc-other in ccn-1');
      expect(afterRival.changes.map((c) => [c.action, c.status, c.enabled])).toEqual([
        ['update', 'planned', true],
        ['update', 'planned', true],
      ]);
    });

    it('enables the registration the cloud made for the cluster VPC (TKE registers container CIDRs disabled), without a ledger row', () => {
      // Prepare: TKE registered both CIDRs for vpc-tke and left them disabled; podreach has no ledger row yet
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
      const registration = (cidr: string): Held => ({ provider: 'tencent', region: 'ap-guangzhou', kind: 'cloud-connect-route', target: 'ccn-1', cidr, nextHop: 'vpc-tke', enabled: false });

      // Act
      const result = plan({ held: [registration('172.16.0.0/16'), registration('172.20.0.0/16')], ledger: [] }, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.action, c.status, c.cidr, c.enabled])).toEqual([
        ['update', 'planned', '172.16.0.0/16', true],
        ['update', 'planned', '172.20.0.0/16', true],
      ]);
    });

    it('leaves an enabled route enabled when a rival registers after it, with a warning', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
      const registered = applyPlan(empty(), plan(empty(), tkeFacts(), profile, 'cloud-connect'));
      const world: World = { ...registered, held: [...registered.held, rival] };

      // Act
      const result = plan(world, tkeFacts(), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => c.status)).toEqual(['unchanged', 'unchanged']);
      expect(result.warnings).toHaveLength(2);
    });

    it('deletes only its own registrations when the cluster is deleted, never the rival', () => {
      // Prepare
      const profile = spec({ cloudConnect: [{ id: 'ccn-1' }] });
      const registered = applyPlan({ held: [rival], ledger: [] }, plan({ held: [rival], ledger: [] }, tkeFacts(), profile, 'cloud-connect'));

      // Act
      const result = plan(registered, tkeFacts({ deleted: true }), profile, 'cloud-connect');

      // Assess
      expect(result.changes.map((c) => [c.action, c.status, c.cidr, c.nextHop])).toEqual([
        ['delete', 'planned', '172.16.0.0/16', 'vpc-tke'],
        ['delete', 'planned', '172.20.0.0/16', 'vpc-tke'],
      ]);
    });
  });
});
