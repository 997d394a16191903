// The synthesized flow definitions (the same ASL the local runner executes) are accepted by Step Functions and
// start. moto does not run Lambda tasks, so this asserts creation and start, not the run.
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { LOCAL_FUNCTION_ARN_PREFIX } from '../../functions/adapters/flow-runner/flow-definitions.js';
import { synthesizeFlowDefinitions } from '../../functions/adapters/flow-runner/synthesize-flow-definitions.js';
import { executionInputJson, executionName } from '../../functions/adapters/stepfunctions/sfn-runner.js';
import { FLOWS } from '../../functions/domain/model.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/podreach-flow';
// One region per started machine: see test/aws/stepfunctions-runner.test.ts (moto's StartExecution copy bug).
const REGIONS = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'eu-central-1'];

describeIfAws('Synthesized flow state machines', () => {
  let aws: AwsEndpoint;
  const clients: SFNClient[] = [];

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await aws?.stop();
  });

  it('creates each flow state machine from its synthesized definition and starts an execution of it', async () => {
    // Prepare
    const definitions = await synthesizeFlowDefinitions();
    expect(REGIONS.length).toBeGreaterThanOrEqual(FLOWS.length);

    for (const [index, flow] of FLOWS.entries()) {
      const region = REGIONS[index] ?? '';
      const client = new SFNClient(awsClientConfig(aws.endpoint, region));
      clients.push(client);
      // As deployed: the local placeholders stand for the handlers' Lambda functions.
      const asl = JSON.stringify(definitions[flow].definition).split(LOCAL_FUNCTION_ARN_PREFIX).join(`arn:aws:lambda:${region}:123456789012:function:podreach-`);
      const input = { clusterId: 'cls-demo', flow, executionId: `synth-${flow}` };

      // Act
      const created = await client.send(new CreateStateMachineCommand({ name: `podreach-${flow}`, definition: asl, roleArn: ROLE_ARN }));
      const started = await client.send(
        new StartExecutionCommand({ stateMachineArn: created.stateMachineArn, name: executionName(input), input: executionInputJson(input) }),
      );
      const described = await client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));

      // Assess
      expect(created.stateMachineArn).toMatch(new RegExp(`:stateMachine:podreach-${flow}$`));
      expect(described.stateMachineArn).toBe(created.stateMachineArn);
      expect(JSON.parse(described.input ?? '{}')).toEqual(input);
      expect(described.name).toBe(executionName(input));
    }
  });
});
