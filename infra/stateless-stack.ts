// Everything podreach can recreate at will: the event bus and its rules, the functions, the flow state machines,
// the reconcile schedule and the alarms.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../events/schemas.js';
import { FLOWS, type Flow } from '../functions/domain/model.js';
import { DeadLetterQueue } from './constructs/dead-letter-queue.js';
import { EksLifecycleRules } from './constructs/eks-lifecycle-rules.js';
import { FlowStateMachine } from './constructs/flow-state-machine.js';
import { PodreachFunction } from './constructs/podreach-function.js';

export const EVENT_BUS_NAME = 'podreach';

export interface StatelessStackProps extends StackProps {
  table: dynamodb.ITable;
  slackWebhookSecret: secretsmanager.ISecret;
  /** Tencent / Alibaba / Huawei keys for the functions that talk to clouds (plan-flow, apply-change). */
  cloudCredentialsSecret: secretsmanager.ISecret;
  /**
   * Roles of other AWS accounts plan-flow and apply-change may assume: the `accounts.aws` roles of the cloud
   * credentials secret (docs/deploy.md). They may assume these and no other.
   */
  assumeRoleArns?: readonly string[];
  /** How often reconcile re-plans every known cluster. Default 6 hours. */
  reconcileEvery?: Duration;
}

