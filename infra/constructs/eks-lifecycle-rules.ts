// EKS's own lifecycle events into podreach: EventBridge rules on the default bus matching EKS API calls recorded by
// CloudTrail ("AWS API Call via CloudTrail", successful calls only).
// - DeleteCluster needs no facts: an input transformer turns it into a "Cluster Deleted" envelope for ingest-event.
// - CreateCluster, CreateNodegroup, DeleteNodegroup and UpdateClusterConfig need the cluster's VPC, subnets and pod
//   networks: the eks-lifecycle function reads them (DescribeCluster, node groups, DescribeSubnets) and puts the
//   podreach event on the podreach bus, where the detail-type rules take it like any other.
// CloudTrail sends these to the default bus of the region where the call was made, on a best-effort basis (EventBridge
// user guide, "AWS service events delivered via AWS CloudTrail"): the node watcher and the reconcile schedule cover
// one that never arrives.
import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as lambdaDestinations from 'aws-cdk-lib/aws-lambda-destinations';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../events/schemas.js';
import { acknowledgeNag, wildcardFindings } from '../nag.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import { PodreachFunction } from './podreach-function.js';

export const EKS_CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
/** The API calls whose facts must be read before they can be told to podreach. */
export const EKS_CALLS_READ = ['CreateCluster', 'CreateNodegroup', 'DeleteNodegroup', 'UpdateClusterConfig'] as const;

/**
 * An input transformer whose string placeholders sit inside quotes ("<clusterId>"), the form the EventBridge user
 * guide shows. RuleTargetInput.fromObject writes them bare (<clusterId>), which EventBridge quotes itself but moto
 * pastes raw, so the transformed event could not be tested there. EKS cluster names and CloudTrail times need no
 * JSON escaping.
 */
class QuotedInputTemplate extends events.RuleTargetInput {
  constructor(
    private readonly inputPathsMap: Record<string, string>,
    private readonly inputTemplate: string,
  ) {
    super();
  }

  bind(): events.RuleTargetInputProperties {
    return { inputPathsMap: this.inputPathsMap, inputTemplate: this.inputTemplate };
  }
}

function eksCallPattern(eventNames: readonly string[]): events.EventPattern {
  return {
    source: ['aws.eks'],
    detailType: [EKS_CLOUDTRAIL_DETAIL_TYPE],
    detail: { eventSource: ['eks.amazonaws.com'], eventName: [...eventNames], errorCode: [{ exists: false }] },
  };
}

export interface EksLifecycleRulesProps {
  /** The podreach bus the eks-lifecycle function puts events on. */
  bus: events.IEventBus;
  /** ingest-event: the target of the transformed DeleteCluster events. */
  ingestFunction: lambda.IFunction;
}

export class EksLifecycleRules extends Construct {
  readonly forwarder: PodreachFunction;
  readonly deleteRule: events.Rule;
  readonly readRule: events.Rule;

  constructor(scope: Construct, id: string, props: EksLifecycleRulesProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const deleteDeadLetters = new DeadLetterQueue(this, 'DeleteClusterDeadLetters', { description: 'EKS DeleteCluster events EventBridge could not deliver' });
    this.deleteRule = new events.Rule(this, 'DeleteClusterRule', {
      description: 'podreach: an EKS cluster deleted (CloudTrail) becomes "Cluster Deleted".',
      eventPattern: eksCallPattern(['DeleteCluster']),
      targets: [
        new targets.LambdaFunction(props.ingestFunction, {
          event: new QuotedInputTemplate(
            // the API call's own time: the envelope's time is when EventBridge received it
            { clusterId: '$.detail.requestParameters.name', occurredAt: '$.detail.eventTime' },
            JSON.stringify({ source: EVENT_SOURCE, 'detail-type': 'Cluster Deleted', detail: { clusterId: '<clusterId>', occurredAt: '<occurredAt>' } }),
          ),
          deadLetterQueue: deleteDeadLetters.queue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    this.forwarder = new PodreachFunction(this, 'Forwarder', { handlerId: 'eks-lifecycle' });
    const fn = this.forwarder.function;
    fn.addEnvironment('EVENT_BUS_NAME', props.bus.eventBusName);
    props.bus.grantPutEventsTo(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadEksClusters',
        actions: ['eks:DescribeCluster', 'eks:ListNodegroups'],
        resources: [stack.formatArn({ service: 'eks', resource: 'cluster', resourceName: '*' })],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadEksNodegroups',
        actions: ['eks:DescribeNodegroup'],
        resources: [stack.formatArn({ service: 'eks', resource: 'nodegroup', resourceName: '*' })],
      }),
    );
    fn.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadSubnets', actions: ['ec2:DescribeSubnets'], resources: ['*'] }));
    acknowledgeNag(this.forwarder, [
      ...wildcardFindings(
        ['Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:cluster/*', 'Resource::arn:<AWS::Partition>:eks:<AWS::Region>:<AWS::AccountId>:nodegroup/*'],
        'The EKS clusters podreach follows are whichever clusters this account creates; reads only (Describe/List), in this account and region.',
      ),
      ...wildcardFindings(['Resource::*'], 'ec2:DescribeSubnets has no resource-level permissions.'),
    ]);

    // Both what EventBridge could not deliver and what the function failed on after its retries land here.
    const readDeadLetters = new DeadLetterQueue(this, 'ForwardDeadLetters', { description: 'EKS lifecycle events that were not forwarded' });
    fn.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6), onFailure: new lambdaDestinations.SqsDestination(readDeadLetters.queue) });
    this.readRule = new events.Rule(this, 'ForwardRule', {
      description: 'podreach: EKS clusters and node groups created, deleted or reconfigured (CloudTrail) go to eks-lifecycle.',
      eventPattern: eksCallPattern(EKS_CALLS_READ),
      targets: [new targets.LambdaFunction(fn, { deadLetterQueue: readDeadLetters.queue, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });
  }
}
