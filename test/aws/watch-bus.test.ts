// `podreach watch --bus`: what the watcher sees reaches the EventBridge bus (the emulator), through a rule like the
// stack's, as valid podreach events; a bus that does not exist is retried, not dropped.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseClusterEvent } from '../../events/parse.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { drainQueue, ruleToQueue } from '../support/event-queue.js';
import { KubeApiServer } from '../support/kube-api-server.js';
import { startWatch } from '../support/watch-process.js';

describeIfAws('Command: podreach watch --bus', () => {
  let aws: AwsEndpoint;
  let eventBridge: EventBridgeClient;
  let sqs: SQSClient;
  let dir: string;
  let server: KubeApiServer;

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

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-watch-bus-'));
    server = await new KubeApiServer().start([
      { name: 'node-a', ip: '10.0.1.10', podCidrs: ['172.16.0.0/24'] },
      { name: 'node-b', ip: '10.0.1.11', podCidrs: ['172.16.1.0/24'] },
    ]);
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
  });

  afterEach(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('puts the events on the bus, retrying while the bus does not exist yet', async () => {
    // Prepare: the watcher starts before its bus exists
    const busName = `podreach-watch-${process.pid}`;
    const env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: aws.region, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
    const args = ['--kubeconfig', join(dir, 'kubeconfig'), '--cluster-id', 'cls-bus', '--provider', 'aws', '--region', aws.region, '--vpc-id', 'vpc-bus', '--network-model', 'overlay'];
    const watcher = startWatch([...args, '--bus', busName, '--watch-state', join(dir, 'state.json'), '--batch-quiet', '200', '--health-port', '0'], env);

    try {
      // Act
      await watcher.waitForLog(/sending 3 event\(s\) failed: EmitError: event bus .* does not exist/);
      // The retry's delay is jittered down to 0: hold the watcher while the bus, its rule and its target are made, or
      // a retry between CreateEventBus and PutTargets puts an event on a bus with no rule yet (seen in CI: it is lost).
      watcher.child.kill('SIGSTOP');
      await new Promise((resolve) => setTimeout(resolve, 300));
      await eventBridge.send(new CreateEventBusCommand({ Name: busName }));
      const queueUrl = await ruleToQueue(eventBridge, sqs, { bus: busName, rule: busName, pattern: { source: ['podreach.cluster'] } });
      watcher.child.kill('SIGCONT');
      await watcher.waitForLog(/sent 3 event\(s\)/, 90_000);
      const received = await drainQueue(sqs, queueUrl);

      // Assess
      const events = received.map((body) => parseClusterEvent(body));
      expect(events.map((event) => event.detailType).sort()).toEqual(['Cluster Created', 'Node Added', 'Node Added']);
      expect(events.find((event) => event.detailType === 'Cluster Created')?.detail).toMatchObject({ clusterId: 'cls-bus', podCidrs: ['172.16.0.0/24', '172.16.1.0/24'] });
    } finally {
      watcher.child.kill('SIGCONT');
      expect(await watcher.stop('SIGTERM')).toBe(0);
    }
  }, 180_000);
});
