import { applyPlan, plan, type Held, type World } from './fixtures.js';
import { cceFacts, cceSpec, SG_ECS } from './cce.js';

const empty = (): World => ({ held: [], ledger: [] });
const node = (name: string, ip: string) => ({ name, ip, labels: {} });

describe('Class: SecurityDesigner (through planFlow)', () => {
  describe('Method: planFlow — security groups by network model', () => {
    it('vpc-router: admits the container CIDR on each port (guide: ECS 192.168.10.52 must allow 172.16.0.0/16)', () => {
      // Act
      const result = plan(empty(), cceFacts(), cceSpec({ securityGroups: [SG_ECS] }), 'security');

      // Assess
      expect(result.changes.map((c) => [c.kind, c.target, c.cidr, c.port, c.status])).toEqual([
        ['sg-rule', 'sg-ecs', '172.16.0.0/16', 'icmp', 'planned'],
        ['sg-rule', 'sg-ecs', '172.16.0.0/16', 'tcp:22', 'planned'],
      ]);
    });

    it('overlay: admits the node subnet, and a /32 for a node outside it; a removed node loses only its /32', () => {
      // Prepare
      const facts = cceFacts({ networkModel: 'overlay', nodes: { 'node-1': node('node-1', '192.168.10.8'), 'node-2': node('node-2', '192.168.30.7') } });
      const profile = cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:22'] }] });
      const applied = applyPlan(empty(), plan(empty(), facts, profile, 'security'));
      const removed = cceFacts({ networkModel: 'overlay', nodes: { 'node-1': node('node-1', '192.168.10.8') } });

      // Act
      const first = plan(empty(), facts, profile, 'security');
      const afterRemoval = plan(applied, removed, profile, 'security');

      // Assess
      expect(first.changes.map((c) => c.cidr)).toEqual(['192.168.10.0/24', '192.168.30.7/32']);
      expect(afterRemoval.changes.map((c) => [c.action, c.status, c.cidr])).toEqual([
        ['create', 'unchanged', '192.168.10.0/24'],
        ['delete', 'planned', '192.168.30.7/32'],
      ]);
    });

    it('eni: admits the container subnets only, not the node subnet', () => {
      // Act
      const result = plan(empty(), cceFacts({ networkModel: 'eni', podCidrs: ['192.168.20.0/24'] }), cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:6379'] }] }), 'security');

      // Assess (the node subnet 192.168.10.0/24 is not a source pods use in this model)
      expect(result.changes.map((c) => c.cidr)).toEqual(['192.168.20.0/24']);
    });

    it('never admits 0.0.0.0/0, and says so', () => {
      // Act
      const result = plan(empty(), cceFacts({ podCidrs: ['0.0.0.0/0'] }), cceSpec({ securityGroups: [{ id: 'sg-ecs', ports: ['tcp:22'] }] }), 'security');

      // Assess
      expect(result.changes).toEqual([]);
      expect(result.warnings.some((w) => w.includes('0.0.0.0/0'))).toBe(true);
    });
  });

  describe('Method: planFlow — whitelists', () => {
    it('adds the container and node CIDRs to a Redis whitelist, and keeps every entry already there', () => {
      // Prepare
      const existing: Held = { provider: 'huawei', region: 'cn-north-4', kind: 'whitelist-entry', target: 'redis:dcs-1', cidr: '192.168.50.0/24' };
      const profile = cceSpec({ whitelists: [{ service: 'redis', instanceId: 'dcs-1' }] });

      // Act
      const result = plan({ held: [existing], ledger: [] }, cceFacts(), profile, 'security');

      // Assess
      expect(result.changes.map((c) => [c.action, c.status, c.target, c.cidr])).toEqual([
        ['create', 'planned', 'redis:dcs-1', '172.16.0.0/16'],
        ['create', 'planned', 'redis:dcs-1', '192.168.10.0/24'],
      ]);
    });
  });

  describe('Method: planFlow — bridge conflicts', () => {
    it("blocks the rule for a container CIDR inside the group's bridge, naming both sides", () => {
      // Act
      const result = plan(empty(), cceFacts({ podCidrs: ['172.30.0.0/16'] }), cceSpec({ securityGroups: [{ ...SG_ECS, bridgeCidr: '172.16.0.0/12' }] }), 'security');

      // Assess
      expect(result.changes.map((c) => c.status)).toEqual(['blocked', 'blocked']);
      expect(result.changes[0]?.reason).toBe("172.30.0.0/16 overlaps the container bridge behind sg-ecs 172.16.0.0/12: the peer's replies to those pods go to its docker0 bridge");
      expect(result.conflicts).toEqual([{ cidr: '172.30.0.0/16', with: 'the container bridge behind sg-ecs', withCidr: '172.16.0.0/12', severity: 'block' }]);
    });
  });
});
