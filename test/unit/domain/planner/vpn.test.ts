import { parse } from 'yaml';
import { applyPlan, plan, spec, summary, tkeFacts, VPN_MANAGED, VPN_UNMANAGED, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });

describe('Class: VpnDesigner (through planFlow)', () => {
  describe('Method: planFlow — opposite side managed', () => {
    it('plans both tunnels\' selectors, routes on both sides and the subnet binding, from an empty account', () => {
      // Prepare
      const profile = spec({ vpn: [VPN_MANAGED] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'vpn');

      // Assess
      expect(summary(result)).toEqual([
        'create planned tencent/ap-shanghai route rtb-far 172.16.0.0/16 -> vpngw-2',
        'create planned tencent/ap-shanghai route rtb-far 172.20.0.0/16 -> vpngw-2',
        'create planned tencent/ap-guangzhou route rtb-main 10.20.0.0/16 -> vpngw-1',
        'create planned tencent/ap-guangzhou vpn-selector vpnx-1 172.16.0.0/16 <-> 10.20.0.0/16',
        'create planned tencent/ap-guangzhou vpn-selector vpnx-1 172.20.0.0/16 <-> 10.20.0.0/16',
        'create planned tencent/ap-shanghai vpn-selector vpnx-2 10.20.0.0/16 <-> 172.16.0.0/16',
        'create planned tencent/ap-shanghai vpn-selector vpnx-2 10.20.0.0/16 <-> 172.20.0.0/16',
        'create planned tencent/ap-guangzhou subnet-association subnet-a - -> rtb-main',
      ]);
      expect(result.changes.find((c) => c.kind === 'route' && c.target === 'rtb-main')?.nextHopType).toBe('vpn-gateway');
      expect(result.changes.find((c) => c.kind === 'subnet-association')?.nextHopType).toBe('route-table');
      expect(result.artifacts).toEqual([]);
      expect(result.warnings).toEqual([]);
    });
  });

  describe('Method: planFlow — opposite side not managed', () => {
    it('emits the exact selectors and routes for the far side as a YAML artifact, and plans only the local side', () => {
      // Prepare
      const profile = spec({ vpn: [VPN_UNMANAGED] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'vpn');

      // Assess
      expect(result.changes.every((c) => c.provider === 'tencent' && c.region === 'ap-guangzhou')).toBe(true);
      expect(result.artifacts).toHaveLength(1);
      const [artifact] = result.artifacts;
      expect(artifact).toMatchObject({ kind: 'vpn-opposite-config', flow: 'vpn', mediaType: 'application/yaml' });
      const content = parse(artifact!.content) as { connectionId: string; selectors: unknown[]; routes: { destination: string }[] };
      expect(content.connectionId).toBe('vpnx-1');
      expect(content.selectors).toEqual([
        { local: '10.20.0.0/16', remote: '172.16.0.0/16' },
        { local: '10.20.0.0/16', remote: '172.20.0.0/16' },
      ]);
      expect(content.routes.map((r) => r.destination)).toEqual(['172.16.0.0/16', '172.20.0.0/16']);
    });
  });

  describe('Method: planFlow — subnet binding', () => {
    it('leaves a subnet bound to any listed route table unchanged', () => {
      // Prepare
      const profile = spec({ vpn: [{ ...VPN_UNMANAGED, routeTableIds: ['rtb-main', 'rtb-second'] }] });
      const world: World = {
        held: [{ provider: 'tencent', region: 'ap-guangzhou', kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-second' }],
        ledger: [],
      };

      // Act
      const result = plan(world, tkeFacts(), profile, 'vpn');

      // Assess
      const binding = result.changes.find((c) => c.kind === 'subnet-association');
      expect(binding).toMatchObject({ status: 'unchanged', nextHop: 'rtb-second' });
    });

    it('blocks a subnet bound to another table, naming both tables, and never re-binds it', () => {
      // Prepare
      const profile = spec({ vpn: [VPN_UNMANAGED] });
      const world: World = {
        held: [{ provider: 'tencent', region: 'ap-guangzhou', kind: 'subnet-association', target: 'subnet-a', nextHop: 'rtb-legacy' }],
        ledger: [],
      };

      // Act
      const result = plan(world, tkeFacts(), profile, 'vpn');

      // Assess
      const binding = result.changes.find((c) => c.kind === 'subnet-association');
      expect(binding?.status).toBe('blocked');
      expect(binding?.reason).toContain('rtb-legacy');
      expect(binding?.reason).toContain('rtb-main');
      expect(result.changes.filter((c) => c.status === 'planned' && c.kind === 'subnet-association')).toEqual([]);
    });

    it('blocks re-binding even when podreach created the old binding', () => {
      // Prepare: podreach bound subnet-a to rtb-main; the profile now lists rtb-new only
      const first = applyPlan(empty(), plan(empty(), tkeFacts(), spec({ vpn: [VPN_UNMANAGED] }), 'vpn'));
      const profile = spec({ vpn: [{ ...VPN_UNMANAGED, routeTableIds: ['rtb-new'] }] });

      // Act
      const result = plan(first, tkeFacts(), profile, 'vpn');

      // Assess
      const binding = result.changes.find((c) => c.kind === 'subnet-association');
      expect(binding).toMatchObject({ status: 'blocked', target: 'subnet-a' });
      expect(binding?.reason).toMatch(/rtb-main.*rtb-new/);
    });

    it('warns when subnets are listed without a route table to bind them to', () => {
      // Prepare
      const profile = spec({ vpn: [{ ...VPN_UNMANAGED, routeTableIds: [] }] });

      // Act
      const result = plan(empty(), tkeFacts(), profile, 'vpn');

      // Assess
      expect(result.changes.some((c) => c.kind === 'subnet-association')).toBe(false);
      expect(result.warnings.join('\n')).toContain('subnet-a');
    });
  });

  describe('Method: planFlow — replay', () => {
    it('plans every entry unchanged once the first plan is applied', () => {
      // Prepare
      const profile = spec({ vpn: [VPN_MANAGED] });
      const applied = applyPlan(empty(), plan(empty(), tkeFacts(), profile, 'vpn'));

      // Act
      const replay = plan(applied, tkeFacts(), profile, 'vpn');

      // Assess
      expect(replay.changes).toHaveLength(8);
      expect(replay.changes.every((c) => c.status === 'unchanged')).toBe(true);
    });
  });
});
