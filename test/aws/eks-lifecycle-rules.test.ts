// EKS's lifecycle events through the synthesized rules on the emulator (moto has no working TestEventPattern, so
// the rules are put on a bus with an SQS target each, as in eventbridge-synthesized-rules.test.ts, input
// transformers included), then: the transformed DeleteCluster must be a valid podreach event as it stands; the
// events of the forwarding rule go through the eks-lifecycle use case reading the cluster from moto's EKS and EC2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateNodegroupCommand, EKSClient, UpdateClusterConfigCommand } from '@aws-sdk/client-eks';
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AwsEksClusterReader } from '../../functions/adapters/aws/eks-cluster-reader.js';
import { synthesizeStatelessTemplate } from '../../functions/adapters/flow-runner/synthesize-stateless-template.js';
import { forwardEksEvent } from '../../functions/application/forward-eks-event.js';
import { parseClusterEvent } from '../../events/parse.js';
import type { ClusterEvent } from '../../events/schemas.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { drainQueue, ruleToQueue } from '../support/event-queue.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
interface SynthesizedRule {
  id: string;
  pattern: Record<string, unknown>;
  inputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
}

const SAMPLES = join(process.cwd(), 'events', 'cloud', 'eks');
const sample = (name: string) => JSON.parse(readFileSync(join(SAMPLES, `${name}.json`), 'utf8')) as { source: string; 'detail-type': string; time: string; detail: Record<string, unknown> };

async function eksRules(): Promise<SynthesizedRule[]> {
  const template = (await synthesizeStatelessTemplate()) as { Resources: Resources };
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && (resource.Properties?.['EventPattern'] as { source?: string[] } | undefined)?.source?.includes('aws.eks'))
    .map(([id, resource]) => {
      const target = (resource.Properties?.['Targets'] as Array<{ InputTransformer?: SynthesizedRule['inputTransformer'] }>)[0];
      return { id, pattern: resource.Properties?.['EventPattern'] as Record<string, unknown>, ...(target?.InputTransformer ? { inputTransformer: target.InputTransformer } : {}) };
    });
}

const drain = (sqs: SQSClient, queueUrl: string) => drainQueue(sqs, queueUrl);

describeIfAws('EKS lifecycle rules and the eks-lifecycle forwarder', () => {
  let aws: AwsEndpoint;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let eks: EKSClient;
  let ec2: EC2Client;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    const config = awsClientConfig(aws.endpoint, aws.region);
    eventBridge = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    eks = new EKSClient(config);
    ec2 = new EC2Client(config);
  });

  afterAll(async () => {
    for (const client of [eventBridge, sqs, eks, ec2]) client?.destroy();
    await aws?.stop();
  });

  it('routes each sample to its rule and turns every one into a valid podreach event', async () => {
    // Prepare: the synthesized EKS rules on a bus of the emulator, an SQS queue standing in for each target
    const rules = await eksRules();
    expect(rules).toHaveLength(2);
    const busName = `podreach-eks-${process.pid}`;
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    const queues: Record<'transformed' | 'forwarded', string> = { transformed: '', forwarded: '' };
    for (const [index, rule] of rules.entries()) {
      const queueUrl = await ruleToQueue(eventBridge, sqs, { bus: busName, rule: `${busName}-${index}`, pattern: rule.pattern, ...(rule.inputTransformer ? { inputTransformer: rule.inputTransformer } : {}) });
      queues[rule.inputTransformer ? 'transformed' : 'forwarded'] = queueUrl;
    }
    // the account as it is when CreateCluster is recorded: a VPC, the cluster's subnets
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc?.VpcId ?? '';
    const subnet = async (cidr: string) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet?.SubnetId ?? '';
    const [subnetA, subnetB, subnetC] = [await subnet('10.0.1.0/24'), await subnet('10.0.2.0/24'), await subnet('10.0.3.0/24')];
    await eks.send(
      new CreateClusterCommand({
        name: 'eks-demo',
        roleArn: 'arn:aws:iam::123456789012:role/eks-cluster',
        resourcesVpcConfig: { subnetIds: [subnetA, subnetB] },
        kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16' },
      }),
    );
    const put = async (name: string) => {
      const event = sample(name);
      const result = await eventBridge.send(
        new PutEventsCommand({ Entries: [{ EventBusName: busName, Source: event.source, DetailType: event['detail-type'], Detail: JSON.stringify(event.detail), Time: new Date(event.time) }] }),
      );
      expect([name, result.FailedEntryCount]).toEqual([name, 0]);
    };
    const reader = new AwsEksClusterReader({ eks, ec2 });
    const published: ClusterEvent[] = [];
    const forwardAll = async () => {
      for (const raw of await drain(sqs, queues.forwarded)) await forwardEksEvent(raw, { reader, publish: async (event) => published.push(event) });
    };

    // Act: each API call happens, then its CloudTrail event arrives
    await put('create-cluster-denied');
    await put('create-cluster');
    await forwardAll();
    await eks.send(new CreateNodegroupCommand({ clusterName: 'eks-demo', nodegroupName: 'ng-b', subnets: [subnetC], nodeRole: 'arn:aws:iam::123456789012:role/eks-node' }));
    await put('create-nodegroup');
    await forwardAll();
    // DeleteNodegroup is recorded while the node group still exists: the forwarder leaves it out by name
    await put('delete-nodegroup');
    await forwardAll();
    await eks.send(new UpdateClusterConfigCommand({ name: 'eks-demo', remoteNetworkConfig: { remoteNodeNetworks: [{ cidrs: ['10.80.0.0/16'] }], remotePodNetworks: [{ cidrs: ['10.85.0.0/16'] }] } }));
    await put('update-cluster-config');
    await forwardAll();
    await put('delete-cluster');
    const transformed = await drain(sqs, queues.transformed);

    // Assess
    const summary = (event: ClusterEvent) => [event.detailType, event.detail];
    expect(published.map(summary)).toEqual([
      [
        'Cluster Created',
        {
          clusterId: 'eks-demo',
          provider: 'aws',
          region: 'us-east-1',
          vpcId,
          networkModel: 'eni',
          podCidrs: ['10.0.1.0/24', '10.0.2.0/24'],
          serviceCidr: '10.100.0.0/16',
          nodeSubnets: [
            { subnetId: subnetA, cidr: '10.0.1.0/24' },
            { subnetId: subnetB, cidr: '10.0.2.0/24' },
          ].sort((a, b) => a.subnetId.localeCompare(b.subnetId)),
          occurredAt: '2026-11-20T08:00:00.000Z',
        },
      ],
      ['Cluster CIDR Changed', { clusterId: 'eks-demo', podCidrs: ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'], occurredAt: '2026-11-20T09:00:00.000Z' }],
      ['Cluster CIDR Changed', { clusterId: 'eks-demo', podCidrs: ['10.0.1.0/24', '10.0.2.0/24'], occurredAt: '2026-11-20T10:00:00.000Z' }],
      ['Cluster CIDR Changed', { clusterId: 'eks-demo', podCidrs: ['10.85.0.0/16'], occurredAt: '2026-11-20T11:00:00.000Z' }],
    ]);
    // the transformed DeleteCluster is a podreach event as it stands: ingest-event parses it with events/parse.ts
    expect(transformed).toHaveLength(1);
    expect(summary(parseClusterEvent(transformed[0]))).toEqual(['Cluster Deleted', { clusterId: 'eks-demo', occurredAt: '2026-11-21T08:00:00Z' }]);
  });
});
