// The clouds' lifecycle notifications mapped to podreach events: the samples under events/cloud/ (shapes as each
// cloud documents them, see events/cloud/README.md) through the pure mapping functions, each result validated by
// events/parse.ts; bad payloads fail naming the field.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseClusterEvent } from '../../events/parse.js';
import type { ClusterEvent } from '../../events/schemas.js';
import {
  ackLifecycleEvent,
  cceLifecycleEvent,
  eksLifecycleEvent,
  parseEksCloudTrailEvent,
  tkeLifecycleEvent,
  type EksClusterFacts,
} from '../../functions/domain/cloud-lifecycle.js';

const sample = (cloud: string, name: string): Record<string, unknown> => JSON.parse(readFileSync(join(process.cwd(), 'events', 'cloud', cloud, `${name}.json`), 'utf8')) as Record<string, unknown>;

/** The event as EventBridge would carry it, read back through the one parser. */
function roundTrip(event: ClusterEvent): ClusterEvent {
  return parseClusterEvent({ source: 'podreach.cluster', 'detail-type': event.detailType, detail: event.detail });
}

const facts: EksClusterFacts = {
  name: 'eks-demo',
  vpcId: 'vpc-0eksdemo',
  serviceCidr: '10.100.0.0/16',
  remotePodCidrs: [],
  podSubnets: [
    { subnetId: 'subnet-0b2eks', cidr: '10.0.2.0/24' },
    { subnetId: 'subnet-0a1eks', cidr: '10.0.1.0/24' },
  ],
};

describe('Function: eksLifecycleEvent', () => {
  it('makes Cluster Created of CreateCluster with the VPC CNI subnets as the pod CIDRs (eni)', () => {
    const event = roundTrip(eksLifecycleEvent(parseEksCloudTrailEvent(sample('eks', 'create-cluster')), facts));
    expect(event).toEqual({
      detailType: 'Cluster Created',
      detail: {
        clusterId: 'eks-demo',
        provider: 'aws',
        region: 'us-east-1',
        vpcId: 'vpc-0eksdemo',
        networkModel: 'eni',
        podCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
        serviceCidr: '10.100.0.0/16',
        nodeSubnets: [
          { subnetId: 'subnet-0a1eks', cidr: '10.0.1.0/24' },
          { subnetId: 'subnet-0b2eks', cidr: '10.0.2.0/24' },
        ],
        occurredAt: '2026-11-20T08:00:00.000Z',
      },
    });
  });

  it('makes Cluster CIDR Changed of node group and config changes; hybrid nodes\' remote pod networks win (vpc-router)', () => {
    for (const name of ['create-nodegroup', 'delete-nodegroup']) {
      expect(roundTrip(eksLifecycleEvent(parseEksCloudTrailEvent(sample('eks', name)), facts))).toMatchObject({ detailType: 'Cluster CIDR Changed', detail: { podCidrs: ['10.0.1.0/24', '10.0.2.0/24'] } });
    }
    const hybrid = { ...facts, remotePodCidrs: ['10.85.0.0/16', '10.85.4.0/24'] };
    expect(roundTrip(eksLifecycleEvent(parseEksCloudTrailEvent(sample('eks', 'update-cluster-config')), hybrid)).detail).toEqual({ clusterId: 'eks-demo', podCidrs: ['10.85.0.0/16'], occurredAt: '2026-11-20T11:00:00.000Z' });
  });

  it('makes Cluster Deleted of DeleteCluster without reading anything', () => {
    expect(roundTrip(eksLifecycleEvent(parseEksCloudTrailEvent(sample('eks', 'delete-cluster')), undefined))).toEqual({ detailType: 'Cluster Deleted', detail: { clusterId: 'eks-demo', occurredAt: '2026-11-21T08:00:00.000Z' } });
  });

  it('refuses a failed call, another service and a missing cluster name, naming the field', () => {
    expect(() => parseEksCloudTrailEvent(sample('eks', 'create-cluster-denied'))).toThrow(/event: detail\.errorCode: a failed API call changes no cluster/);
    expect(() => parseEksCloudTrailEvent({ ...sample('eks', 'create-cluster'), source: 'aws.ec2' })).toThrow(/event: source: /);
    const nameless = sample('eks', 'delete-cluster') as { detail: { requestParameters: Record<string, unknown> } };
    nameless.detail.requestParameters = {};
    expect(() => eksLifecycleEvent(parseEksCloudTrailEvent(nameless), undefined)).toThrow('event: detail.requestParameters.name: required');
  });
});

