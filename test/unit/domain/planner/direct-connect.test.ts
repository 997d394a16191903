import { parse } from 'yaml';
import { ZodError } from 'zod';
import { applyPlan, DX_BGP, DX_STATIC, plan, spec, summary, tkeFacts, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });

describe('Class: DirectConnectDesigner (through planFlow)', () => {
  describe('Method: planFlow — bgp routing', () => {
    it('advertises each container CIDR on the gateway and routes the IDC CIDR to it, with the TKE ticket and no warning', () => {
      // Prepare
      const profile = spec({ directConnect: [{ ...DX_BGP, appId: '1250000000' }] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'direct-connect');

      // Assess
      expect(summary(result)).toEqual([
        'create planned tencent/ap-guangzhou route rtb-main 10.0.0.0/16 -> dcg-1',
        'create planned tencent/ap-guangzhou dx-prefix dcg-1 172.16.0.0/16',
        'create planned tencent/ap-guangzhou dx-prefix dcg-1 172.20.0.0/16',
      ]);
      expect(result.changes[0]?.nextHopType).toBe('dx-gateway');
      expect(result.artifacts.map((a) => a.kind)).toEqual(['tke-dx-container-network-ticket']);
      expect(result.warnings).toEqual([]);
    });

    it("renders the TKE ticket's facts (region, appID, cluster, VPC, gateway) for a Tencent cluster, and warns when appId is missing", () => {
      // Prepare
      const withAppId = spec({ directConnect: [{ ...DX_BGP, appId: '1250000000' }] });
      const withoutAppId = spec({ directConnect: [DX_BGP] });

      // Act
      const result = plan(empty(), tkeFacts(), withAppId, 'direct-connect');
      const missing = plan(empty(), tkeFacts(), withoutAppId, 'direct-connect');

      // Assess
      const ticket = result.artifacts.find((a) => a.kind === 'tke-dx-container-network-ticket');
      expect(ticket?.name).toBe('tke-dx-ticket-dcg-1.yaml');
      expect(parse(ticket!.content)).toEqual({
        region: 'ap-guangzhou',
        appId: '1250000000',
        clusterId: 'cls-tke',
        vpcId: tkeFacts().vpcId,
        directConnectGatewayId: 'dcg-1',
        containerCidrs: ['172.16.0.0/16', '172.20.0.0/16'],
      });
      expect(missing.warnings.join(' ')).toMatch(/appId is not set/);
      expect(plan(empty(), tkeFacts({ provider: 'aws' }), withAppId, 'direct-connect').artifacts).toEqual([]);
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
      expect(result.artifacts.map((a) => a.kind)).toEqual(['idc-static-routes', 'tke-dx-container-network-ticket']);
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
      const profile = spec({ directConnect: [{ ...DX_BGP, association: 'vgw', associatedGatewayId: 'vgw-1' }], vpc: { id: 'vpc-tke', cidr: '192.168.0.0/16', secondaryCidrs: ['172.16.0.0/16'] } });

      // Act
      const result = plan(empty(), tkeFacts({ provider: 'aws', region: 'us-east-1' }), profile, 'direct-connect');

      // Assess
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toContain('172.20.0.0/16');
    });

    it('routes the IDC CIDRs to the associated gateway, never to the Direct Connect gateway, and names it on the prefixes', () => {
      // Prepare
      const tgw = spec({ directConnect: [{ ...DX_BGP, gatewayId: 'dxgw-1', association: 'tgw', associatedGatewayId: 'tgw-0a1' }] });
      const vgw = spec({ directConnect: [{ ...DX_BGP, gatewayId: 'dxgw-1', association: 'vgw', associatedGatewayId: 'vgw-0a1' }] });
      const facts = tkeFacts({ provider: 'aws', region: 'us-east-1' });

      // Act
      const viaTgw = plan(empty(), facts, tgw, 'direct-connect').changes;
      const viaVgw = plan(empty(), facts, vgw, 'direct-connect').changes;

      // Assess
      expect(viaTgw.filter((c) => c.kind === 'route').map((c) => [c.target, c.cidr, c.nextHop, c.nextHopType])).toEqual([['rtb-main', '10.0.0.0/16', 'tgw-0a1', 'transit-router']]);
      expect(viaTgw.filter((c) => c.kind === 'dx-prefix').every((c) => c.target === 'dxgw-1' && c.nextHop === 'tgw-0a1')).toBe(true);
      expect(viaVgw.filter((c) => c.kind === 'route').map((c) => [c.nextHop, c.nextHopType])).toEqual([['vgw-0a1', 'vpn-gateway']]);
    });

    it('refuses an association without the associated gateway when routes are asked for, naming the field', () => {
      // Act
      const attempt = () => spec({ directConnect: [{ ...DX_BGP, association: 'tgw' }] });
      const mismatch = () => spec({ directConnect: [{ ...DX_BGP, association: 'tgw', associatedGatewayId: 'vgw-0a1' }] });

      // Assess
      expect(attempt).toThrow(ZodError);
      expect(attempt).toThrow(/associatedGatewayId/);
      expect(mismatch).toThrow(/tgw-/);
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
