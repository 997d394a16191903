// SfnFlowRunner against moto (or LocalStack). moto only runs state machines (Pass, Fail, Choice... not Lambda
// tasks) with its `stepfunctions.execute_state_machine` config on; without it every execution stays RUNNING.
// With it on, moto 5.2.1 answers 500 to any StartExecution of a new name once one execution has run in that
// account and region (it deep-copies the state machine, which reaches the backend, whose first execution
// holds a thread lock). So each test creates its own state machine in a region of its own.
import { CreateStateMachineCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { executionArnFor, executionName, SfnFlowRunner } from '../../functions/adapters/stepfunctions/sfn-runner.js';
import type { FlowInput } from '../../functions/ports/flow-runner.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/podreach-flow';

/** The summary a flow's Notify step would return, built by a Pass state from the execution input. */
function notifyPass(outcome: 'succeeded' | 'failed', next: { Next: string } | { End: true }) {
  return {
    Type: 'Pass',
    Parameters: {
      'clusterId.$': '$.clusterId',
      'flow.$': '$.flow',
      'executionId.$': '$.executionId',
      outcome,
      changes: [
        {
          id: 'chg-1',
          clusterId: 'cls-demo',
          flow: 'vpn',
          action: 'create',
          provider: 'sandbox',
          region: 'ap-shanghai',
          status: outcome === 'succeeded' ? 'applied' : 'failed',
          kind: 'route',
          target: 'rtb-main',
          cidr: '10.20.0.0/16',
          nextHop: 'vpngw-1',
        },
      ],
      counts: { applied: outcome === 'succeeded' ? 1 : 0, unchanged: 0, blocked: 0, failed: outcome === 'succeeded' ? 0 : 1 },
      artifacts: [],
      warnings: [],
    },
    ...next,
  };
}

const DEFINITIONS = {
  succeeds: { StartAt: 'Plan', States: { Plan: { Type: 'Pass', Next: 'Notify' }, Notify: notifyPass('succeeded', { End: true }) } },
  failsAfterNotify: {
    StartAt: 'Plan',
    States: {
      Plan: { Type: 'Pass', Next: 'Notify' },
      Notify: notifyPass('failed', { Next: 'Failed' }),
      Failed: { Type: 'Fail', Error: 'ApplyFailed', Cause: '1 change failed' },
    },
  },
  failsBeforeNotify: { StartAt: 'Plan', States: { Plan: { Type: 'Pass', Next: 'Failed' }, Failed: { Type: 'Fail', Error: 'PlanFailed', Cause: 'no profile' } } },
};

describeIfAws('Class: SfnFlowRunner', () => {
  let aws: AwsEndpoint;
  const clients: SFNClient[] = [];
  const regions = ['us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1', 'ap-northeast-1', 'sa-east-1'];

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    if (!process.env.AWS_ENDPOINT_URL) {
      // moto (started for this file): have it run the Pass / Fail states instead of leaving executions RUNNING
      const response = await fetch(`${aws.endpoint}/moto-api/config`, {
        method: 'POST',
        body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
      });
      expect(response.status).toBe(201);
      await response.arrayBuffer();
    }
  });

  afterAll(async () => {
    for (const regional of clients) regional.destroy();
    await aws?.stop();
  });

  /** A fresh state machine of that definition, and a runner whose vpn flow is it. */
  async function flowMachine(key: keyof typeof DEFINITIONS): Promise<{ arn: string; client: SFNClient; runner: () => SfnFlowRunner }> {
    const region = regions[clients.length];
    if (!region) throw new Error('out of regions: add one');
    const regional = new SFNClient(awsClientConfig(aws.endpoint, region));
    clients.push(regional);
    const created = await regional.send(
      new CreateStateMachineCommand({ name: `podreach-test-${key}-${process.pid}`, definition: JSON.stringify(DEFINITIONS[key]), roleArn: ROLE_ARN }),
    );
    const arn = created.stateMachineArn ?? '';
    return { arn, client: regional, runner: () => new SfnFlowRunner({ client: regional, stateMachineArns: { vpn: arn }, pollMs: 100 }) };
  }

  describe('Method: run', () => {
    it('starts the execution, reports each state entered, and returns the summary from its output', async () => {
      // Prepare
      const input: FlowInput = { clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-succeeds-1' };
      const progress: string[] = [];
      const { runner } = await flowMachine('succeeds');

      // Act
      const summary = await runner().run(input, (message) => progress.push(message));

      // Assess
      expect(summary).toMatchObject({ clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-succeeds-1', outcome: 'succeeded' });
      expect(summary.changes.map((change) => [change.target, change.cidr, change.nextHop, change.status])).toEqual([['rtb-main', '10.20.0.0/16', 'vpngw-1', 'applied']]);
      expect(progress[0]).toBe(`started execution ${executionName(input)}`);
      expect(progress.filter((message) => message.startsWith('entered '))).toEqual(['entered Plan', 'entered Notify']);
      expect(progress.at(-1)).toBe(`execution ${executionName(input)} succeeded`);
    });

    it('starts one execution for a double start, and attaches a later start of the same input to it', async () => {
      // Prepare
      const input: FlowInput = { clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-double-1' };
      const progress: string[] = [];
      const { arn, client: regional, runner } = await flowMachine('succeeds');

      // Act
      const [first, second] = await Promise.all([runner().run(input), runner().run(input)]);
      const third = await runner().run(input, (message) => progress.push(message));

      // Assess
      const listed = await regional.send(new ListExecutionsCommand({ stateMachineArn: arn }));
      expect(listed.executions?.map((execution) => execution.executionArn)).toEqual([executionArnFor(arn, executionName(input))]);
      expect(second).toEqual(first);
      expect(third).toEqual(first);
      expect(progress[0]).toBe(`execution ${executionName(input)} already exists; following it`);
    });

    it("returns the Notify state's summary, marked failed with the error, when the execution fails after notifying", async () => {
      // Prepare
      const input: FlowInput = { clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-fails-1' };
      const { runner } = await flowMachine('failsAfterNotify');

      // Act
      const summary = await runner().run(input);

      // Assess
      expect(summary).toMatchObject({ clusterId: 'cls-demo', executionId: 'exec-fails-1', outcome: 'failed', error: 'ApplyFailed: 1 change failed' });
      expect(summary.counts.failed).toBe(1);
      expect(summary.changes[0]?.status).toBe('failed');
    });

    it('returns a failed summary with the execution error when the execution fails before any Notify', async () => {
      // Prepare
      const input: FlowInput = { clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-fails-2' };
      const { runner } = await flowMachine('failsBeforeNotify');

      // Act
      const summary = await runner().run(input);

      // Assess
      expect(summary).toEqual({
        clusterId: 'cls-demo',
        flow: 'vpn',
        executionId: 'exec-fails-2',
        outcome: 'failed',
        changes: [],
        counts: { applied: 0, unchanged: 0, blocked: 0, failed: 0 },
        artifacts: [],
        warnings: [],
        error: 'PlanFailed: no profile',
      });
    });

    it('refuses a flow with no state machine configured, before any call', async () => {
      // Prepare
      const { runner } = await flowMachine('succeeds');

      // Act
      const result = runner().run({ clusterId: 'cls-demo', flow: 'peering', executionId: 'exec-x' });

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'InvalidInputError', field: 'flow' });
    });
  });
});

describe('Function: executionName', () => {
  it('is at most 80 characters of [A-Za-z0-9-_], the same for the same input and different for another', () => {
    // Prepare
    const input: FlowInput = { clusterId: 'cls/with:odd chars'.repeat(8), flow: 'direct-connect', executionId: 'e-1' };

    // Act
    const name = executionName(input);

    // Assess
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+-direct-connect-[0-9a-f]{16}$/);
    expect(executionName({ ...input })).toBe(name);
    expect(executionName({ ...input, executionId: 'e-2' })).not.toBe(name);
    expect(executionName({ ...input, dryRun: true })).not.toBe(name);
  });
});