describe('Function: tkeLifecycleEvent (Tencent EventBridge, CloudAudit)', () => {
  it('maps CreateCluster (GR network: vpc-router, the cluster CIDR) and DeleteCluster', () => {
    expect(roundTrip(tkeLifecycleEvent(sample('tke', 'create-cluster')))).toEqual({
      detailType: 'Cluster Created',
      detail: { clusterId: 'cls-tkedemo', provider: 'tencent', region: 'ap-guangzhou', vpcId: 'vpc-tkedemo', networkModel: 'vpc-router', podCidrs: ['172.16.0.0/16'], serviceCidr: '10.96.0.0/16', occurredAt: '2026-11-20T08:00:00.000Z' },
    });
    expect(roundTrip(tkeLifecycleEvent(sample('tke', 'delete-cluster')))).toEqual({ detailType: 'Cluster Deleted', detail: { clusterId: 'cls-tkedemo', occurredAt: '2026-11-21T08:00:00.000Z' } });
  });

  it('names the field of a bad payload', () => {
    const bad = sample('tke', 'create-cluster') as { data: Record<string, unknown> };
    bad.data['requestParameters'] = '{"ClusterBasicSettings":{}}';
    expect(() => tkeLifecycleEvent(bad)).toThrow(/tke event: data\.requestParameters/);
  });
});

describe('Function: ackLifecycleEvent (Alibaba EventBridge, ActionTrail)', () => {
  it('maps CreateCluster (Flannel: vpc-router, container_cidr) and DeleteCluster', () => {
    expect(roundTrip(ackLifecycleEvent(sample('ack', 'create-cluster')))).toEqual({
      detailType: 'Cluster Created',
      detail: { clusterId: 'c82e6987e2961451182edacd74faf0a1', provider: 'alibaba', region: 'cn-hangzhou', vpcId: 'vpc-ackdemo', networkModel: 'vpc-router', podCidrs: ['172.20.0.0/16'], serviceCidr: '172.21.0.0/20', occurredAt: '2026-11-20T08:00:00.000Z' },
    });
    expect(roundTrip(ackLifecycleEvent(sample('ack', 'delete-cluster'))).detailType).toBe('Cluster Deleted');
  });

  it('says why a Terway cluster cannot be created from the event alone', () => {
    const terway = sample('ack', 'create-cluster') as { data: { requestParameters: Record<string, unknown> } };
    terway.data.requestParameters['addons'] = [{ name: 'terway-eniip' }];
    expect(() => ackLifecycleEvent(terway)).toThrow(/ack event: data\.requestParameters\.addons: a Terway cluster/);
  });
});

describe('Function: cceLifecycleEvent (Huawei EventGrid, CTS)', () => {
  it('maps createCluster (vpc-router, the container CIDRs) and deleteCluster', () => {
    expect(roundTrip(cceLifecycleEvent(sample('cce', 'create-cluster')))).toEqual({
      detailType: 'Cluster Created',
      detail: {
        clusterId: '6d2c8e3a-0000-4000-8000-0000000cce00',
        provider: 'huawei',
        region: 'ap-southeast-1',
        vpcId: '0a1b2c3d-0000-4000-8000-00000000cce1',
        networkModel: 'vpc-router',
        podCidrs: ['172.16.0.0/16'],
        serviceCidr: '10.247.0.0/16',
        occurredAt: '2026-11-20T08:00:00.000Z',
      },
    });
    expect(roundTrip(cceLifecycleEvent(sample('cce', 'delete-cluster'))).detailType).toBe('Cluster Deleted');
  });

  it('names the field of an unknown container network mode', () => {
    const bad = sample('cce', 'create-cluster') as { data: { request: string } };
    bad.data.request = bad.data.request.replace('"vpc-router"', '"flat"');
    expect(() => cceLifecycleEvent(bad)).toThrow('cce event: data.request.spec.containerNetwork.mode: unknown mode flat');
  });
});
