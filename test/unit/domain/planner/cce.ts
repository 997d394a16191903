// The Huawei CCE guide's networks: nodes in 192.168.10.0/24 of vpc-demo 192.168.0.0/16, container CIDR
// 172.16.0.0/16 (intra-VPC example) or 10.0.0.0/16 (cross-VPC example, peer vpc-demo2 10.1.0.0/16), ECS 192.168.10.52.
import type { ClusterFacts } from '../../../../functions/domain/model.js';
import { profileSpecSchema, type ProfileSpec } from '../../../../functions/domain/profile.js';

export function cceFacts(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    clusterId: 'cls-cce',
    provider: 'huawei',
    region: 'cn-north-4',
    vpcId: 'vpc-demo',
    networkModel: 'vpc-router',
    podCidrs: ['172.16.0.0/16'],
    nodeSubnets: [{ subnetId: 'subnet-node', cidr: '192.168.10.0/24' }],
    nodes: {},
    deleted: false,
    seen: { created: '2026-01-01T00:00:00Z', podCidrs: '2026-01-01T00:00:00Z', nodes: {} },
    ...overrides,
  };
}

export function cceSpec(input: Record<string, unknown>): ProfileSpec {
  return profileSpecSchema.parse({ vpc: { id: 'vpc-demo', cidr: '192.168.0.0/16' }, ...input });
}

export const PEERING = { connectionId: 'peering-demo', peerVpc: { id: 'vpc-demo2', cidr: '10.1.0.0/16' }, peerRouteTableIds: ['rtb-demo2'] };
export const SG_ECS = { id: 'sg-ecs', ports: ['tcp:22', 'icmp'] };
