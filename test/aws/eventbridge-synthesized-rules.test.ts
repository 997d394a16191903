// The EventBridge rule patterns of the synthesized stateless stack, put on the emulator with an SQS target
// each: every sample event reaches exactly the rules whose pattern names its detail-type.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventEmitter } from '../../functions/adapters/eventbridge/emitter.js';
import { synthesizeStatelessTemplate } from '../../functions/adapters/flow-runner/synthesize-stateless-template.js';
import { parseClusterEventJson } from '../../events/parse.js';
import { EVENT_SOURCE, type ClusterEvent } from '../../events/schemas.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { drainQueue, ruleToQueue } from '../support/event-queue.js';

interface RulePattern {
  source: string[];
  'detail-type': string[];
}

const SAMPLES_DIR = join(process.cwd(), 'events', 'samples');

function samples(): ClusterEvent[] {
  return readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseClusterEventJson(readFileSync(join(SAMPLES_DIR, file), 'utf8'), file));
}

async function eventRulePatterns(): Promise<Array<{ id: string; pattern: RulePattern }>> {
  const template = (await synthesizeStatelessTemplate()) as { Resources?: Record<string, { Type: string; Properties?: { EventPattern?: unknown } }> };
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern !== undefined)
    .map(([id, resource]) => ({ id, pattern: resource.Properties?.EventPattern as RulePattern }))
    // the rules on podreach's own events; the EKS lifecycle rules have their own test (eks-lifecycle-rules.test.ts)
    .filter(({ pattern }) => pattern.source.includes(EVENT_SOURCE));
}

const drain = (sqs: SQSClient, queueUrl: string) => drainQueue<{ 'detail-type': string }>(sqs, queueUrl);

describeIfAws('Synthesized EventBridge rules', () => {
  let aws: AwsEndpoint;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    eventBridge = new EventBridgeClient(awsClientConfig(aws.endpoint, aws.region));
    sqs = new SQSClient(awsClientConfig(aws.endpoint, aws.region));
  });

  afterAll(async () => {
    eventBridge?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  it('routes each sample event to exactly the SQS targets of the rules that match it', async () => {
    // Prepare
    const rules = await eventRulePatterns();
    expect(rules.length).toBeGreaterThan(0);
    const busName = `podreach-synth-${process.pid}`;
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    const queues: Array<{ id: string; pattern: RulePattern; queueUrl: string }> = [];
    for (const [index, rule] of rules.entries()) {
      // What the expectation below reads from a pattern; anything more would need a real matcher here.
      expect(Object.keys(rule.pattern).sort()).toEqual(['detail-type', 'source']);
      const queueUrl = await ruleToQueue(eventBridge, sqs, { bus: busName, rule: `${busName}-${index}`, pattern: rule.pattern });
      queues.push({ ...rule, queueUrl });
    }
    const events = samples();
    const emitter = new EventEmitter({ client: eventBridge });

    // Act
    for (const event of events) await emitter.put(event, busName);

    // Assess
    const covered = new Set<string>();
    for (const { id, pattern, queueUrl } of queues) {
      const expected = events
        .filter((event) => pattern.source.includes(EVENT_SOURCE) && pattern['detail-type'].includes(event.detailType))
        .map((event) => event.detailType)
        .sort();
      const received = (await drain(sqs, queueUrl)).map((event) => event['detail-type']).sort();
      expect({ id, received }).toEqual({ id, received: expected });
      received.forEach((detailType) => covered.add(detailType));
    }
    expect([...covered].sort()).toEqual([...new Set(events.map((event) => event.detailType))].sort());
  });
});
