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
import { APPROVAL_PENDING_ERROR, APPROVAL_REJECTED_ERROR } from '../../functions/domain/errors.js';
import { FLOW_FAILED_ERROR, FLOW_STATES, FLOW_TAG, RETRYABLE_ERRORS } from '../handler-ids.js';

export interface FlowStateMachineProps {
  flow: Flow;
  planFlow: lambda.IFunction;
  loadPage: lambda.IFunction;
  applyChange: lambda.IFunction;
  approval: lambda.IFunction;
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

/**
 * Targets applied at once. Each lane is one target (changes to one resource stay in order); the adapters retry a
 * cloud's throttling with backoff, and Step Functions retries what is still throttled. A few lanes at a time keep a
 * cloud's per-account API rate (Tencent: 20 calls/s for most VPC APIs; AWS EC2: request-token buckets) out of reach.
 */
export const LANES_AT_ONCE = 4;

/** Which execution a state works for (cluster, flow, execution id): copied from the state's input into every payload. */
const EXECUTION_FIELDS = { 'clusterId.$': '$.clusterId', 'flow.$': '$.flow', 'executionId.$': '$.executionId' } as const;

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

    // The plan is stored in pages by lane (one target's changes, in plan order), so no state carries the list of
    // changes. Lanes run as child executions of a Distributed Map (each with its own event history), a few targets at
    // a time; within a lane one change at a time, in order (a route table's or a whole-list API's changes must apply
    // in plan order). Nothing accumulates: every Map discards its results (the store holds the outcomes).
    const applyPage = new sfn.Map(this, FLOW_STATES.applyPage, {
      itemsPath: '$.changeIds',
      maxConcurrency: 1,
      itemSelector: {
        ...EXECUTION_FIELDS,
        'changeId.$': '$$.Map.Item.Value',
      },
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(applyChange);
    const loadPage = invoke(this, FLOW_STATES.loadPage, props.loadPage).addRetry(RETRY);
    const nextPage = new sfn.Pass(this, FLOW_STATES.nextPage, {
      parameters: {
        ...EXECUTION_FIELDS,
        'lane.$': '$.lane',
        'pages.$': '$.pages',
        'page.$': '$.next',
      },
    });
    const lane = loadPage.next(applyPage).next(
      new sfn.Choice(this, FLOW_STATES.morePages)
        .when(sfn.Condition.numberGreaterThanEquals('$.next', 0), nextPage.next(loadPage))
        .otherwise(new sfn.Succeed(this, FLOW_STATES.laneDone)),
    );
    const applyLanes = new sfn.DistributedMap(this, FLOW_STATES.applyLanes, {
      itemsPath: '$.lanes',
      maxConcurrency: LANES_AT_ONCE,
      itemSelector: {
        ...EXECUTION_FIELDS,
        'lane.$': '$$.Map.Item.Value.lane',
        'pages.$': '$$.Map.Item.Value.pages',
        page: 0,
      },
      mapExecutionType: sfn.StateMachineType.STANDARD,
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(lane);

    const outcome = new sfn.Choice(this, FLOW_STATES.outcome)
      .when(
        sfn.Condition.stringEquals('$.outcome', 'failed'),
        new sfn.Fail(this, FLOW_STATES.failed, {
          error: FLOW_FAILED_ERROR,
          cause: 'At least one change failed or the plan could not be made; see the notification.',
        }),
      )
      .otherwise(new sfn.Succeed(this, FLOW_STATES.succeeded));

    // Changes an approval policy held: the execution waits on a task token until a person decides (Slack buttons ->
    // the approval endpoint) or the request times out (rejected). Approved changes are applied by planning again:
    // their decision is on the ledger, so the next plan lets them through.
    const expireApproval = new tasks.LambdaInvoke(this, FLOW_STATES.expireApproval, {
      lambdaFunction: props.approval,
      payloadResponseOnly: true,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({ action: 'expire', ...EXECUTION_FIELDS }),
      resultPath: sfn.JsonPath.DISCARD,
    })
      .addRetry(RETRY)
      .next(notify);
    const awaitApproval = new tasks.LambdaInvoke(this, FLOW_STATES.awaitApproval, {
      lambdaFunction: props.approval,
      integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      retryOnServiceExceptions: false,
      payload: sfn.TaskInput.fromObject({
        action: 'request',
        ...EXECUTION_FIELDS,
        taskToken: sfn.JsonPath.taskToken,
      }),
      taskTimeout: sfn.Timeout.at('$.approval.timeoutSeconds'),
      resultPath: '$.decision',
    })
      .addRetry(RETRY)
      .addCatch(notify, { errors: [APPROVAL_PENDING_ERROR, APPROVAL_REJECTED_ERROR], resultPath: '$.approvalOutcome' })
      .addCatch(expireApproval, { errors: [sfn.Errors.TIMEOUT], resultPath: '$.approvalOutcome' });
    awaitApproval.next(plan);
    const needsApproval = new sfn.Choice(this, FLOW_STATES.needsApproval)
      .when(sfn.Condition.numberGreaterThan('$.approval.changes', 0), awaitApproval)
      .otherwise(notify);
    notify.next(outcome);
    plan.next(applyLanes);
    applyLanes.next(needsApproval);
    const definition = plan;

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
    // The Distributed Map starts, describes and stops this state machine's own child executions (one per lane).
    const self = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnElement);
    const executions = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${self}"}]}]}`;
    acknowledgeNag(
      this,
      wildcardFindings(
        [`Resource::${executions}:*`, `Resource::${executions}/*:*`],
        "The Distributed Map's child executions get generated names: CDK scopes these actions to this state machine's own executions.",
      ),
    );
    const functions = [props.planFlow, props.loadPage, props.applyChange, props.recordFailure, props.notify, props.approval];
    acknowledgeNag(
      this,
      wildcardFindings(
        functions.map((fn) => `Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*`),
        'CDK grants lambda:InvokeFunction on <function ARN>:* so any version or alias of the six flow functions can be invoked; nothing else.',
      ),
    );
  }
}