/** "Cluster Created" -> "ClusterCreated": construct ids without spaces. */
function pascal(words: string): string {
  return words
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

export class StatelessStack extends Stack {
  readonly bus: events.EventBus;
  readonly functions: Record<'ingestEvent' | 'planFlow' | 'loadPage' | 'applyChange' | 'recordFailure' | 'notify' | 'reconcile' | 'approval' | 'approvalCallback' | 'eksLifecycle', PodreachFunction>;
  readonly stateMachines: ReadonlyMap<Flow, sfn.StateMachine>;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { table, slackWebhookSecret, cloudCredentialsSecret } = props;

    const planFlow = new PodreachFunction(this, 'PlanFlow', { handlerId: 'plan-flow', timeout: Duration.minutes(1) })
      .useTable(table, 'readWrite')
      .readCloudCredentials(cloudCredentialsSecret)
      .describeNetwork()
      .assumeAccountRoles(props.assumeRoleArns ?? []);
    const applyChange = new PodreachFunction(this, 'ApplyChange', { handlerId: 'apply-change', timeout: Duration.minutes(2) })
      .useTable(table, 'readWrite')
      .readCloudCredentials(cloudCredentialsSecret)
      .describeNetwork()
      .changeNetwork()
      .assumeAccountRoles(props.assumeRoleArns ?? []);
    const loadPage = new PodreachFunction(this, 'LoadPage', { handlerId: 'load-page' }).useTable(table, 'read');
    const recordFailure = new PodreachFunction(this, 'RecordFailure', { handlerId: 'record-failure' }).useTable(table, 'readWrite');
    // notify reads the plan and ledger, and records a notification that failed (NOTIFY# item)
    const notify = new PodreachFunction(this, 'Notify', { handlerId: 'notify' })
      .useTable(table, 'readWrite')
      .readSlackWebhook(slackWebhookSecret);

    // The approval gate: the AwaitApproval task records the request and asks in Slack; the endpoint below (Slack's
    // interactivity URL) records the decision and resumes the waiting execution.
    const approval = new PodreachFunction(this, 'Approval', { handlerId: 'approval' })
      .useTable(table, 'readWrite')
      .readSlackWebhook(slackWebhookSecret);

    const stateMachines = new Map<Flow, sfn.StateMachine>();
    for (const flow of FLOWS) {
      const flowStateMachine = new FlowStateMachine(this, `${pascal(flow)}Flow`, {
        flow,
        planFlow: planFlow.function,
        loadPage: loadPage.function,
        applyChange: applyChange.function,
        recordFailure: recordFailure.function,
        notify: notify.function,
        approval: approval.function,
      });
      stateMachines.set(flow, flowStateMachine.stateMachine);
      flowStateMachine.stateMachine
        .metricFailed({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM })
        .createAlarm(flowStateMachine, 'ExecutionsFailed', {
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          alarmDescription: `podreach: a ${flow} flow execution failed.`,
        });
    }
    this.stateMachines = stateMachines;

    // EventBridge invokes Lambda asynchronously: failures after delivery go to this queue, delivery failures to each rule's.
    const ingestFailures = new DeadLetterQueue(this, 'IngestFailures', { description: 'events the ingest function failed on' });
    const ingestEvent = new PodreachFunction(this, 'IngestEvent', { handlerId: 'ingest-event' })
      .useTable(table, 'readWrite')
      .startFlows(stateMachines);
    ingestEvent.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new lambdaDestinations.SqsDestination(ingestFailures.queue),
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: EVENT_BUS_NAME });
    for (const detailType of DETAIL_TYPES) {
      const name = pascal(detailType);
      const deadLetters = new DeadLetterQueue(this, `${name}DeadLetters`, {
        description: `"${detailType}" events EventBridge could not deliver`,
      });
      new events.Rule(this, `${name}Rule`, {
        eventBus: this.bus,
        description: `podreach: "${detailType}" events start the flows of the cluster.`,
        eventPattern: { source: [EVENT_SOURCE], detailType: [detailType] },
        targets: [
          new targets.LambdaFunction(ingestEvent.function, {
            deadLetterQueue: deadLetters.queue,
            retryAttempts: 8,
            maxEventAge: Duration.hours(6),
          }),
        ],
      });
    }

    const reconcile = new PodreachFunction(this, 'Reconcile', { handlerId: 'reconcile', timeout: Duration.minutes(5) })
      .useTable(table, 'read')
      .startFlows(stateMachines);
    const reconcileDeadLetters = new DeadLetterQueue(this, 'ReconcileDeadLetters', {
      description: 'scheduled reconcile runs EventBridge could not deliver',
    });
    new events.Rule(this, 'ReconcileSchedule', {
      description: 'podreach: re-plan every known cluster and repair drift.',
      schedule: events.Schedule.rate(props.reconcileEvery ?? Duration.hours(6)),
      targets: [new targets.LambdaFunction(reconcile.function, { deadLetterQueue: reconcileDeadLetters.queue, retryAttempts: 2 })],
    });

    const approvalCallback = new PodreachFunction(this, 'ApprovalCallback', { handlerId: 'approval-callback' })
      .useTable(table, 'readWrite')
      .readSlackWebhook(slackWebhookSecret)
      .resumeFlows(stateMachines);
    // Slack cannot sign with AWS credentials: the endpoint is public and verifies Slack's signature and timestamp
    // (the signing secret in the Slack secret) before it records anything.
    const approvalUrl = approvalCallback.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    new CfnOutput(this, 'ApprovalEndpointUrl', { value: approvalUrl.url, description: "Slack app > Interactivity > Request URL (the approval gate's buttons)" });

    // EKS's own lifecycle events (CloudTrail, default bus) -> podreach events: docs/events.md
    const eksLifecycle = new EksLifecycleRules(this, 'EksLifecycle', { bus: this.bus, ingestFunction: ingestEvent.function });

    this.functions = { ingestEvent, planFlow, loadPage, applyChange, recordFailure, notify, reconcile, approval, approvalCallback, eksLifecycle: eksLifecycle.forwarder };

    // The roles other accounts' roles trust (docs/deploy.md "Other accounts"): the two functions that call clouds.
    for (const [name, fn] of [['PlanFlowRoleArn', planFlow], ['ApplyChangeRoleArn', applyChange]] as const) {
      const role = fn.function.role;
      if (role) new CfnOutput(this, name, { value: role.roleArn, description: `the role of ${fn.handlerId}: trust it (with your external id) in the roles of other accounts` });
    }
  }
}
