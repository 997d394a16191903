// One flow's state machine. Every flow has the same shape; this definition is also what the local runner executes
// (functions/adapters/flow-runner), so it stays JSONPath (aws-local-stepfunctions ignores JSONata) and every Task
// invokes its function ARN directly (payloadResponseOnly), which the runner maps back to a handler id.
import { type CfnElement, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { acknowledgeNag, wildcardFindings } from '../nag.js';
import { Construct } from 'constructs';
import type { Flow } from '../../functions/domain/model.js';
import { FLOW_FAILED_ERROR, FLOW_STATES, FLOW_TAG, RETRYABLE_ERRORS } from '../handler-ids.js';

export interface FlowStateMachineProps {
  flow: Flow;
  planFlow: lambda.IFunction;
  applyChange: lambda.IFunction;
  recordFailure: lambda.IFunction;
  notify: lambda.IFunction;
}

// Throttling and leases clear within seconds to a minute: 2, 4, 8, 16, 30, 30 s with full jitter.
const RETRY: sfn.RetryProps = {
  errors: [...RETRYABLE_ERRORS],
  interval: Duration.seconds(2),
  backoffRate: 2,
  maxAttempts: 6,
  maxDelay: Duration.seconds(30),
  jitterStrategy: sfn.JitterType.FULL,
};

function invoke(scope: Construct, stateName: string, fn: lambda.IFunction): tasks.LambdaInvoke {
  return new tasks.LambdaInvoke(scope, stateName, {
    lambdaFunction: fn,
    payloadResponseOnly: true,
    // Our own Retry lists the Lambda service faults too; CDK's default retrier would duplicate them.
    retryOnServiceExceptions: false,
  });
}

export class FlowStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly flow: Flow;

  constructor(scope: Construct, id: string, props: FlowStateMachineProps) {
    super(scope, id);
    this.flow = props.flow;

    // Notify failing (Slack, the table, Lambda) ends the execution here with Notify's own error and cause, so the
    // execution result (and the local runner's fallback summary) says what went wrong rather than "FlowFailed".
    const notifyFailed = new sfn.Fail(this, FLOW_STATES.notifyFailed, {
      errorPath: sfn.JsonPath.stringAt('$.error.Error'),
      causePath: sfn.JsonPath.stringAt('$.error.Cause'),
    });
    const notify = invoke(this, FLOW_STATES.notify, props.notify)
      .addRetry(RETRY)
      .addCatch(notifyFailed, { errors: [sfn.Errors.ALL], resultPath: '$.error' });
    const plan = invoke(this, FLOW_STATES.plan, props.planFlow)
      .addRetry(RETRY)
      .addCatch(notify, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    // No Catch: if the failure cannot even be recorded after retries, the Map and the execution fail (alarmed).
    const recordFailure = invoke(this, FLOW_STATES.recordFailure, props.recordFailure).addRetry(RETRY);
    const applyChange = invoke(this, FLOW_STATES.applyChange, props.applyChange)
      .addRetry(RETRY)
      .addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    // One change at a time: changes to one route table or replace-style list must apply in plan order.
    const applyChanges = new sfn.Map(this, FLOW_STATES.applyChanges, {
      itemsPath: '$.changeIds',
      maxConcurrency: 1,
      itemSelector: {
        'clusterId.$': '$.clusterId',
        'flow.$': '$.flow',
        'executionId.$': '$.executionId',
        'changeId.$': '$$.Map.Item.Value',
      },
      resultPath: '$.results',
    }).itemProcessor(applyChange);

    const outcome = new sfn.Choice(this, FLOW_STATES.outcome)
      .when(
        sfn.Condition.stringEquals('$.outcome', 'failed'),
        new sfn.Fail(this, FLOW_STATES.failed, {
          error: FLOW_FAILED_ERROR,
          cause: 'At least one change failed or the plan could not be made; see the notification.',
        }),
      )
      .otherwise(new sfn.Succeed(this, FLOW_STATES.succeeded));

    const definition = plan.next(applyChanges).next(notify).next(outcome);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // A fixed name: `podreach trigger FLOW --aws` finds the machine by it.
      stateMachineName: `podreach-${props.flow}`,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: `podreach ${props.flow} flow: plan, apply each change in order, record failures, notify.`,
    });
    Tags.of(this.stateMachine).add(FLOW_TAG, props.flow);

    acknowledgeNag(
      this,
      wildcardFindings(
        ['Resource::*'],
        'Log delivery and X-Ray actions of a state machine role have no resource-level permissions.',
      ),
    );
    const functions = [props.planFlow, props.applyChange, props.recordFailure, props.notify];
    acknowledgeNag(
      this,
      wildcardFindings(
        functions.map((fn) => `Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*`),
        'CDK grants lambda:InvokeFunction on <function ARN>:* so any version or alias of the four flow functions can be invoked; nothing else.',
      ),
    );
  }
}
