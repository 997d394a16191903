// EventEmitter against moto (or LocalStack): a bus, one rule per detail-type (source + detail-type pattern)
// with an SQS target each; every sample event must reach exactly the queue of its own detail-type.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EmitError, EventEmitter } from '../../functions/adapters/eventbridge/emitter.js';
import { InvalidInputError } from '../../functions/domain/errors.js';
import { parseClusterEventJson } from '../../events/parse.js';
import { DETAIL_TYPES, EVENT_SOURCE, type ClusterEvent, type DetailType } from '../../events/schemas.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { drainQueue, ruleToQueue } from '../support/event-queue.js';

const SAMPLES_DIR = join(process.cwd(), 'events', 'samples');

function samples(): ClusterEvent[] {
  return readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => parseClusterEventJson(readFileSync(join(SAMPLES_DIR, file), 'utf8'), file));
}

interface ReceivedEvent {
  source: string;
  'detail-type': string;
  detail: { clusterId: string; occurredAt: string };
}

const drain = (sqs: SQSClient, queueUrl: string) => drainQueue<ReceivedEvent>(sqs, queueUrl);

/** Counts the requests a client sends (to prove that an invalid event makes none). */
function countRequests(client: EventBridgeClient): { count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.count += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  return counter;
}

describeIfAws('Class: EventEmitter', () => {
  let aws: AwsEndpoint;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  const busName = `podreach-emit-${process.pid}`;
  const queueUrls = new Map<DetailType, string>();

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    eventBridge = new EventBridgeClient(awsClientConfig(aws.endpoint, aws.region));
    sqs = new SQSClient(awsClientConfig(aws.endpoint, aws.region));
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    for (const [index, detailType] of DETAIL_TYPES.entries()) {
      const pattern = { source: [EVENT_SOURCE], 'detail-type': [detailType] };
      queueUrls.set(detailType, await ruleToQueue(eventBridge, sqs, { bus: busName, rule: `${busName}-rule-${index}`, queue: `${busName}-${index}`, pattern }));
    }
  });

  afterAll(async () => {
    eventBridge?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  describe('Method: put', () => {
    it('puts every sample event, and the SQS target of each detail-type rule receives exactly the matching ones', async () => {
      // Prepare
      const events = samples();
      const emitter = new EventEmitter({ client: eventBridge });

      // Act
      const results = [];
      for (const event of events) results.push(await emitter.put(event, busName));

      // Assess
      expect(new Set(results.map((result) => result.eventId)).size).toBe(events.length);
      for (const detailType of DETAIL_TYPES) {
        const expected = events.filter((event) => event.detailType === detailType);
        const received = await drain(sqs, queueUrls.get(detailType) ?? '');
        expect(received.map((event) => event['detail-type'])).toEqual(expected.map(() => detailType));
        expect(received.map((event) => event.source)).toEqual(expected.map(() => EVENT_SOURCE));
        expect(received.map((event) => event.detail).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt))).toEqual(
          expected.map((event) => event.detail).sort((a, b) => a.occurredAt.localeCompare(b.occurredAt)),
        );
      }
    });

    it('refuses an invalid event before any call', async () => {
      // Prepare
      const client = new EventBridgeClient(awsClientConfig(aws.endpoint, aws.region));
      const requests = countRequests(client);
      const emitter = new EventEmitter({ client });
      const [valid] = samples().filter((event) => event.detailType === 'Cluster CIDR Changed');
      if (!valid) throw new Error('no Cluster CIDR Changed sample');
      const invalid = { ...valid, detail: { ...valid.detail, podCidrs: ['172.16.0.0/33'] } } as ClusterEvent;

      // Act
      const result = emitter.put(invalid, busName);

      // Assess
      await expect(result).rejects.toBeInstanceOf(InvalidInputError);
      await expect(result).rejects.toThrow(/^detail\.podCidrs\[0\]/);
      expect(requests.count).toBe(0);
      client.destroy();
    });

    it('throws an EmitError naming the ErrorCode when EventBridge reports a failed entry', async () => {
      // Prepare: the entry is spoiled on its way out, so that the emulator answers FailedEntryCount 1
      const client = new EventBridgeClient(awsClientConfig(aws.endpoint, aws.region));
      client.middlewareStack.add(
        (next) => async (args) => {
          const input = args.input as { Entries?: Array<{ Detail?: string }> };
          for (const entry of input.Entries ?? []) entry.Detail = 'not json';
          return next(args);
        },
        { step: 'initialize', name: 'spoilDetail' },
      );
      const [event] = samples();
      if (!event) throw new Error('no sample');

      // Act
      const result = new EventEmitter({ client }).put(event, busName);

      // Assess
      await expect(result).rejects.toBeInstanceOf(EmitError);
      await expect(result).rejects.toMatchObject({ name: 'EmitError', code: 'MalformedDetail' });
      client.destroy();
    });

    it('throws an EmitError when the bus does not exist', async () => {
      // Prepare
      const [event] = samples();
      if (!event) throw new Error('no sample');

      // Act
      const result = new EventEmitter({ client: eventBridge }).put(event, `${busName}-missing`);

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'EmitError', code: 'ResourceNotFoundException' });
    });
  });
});
