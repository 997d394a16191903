// docs/deploy.md followed on moto, up to a first applied route. The page's `step:` blocks run as written (sh, in
// this order, `npx podreach` run by path). What moto cannot do is done here instead and said so: the bootstrap and
// `cdk deploy` (the stateful template goes to moto's CloudFormation, its secrets are created as the template
// declares them, and the bus routes to a queue where the ingest function would be), and the Lambda runtime (the
// event is handed to the deployed handler modules, wired by lambdaDeps from the environment the stack gives them,
// through the state machine definitions infra/ synthesizes).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { CreateRouteTableCommand, CreateVpcCommand, CreateVpcPeeringConnectionCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { buildPodreachStacks } from '../../infra/podreach-app.js';

const run = promisify(execFile);
const repo = resolve('.');

/** The `step:` blocks of the guide, by name, in page order. */
function guideSteps(): Map<string, string> {
  const text = readFileSync('docs/deploy.md', 'utf8');
  const steps = new Map<string, string>();
  for (const [, name = '', body = ''] of text.matchAll(/<!-- step: ([a-z-]+) -->\n```sh\n([\s\S]*?)```/g)) steps.set(name, body);
  return steps;
}

function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`emulator returned no ${what}`);
  return value;
}

const lambdaContext = (name: string) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `PodreachStateless-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:PodreachStateless-${name}`,
  memoryLimitInMB: '512',
  awsRequestId: `deploy-guide-${name}`,
  logGroupName: `/aws/lambda/PodreachStateless-${name}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

describeIfAws('docs/deploy.md on moto', () => {
  let emulator: AwsEndpoint | undefined;
  let dir: string;
  let config: ReturnType<typeof awsClientConfig>;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    config = awsClientConfig(emulator.endpoint, emulator.region);
    dir = mkdtempSync(join(tmpdir(), 'podreach-deploy-guide-'));
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reaches a first applied route: look, deploy (aside), secrets, profile, first event, the deployed functions apply it', async () => {
    const steps = guideSteps();
    expect([...steps.keys()]).toEqual(['look', 'cloud-credentials', 'profile', 'first-event']);
    const region = emulator?.region ?? 'us-east-1';

    // The account: a cluster VPC peered with another VPC whose route table needs the route back
    const ec2 = new EC2Client(config);
    const clusterVpc = must((await ec2.send(new CreateVpcCommand({ CidrBlock: '192.168.0.0/16' }))).Vpc?.VpcId, 'VPC');
    const peerVpc = must((await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc?.VpcId, 'peer VPC');
    const peerTable = must((await ec2.send(new CreateRouteTableCommand({ VpcId: peerVpc }))).RouteTable?.RouteTableId, 'route table');
    const peering = must((await ec2.send(new CreateVpcPeeringConnectionCommand({ VpcId: clusterVpc, PeerVpcId: peerVpc }))).VpcPeeringConnection?.VpcPeeringConnectionId, 'peering');
    const routesBack = async () =>
      ((await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [peerTable] }))).RouteTables?.[0]?.Routes ?? []).filter((route) => route.DestinationCidrBlock === '192.168.0.0/16');

    // The user's files the guide names
    const profile = {
      apiVersion: 'podreach/v1',
      kind: 'ConnectivityProfile',
      metadata: { name: 'first-profile' },
      spec: { match: { clusterIds: ['cls-first'] }, vpc: { id: clusterVpc, cidr: '192.168.0.0/16' }, peering: [{ connectionId: peering, peerVpc: { id: peerVpc, cidr: '10.1.0.0/16' }, peerRouteTableIds: [peerTable] }] },
    };
    const event = {
      version: '0', id: 'deploy-guide-1', 'detail-type': 'Cluster Created', source: 'podreach.cluster', account: '123456789012', time: '2026-11-20T08:00:00Z', region, resources: [],
      detail: { clusterId: 'cls-first', provider: 'aws', region, vpcId: clusterVpc, networkModel: 'overlay', podCidrs: ['172.16.0.0/16'], occurredAt: '2026-11-20T08:00:00Z' },
    };
    writeFileSync(join(dir, 'my-profile.yaml'), stringify(profile));
    writeFileSync(join(dir, 'my-event.json'), JSON.stringify(event));
    writeFileSync(join(dir, 'podreach-credentials.json'), '{}');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), AWS_ENDPOINT_URL: config.endpoint, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: region, AWS_DEFAULT_REGION: region, SLACK_WEBHOOK_URL: '' };
    const step = async (name: string) => {
      const script = (steps.get(name) ?? '').replaceAll('npx podreach', `node ${join(repo, 'bin', 'podreach.js')}`);
      return run('sh', ['-ec', script], { cwd: dir, env, timeout: 120_000 });
    };

    // 1. Look first: a plan against the account, read-only
    await step('look');
    const plan = JSON.parse(readFileSync(join(dir, 'first-plan.json'), 'utf8')) as { counts: { planned: number; applied: number } };
    expect(plan.counts).toMatchObject({ planned: 1, applied: 0 });
    expect(await routesBack()).toEqual([]);

    // 2-4. Bootstrap and `cdk deploy` (aside): the stateful template on moto's CloudFormation (bootstrapped: the SSM
    // version parameter it checks), its secrets as declared, the bus with a queue where the ingest function would be
    const outdir = join(dir, 'cdk.out');
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
    const stacks = buildPodreachStacks(app, { nag: false });
    const assembly = app.synth();
    const template = assembly.getStackByName(stacks.stateful.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    // (the AWS CLI, as the guide uses it: the repository ships no CloudFormation or SSM SDK client)
    const aws = async (...args: string[]) => (await run('aws', args, { cwd: dir, env })).stdout.trim();
    await aws('ssm', 'put-parameter', '--name', '/cdk-bootstrap/hnb659fds/version', '--value', '28', '--type', 'String');
    writeFileSync(join(dir, 'stateful.template.json'), JSON.stringify(template));
    await aws('cloudformation', 'create-stack', '--stack-name', 'PodreachStateful', '--template-body', 'file://stateful.template.json');
    const TABLE = await aws('cloudformation', 'describe-stacks', '--stack-name', 'PodreachStateful', '--query', "Stacks[0].Outputs[?OutputKey=='TableName'].OutputValue", '--output', 'text');
    expect(TABLE).toMatch(/^PodreachStateful-StateTable/);
    const secrets = new SecretsManagerClient(config);
    const secretArns: Record<string, string> = {};
    for (const [logicalId, resource] of Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::SecretsManager::Secret')) {
      const created = await secrets.send(new CreateSecretCommand({ Name: `PodreachStateful-${logicalId}`, SecretString: String(resource.Properties['SecretString']) }));
      secretArns[logicalId.replace(/[A-F0-9]{8}$/, '')] = must(created.ARN, 'secret ARN');
    }
    const CLOUD_CREDENTIALS_SECRET = must(secretArns['CloudCredentials'], 'cloud credentials secret');
    const SLACK_SECRET = must(secretArns['SlackWebhookUrl'], 'Slack secret');
    const events = new EventBridgeClient(config);
    const sqs = new SQSClient(config);
    await events.send(new CreateEventBusCommand({ Name: 'podreach' }));
    const queueUrl = must((await sqs.send(new CreateQueueCommand({ QueueName: 'podreach-ingest-stand-in' }))).QueueUrl, 'queue');
    const queueArn = must((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.['QueueArn'], 'queue ARN');
    await events.send(new PutRuleCommand({ Name: 'ClusterEvents', EventBusName: 'podreach', EventPattern: JSON.stringify({ source: ['podreach.cluster'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'ClusterEvents', EventBusName: 'podreach', Targets: [{ Id: 'ingest', Arn: queueArn }] }));
    Object.assign(env, { TABLE, CLOUD_CREDENTIALS_SECRET, SLACK_SECRET });

    // 6-7. Secrets, the first profile, the first event: as written
    await step('cloud-credentials');
    await step('profile');
    await step('first-event');
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: CLOUD_CREDENTIALS_SECRET }))).SecretString).toBe('{}');
    const delivered = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }))).Messages ?? [];
    expect(delivered).toHaveLength(1);

    // The deployed functions (aside: the Lambda runtime): the environment the stack gives them, the handler modules
    // Lambda loads, the synthesized state machines
    for (const [key, value] of Object.entries({ ...env, TABLE_NAME: TABLE, CLOUD_CREDENTIALS_SECRET_ARN: CLOUD_CREDENTIALS_SECRET, SLACK_WEBHOOK_SECRET_ARN: SLACK_SECRET, POWERTOOLS_METRICS_DISABLED: 'true' })) {
      if (!(key in saved)) saved[key] = process.env[key];
      process.env[key] = value;
    }
    const { lambdaDeps } = await import('../../functions/handlers/lambda-deps.js');
    const { handler: planFlow } = await import('../../functions/handlers/plan-flow.js');
    const { handler: loadPage } = await import('../../functions/handlers/load-page.js');
    const { handler: approval } = await import('../../functions/handlers/approval.js');
    const { handler: applyChange } = await import('../../functions/handlers/apply-change.js');
    const { handler: recordFailure } = await import('../../functions/handlers/record-failure.js');
    const { handler: notify } = await import('../../functions/handlers/notify.js');
    const { LocalFlowRunner } = await import('../../functions/adapters/flow-runner/local-flow-runner.js');
    const { synthesizeFlowDefinitions } = await import('../../functions/adapters/flow-runner/synthesize-flow-definitions.js');
    const { summarizeExecution } = await import('../../functions/application/summarize.js');
    const { runEvent } = await import('../../functions/application/run-event.js');
    const deps = await lambdaDeps();
    const asLambda = (name: string, handler: (event: never, context: never) => unknown) => async (input: unknown) => handler(input as never, lambdaContext(name) as never);
    const runner = new LocalFlowRunner({
      handlers: { 'plan-flow': asLambda('PlanFlow', planFlow), 'load-page': asLambda('LoadPage', loadPage), approval: asLambda('Approval', approval), 'apply-change': asLambda('ApplyChange', applyChange), 'record-failure': asLambda('RecordFailure', recordFailure), notify: asLambda('Notify', notify) },
      definitions: await synthesizeFlowDefinitions(),
      summarize: (input, error) => summarizeExecution({ ...input, ...(error ? { error } : {}) }, deps),
    });
    const received = parseClusterEventJson(must(delivered[0]?.Body, 'event body'), 'the delivered event');

    // Act: what the ingest function and the peering state machine do with the event EventBridge delivered
    const outcome = await runEvent(received, { ...deps, runner }, 'deploy-guide');

    // Assess: the first route, applied in the account and recorded in the deployed table
    expect(outcome.summaries.map((summary) => [summary.flow, summary.outcome])).toEqual([['peering', 'succeeded']]);
    expect(outcome.summaries[0]?.changes.map((change) => `${change.status} ${change.kind} ${change.target} ${change.cidr ?? ''}`)).toEqual([`applied route ${peerTable} 192.168.0.0/16`]);
    expect((await routesBack()).map((route) => route.VpcPeeringConnectionId)).toEqual([peering]);
    expect((await deps.store.listChanges('cls-first')).map((row) => `${row.status} ${row.target}`)).toEqual([`applied ${peerTable}`]);

    for (const client of [ec2, secrets, events, sqs]) client.destroy();
  }, 240_000);
});
