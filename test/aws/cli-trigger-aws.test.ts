// `podreach trigger FLOW --cluster ID --aws` against moto's Step Functions: finds the deployed state machine by
// its name (podreach-<flow>), starts it, follows it to its end and prints the summary; a double start is one
// execution. moto runs Pass states only, so the machine's Notify is a Pass state producing a summary.
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { parseJson, runCli } from '../support/cli.js';

const REGION = 'ca-central-1';

const definition = {
  StartAt: 'Plan',
  States: {
    Plan: { Type: 'Pass', Next: 'Notify' },
    Notify: {
      Type: 'Pass',
      Parameters: {
        'clusterId.$': '$.clusterId',
        'flow.$': '$.flow',
        'executionId.$': '$.executionId',
        outcome: 'succeeded',
        changes: [
          { id: 'chg-1', clusterId: 'cls-demo', flow: 'vpn', action: 'create', provider: 'aws', region: REGION, status: 'unchanged', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vgw-1' },
        ],
        counts: { applied: 0, unchanged: 1, blocked: 0, failed: 0 },
        artifacts: [],
        warnings: [],
      },
      End: true,
    },
  },
};

describeIfAws('CLI: podreach trigger --aws', () => {
  let aws: AwsEndpoint;
  let sfn: SFNClient;
  let stateMachineArn: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    if (!process.env.AWS_ENDPOINT_URL) {
      const response = await fetch(`${aws.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
      await response.arrayBuffer();
    }
    sfn = new SFNClient(awsClientConfig(aws.endpoint, REGION));
    const created = await sfn.send(
      new CreateStateMachineCommand({ name: 'podreach-vpn', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/podreach-flow' }),
    );
    stateMachineArn = created.stateMachineArn ?? '';
    env = { AWS_ENDPOINT_URL: aws.endpoint, AWS_REGION: REGION, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
  });
  afterAll(async () => {
    sfn?.destroy();
    await aws?.stop();
  });

  it('starts the deployed flow, follows it to its end and reports its summary; a second start is the same execution', async () => {
    const name = ['--request-id', `test-${process.pid}`];
    const first = await runCli(['trigger', 'vpn', '--cluster', 'cls-demo', '--aws', ...name, '--json'], env);
    expect(first.code).toBe(0);
    const report = parseJson<{ clusterId: string; changes: { status: string; cidr: string }[]; counts: { unchanged: number } }>(first);
    expect(report.clusterId).toBe('cls-demo');
    expect(report.changes.map((c) => `${c.cidr} ${c.status}`)).toEqual(['10.20.0.0/16 unchanged']);

    const second = await runCli(['trigger', 'vpn', '--cluster', 'cls-demo', '--aws', ...name, '--json'], env);
    expect(second.code).toBe(0);
    const executions = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions).toHaveLength(1);
  });

  it('names the missing state machine when the flow is not deployed', async () => {
    const result = await runCli(['trigger', 'security', '--cluster', 'cls-demo', '--aws'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('podreach-security');
  });
});
