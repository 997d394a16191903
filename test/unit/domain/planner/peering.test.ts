import { plan, summary, type World } from './fixtures.js';
import { cceFacts, cceSpec, PEERING } from './cce.js';

const empty = (): World => ({ held: [], ledger: [] });

describe('Class: PeeringDesigner (through planFlow)', () => {
  describe('Method: planFlow — by network model', () => {
    it('vpc-router: routes the VPC CIDR and the container CIDR in the peer route table (guide: cross-VPC access)', () => {
      // Prepare
      const facts = cceFacts({ podCidrs: ['10.0.0.0/16'] });

      // Act
      const result = plan(empty(), facts, cceSpec({ peering: [PEERING] }), 'peering');

      // Assess
      expect(summary(result)).toEqual([
        'create planned huawei/cn-north-4 route rtb-demo2 10.0.0.0/16 -> peering-demo',
        'create planned huawei/cn-north-4 route rtb-demo2 192.168.0.0/16 -> peering-demo',
      ]);
      expect(result.changes.every((c) => c.nextHopType === 'peering')).toBe(true);
      expect(result.conflicts).toEqual([]);
    });

    it('overlay: only the VPC CIDR, which holds the node subnets the pods leave from', () => {
      // Act
      const result = plan(empty(), cceFacts({ networkModel: 'overlay', podCidrs: ['10.0.0.0/16'] }), cceSpec({ peering: [PEERING] }), 'peering');

      // Assess
      expect(result.changes.map((c) => c.cidr)).toEqual(['192.168.0.0/16']);
    });

    it('overlay: also a node subnet outside the VPC CIDR (a secondary CIDR)', () => {
      // Prepare
      const facts = cceFacts({ networkModel: 'overlay', nodeSubnets: [{ subnetId: 'subnet-node', cidr: '192.168.10.0/24' }, { subnetId: 'subnet-2', cidr: '100.64.1.0/24' }] });
      const profile = cceSpec({ peering: [PEERING], vpc: { id: 'vpc-demo', cidr: '192.168.0.0/16', secondaryCidrs: ['100.64.0.0/16'] } });

      // Act
      const result = plan(empty(), facts, profile, 'peering');

      // Assess
      expect(result.changes.map((c) => c.cidr)).toEqual(['100.64.1.0/24', '192.168.0.0/16']);
    });

    it('eni: the VPC CIDR covers the container subnets', () => {
      // Act
      const result = plan(empty(), cceFacts({ networkModel: 'eni', podCidrs: ['192.168.20.0/24'] }), cceSpec({ peering: [PEERING] }), 'peering');

      // Assess
      expect(result.changes.map((c) => c.cidr)).toEqual(['192.168.0.0/16']);
    });
  });

  describe('Method: planFlow — conflicts', () => {
    it('blocks the route of a container CIDR overlapping the peer VPC, naming both sides, and routes the rest', () => {
      // Prepare
      const facts = cceFacts({ podCidrs: ['10.0.0.0/16', '10.1.128.0/17'] });

      // Act
      const result = plan(empty(), facts, cceSpec({ peering: [PEERING] }), 'peering');

      // Assess
      expect(result.changes.map((c) => [c.cidr, c.status])).toEqual([
        ['10.0.0.0/16', 'planned'],
        ['10.1.128.0/17', 'blocked'],
        ['192.168.0.0/16', 'planned'],
      ]);
      expect(result.changes[1]?.reason).toBe("10.1.128.0/17 overlaps peer VPC vpc-demo2 10.1.0.0/16: the peer VPC's own route for it wins");
      expect(result.conflicts).toEqual([{ cidr: '10.1.128.0/17', with: 'peer VPC vpc-demo2', withCidr: '10.1.0.0/16', severity: 'block' }]);
    });

    it("blocks a container CIDR inside the peer's docker0 bridge (172.17.0.0/16 by default)", () => {
      // Act
      const result = plan(empty(), cceFacts({ podCidrs: ['172.17.0.0/24'] }), cceSpec({ peering: [PEERING] }), 'peering');

      // Assess
      expect(result.changes.find((c) => c.cidr === '172.17.0.0/24')?.status).toBe('blocked');
      expect(result.conflicts).toEqual([{ cidr: '172.17.0.0/24', with: 'the container bridge of peer VPC vpc-demo2', withCidr: '172.17.0.0/16', severity: 'block' }]);
    });

    it("uses the peering's own bridgeCidr, and only warns when the container CIDR merely overlaps it", () => {
      // Act
      const result = plan(empty(), cceFacts({ podCidrs: ['172.16.0.0/12'] }), cceSpec({ peering: [{ ...PEERING, bridgeCidr: '172.18.0.0/16' }] }), 'peering');

      // Assess
      expect(result.changes.find((c) => c.cidr === '172.16.0.0/12')?.status).toBe('planned');
      expect(result.conflicts).toEqual([{ cidr: '172.16.0.0/12', with: 'the container bridge of peer VPC vpc-demo2', withCidr: '172.18.0.0/16', severity: 'warn' }]);
    });
  });
});
