// `podreach emit` as a user runs it, against moto (or LocalStack): an invalid event exits 2 and puts nothing;
// a valid one lands on the bus and reaches the SQS target of a rule matching podreach's source.
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_SOURCE } from '../../events/schemas.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { ruleToQueue } from '../support/event-queue.js';
import { runCli } from '../support/cli.js';

describeIfAws('CLI: podreach emit', () => {
  let aws: AwsEndpoint;
  let sqs: SQSClient;
  let queueUrl: string;
  const busName = `podreach-cli-${process.pid}`;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    const config = awsClientConfig(aws.endpoint, aws.region);
    const eventBridge = new EventBridgeClient(config);
    sqs = new SQSClient(config);
    await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
    queueUrl = await ruleToQueue(eventBridge, sqs, { bus: busName, rule: `${busName}-all`, queue: busName, pattern: { source: [EVENT_SOURCE] } });
    eventBridge.destroy();
    env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: aws.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  });
  afterAll(async () => {
    sqs?.destroy();
    await aws?.stop();
  });

  const received = async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? [];

  it('refuses an invalid event with exit 2 and puts nothing', async () => {
    const result = await runCli(['emit', 'events/samples/invalid/bad-cidr.json', '--bus', busName], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('detail.podCidrs[0]');
    expect(await received()).toHaveLength(0);
  });

  it('puts a valid event on the bus', async () => {
    const result = await runCli(['emit', 'events/samples/node-added.json', '--bus', busName], env);
    expect(result.code).toBe(0);
    const messages = await received();
    expect(messages).toHaveLength(1);
    const event = JSON.parse(messages[0]?.Body ?? '{}') as { 'detail-type': string; detail: { clusterId: string; node: { name: string } } };
    expect(event['detail-type']).toBe('Node Added');
    expect(event.detail.node.name).toBe('node-1');
  });

  it('reports a missing bus as a failure, not success', async () => {
    const result = await runCli(['emit', 'events/samples/node-added.json', '--bus', `${busName}-missing`], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${busName}-missing`);
  });
});
