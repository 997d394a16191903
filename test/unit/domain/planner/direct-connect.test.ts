import { parse } from 'yaml';
import { applyPlan, DX_BGP, DX_STATIC, plan, spec, summary, tkeFacts, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });

describe('Class: DirectConnectDesigner (through planFlow)', () => {
  describe('Method: planFlow — bgp routing', () => {
    it('advertises each container CIDR on the gateway and routes the IDC CIDR to it, with no artifact or warning', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_BGP] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(summary(result)).toEqual([
        'create planned tencent/ap-guangzhou route rtb-main 10.0.0.0/16 -> dcg-1',
        'create planned tencent/ap-guangzhou dx-prefix dcg-1 172.16.0.0/16',
        'create planned tencent/ap-guangzhou dx-prefix dcg-1 172.20.0.0/16',
      ]);
      expect(result.changes[0]?.nextHopType).toBe('dx-gateway');
      expect(result.artifacts).toEqual([]);
      expect(result.warnings).toEqual([]);
    });

    it('reports an advertisement already in place as unchanged', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_BGP] });
      const world: World = { held: [{ provider: 'tencent', region: 'ap-guangzhou', kind: 'dx-prefix', target: 'dcg-1', cidr: '172.16.0.0/16' }], ledger: [] };

      // Act
      const result = plan(world, tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.changes.filter((c) => c.status === 'unchanged').map((c) => c.cidr)).toEqual(['172.16.0.0/16']);
      expect(result.changes.filter((c) => c.status === 'planned')).toHaveLength(2);
    });
  });

  describe('Method: planFlow — static routing', () => {
    it('also emits the data-centre next hops: each container CIDR via the gateway', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_STATIC] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.changes).toHaveLength(3);
      expect(result.artifacts).toHaveLength(1);
      const [artifact] = result.artifacts;
      expect(artifact).toMatchObject({ kind: 'idc-static-routes', flow: 'direct-connect', mediaType: 'application/yaml' });
      expect((parse(artifact!.content) as { routes: unknown[] }).routes).toEqual([
        { destination: '172.16.0.0/16', nextHop: 'dcg-1' },
        { destination: '172.20.0.0/16', nextHop: 'dcg-1' },
      ]);
    });
  });

  describe('Method: planFlow — AWS VGW association', () => {
    it('warns that a container CIDR outside the VPC is not advertised by a virtual private gateway', () => {
      // Prepare
      const profile = spec({ directConnect: [{ ...DX_BGP, association: 'vgw' }], vpc: { id: 'vpc-tke', cidr: '192.168.0.0/16', secondaryCidrs: ['172.16.0.0/16'] } });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toContain('172.20.0.0/16');
    });
  });

  describe('Method: planFlow — CIDR change and deletion', () => {
    it('adds entries for a new container CIDR and deletes only those podreach created for the CIDR that left', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_BGP] });
      const foreign = { provider: 'tencent' as const, region: 'ap-guangzhou', kind: 'dx-prefix' as const, target: 'dcg-1', cidr: '172.30.0.0/16' };
      const before = applyPlan(empty(), plan(empty(), tkeFacts(), profile, 'direct-connect'));
      const world = { ...before, held: [...before.held, foreign] };
      const changed = tkeFacts({ podCidrs: ['172.16.0.0/16', '172.24.0.0/16'] });

      // Act
      const result = plan(world, changed, profile, 'direct-connect');

      // Assess
      expect(summary(result).filter((line) => !line.includes(' unchanged '))).toEqual([
        'delete planned tencent/ap-guangzhou dx-prefix dcg-1 172.20.0.0/16',
        'create planned tencent/ap-guangzhou dx-prefix dcg-1 172.24.0.0/16',
      ]);
      expect(result.changes.some((c) => c.cidr === '172.30.0.0/16')).toBe(false);
    });

    it('deletes every owned entry of a deleted cluster, and plans nothing else', () => {
      // Prepare
      const profile = spec({ directConnect: [DX_STATIC] });
      const world = applyPlan(empty(), plan(empty(), tkeFacts(), profile, 'direct-connect'));

      // Act
      const result = plan(world, tkeFacts({ deleted: true }), profile, 'direct-connect');

      // Assess
      expect(result.changes).toHaveLength(3);
      expect(result.changes.every((c) => c.action === 'delete' && c.status === 'planned')).toBe(true);
      expect(result.artifacts).toEqual([]);
    });
  });
});
