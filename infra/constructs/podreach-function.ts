// The base Lambda construct of podreach: one function per handler id, bundled by infra/lambda-bundle.ts, with the
// settings every function shares, and intent methods that set an environment variable together with the IAM grant it
// needs (docs/style.md).
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { acknowledgeNag, wildcardFindings } from '../nag.js';
import { Construct } from 'constructs';
import type { Flow } from '../../functions/domain/model.js';
import { HANDLER_ENV, type HandlerId } from '../handler-ids.js';
import { AWS_ACTIONS, AWS_ASSUME_ROLE_ACTION } from '../../functions/adapters/aws/actions.js';
import type { CloudAction } from '../../functions/adapters/kit/actions.js';
import { awsResourceArn, awsStatements } from '../../functions/adapters/permissions.js';
import { bundleHandlerSync } from '../lambda-bundle.js';
import { repoRoot } from '../paths.js';

export interface PodreachFunctionProps {
  handlerId: HandlerId;
  /** Default 30 s; provider calls with SDK retries need more. */
  timeout?: Duration;
  memorySize?: number;
}

/** How cdk-nag spells the finding for ec2Arn(`${resourceType}/*`). */
function ec2WildcardFinding(resourceType: string): string {
  return `Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:${resourceType}/*`;
}

export class PodreachFunction extends Construct {
  readonly function: lambda.Function;
  readonly handlerId: HandlerId;

  constructor(scope: Construct, id: string, props: PodreachFunctionProps) {
    super(scope, id);
    this.handlerId = props.handlerId;

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.function = new lambda.Function(this, 'Function', {
      // Bundled in-process by esbuild (infra/lambda-bundle.ts), split per dynamic import; never in Docker, so
      // `cdk synth` works offline. The asset is hashed by its output: same code, same asset.
      code: lambda.Code.fromAsset(repoRoot, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Required by the API, never pulled: local bundling always succeeds or throws.
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
          // Never run (no Docker). CDK stages one bundle per distinct set of bundling options and tryBundle, a
          // function, is not part of that key: naming the handler here keeps the functions' bundles apart.
          command: ['podreach-bundle', props.handlerId],
          local: {
            tryBundle(outputDir) {
              bundleHandlerSync(props.handlerId, outputDir);
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(30),
      memorySize: props.memorySize ?? 512,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        [HANDLER_ENV]: props.handlerId,
        // No NODE_OPTIONS=--enable-source-maps and no maps shipped: see docs/infra.md "Bundles and source maps".
        POWERTOOLS_SERVICE_NAME: 'podreach',
      },
    });

    acknowledgeNag(this, [
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "AWSLambdaBasicExecutionRole only allows writing this function's own CloudWatch logs.",
      },
      ...wildcardFindings(['Resource::*'], 'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions.'),
      { id: 'AwsSolutions-L1', reason: 'nodejs22.x is the runtime podreach is built and tested for (esbuild target node22).' },
    ]);
  }

  /** Lets the function read (and with `readWrite`, write) the state table named by TABLE_NAME. */
  useTable(table: dynamodb.ITable, access: 'read' | 'readWrite'): this {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    if (access === 'readWrite') {
      table.grantReadWriteData(this.function);
    } else {
      table.grantReadData(this.function);
    }
    return this;
  }

  /** Lets the function read the Slack webhook URL from the secret named by SLACK_WEBHOOK_SECRET_ARN; nothing else. */
  readSlackWebhook(secret: secretsmanager.ISecret): this {
    return this.readSecret('SLACK_WEBHOOK_SECRET_ARN', secret);
  }

  /**
   * Lets the function read the Tencent / Alibaba / Huawei keys from the secret named by CLOUD_CREDENTIALS_SECRET_ARN
   * (GetSecretValue on that secret only; lambda-deps loads it once per container).
   */
  readCloudCredentials(secret: secretsmanager.ISecret): this {
    return this.readSecret('CLOUD_CREDENTIALS_SECRET_ARN', secret, 'ReadCloudCredentials');
  }

  /**
   * GetSecretValue on one secret, named to the function by `envName`. Not secret.grantRead: that adds
   * DescribeSecret, which no function needs.
   */
  private readSecret(envName: string, secret: secretsmanager.ISecret, sid?: string): this {
    this.function.addEnvironment(envName, secret.secretArn);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ ...(sid ? { sid } : {}), actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }),
    );
    return this;
  }

  /** Lets the function start the flow state machines listed in STATE_MACHINE_ARNS (a JSON map flow -> ARN). */
  startFlows(stateMachines: ReadonlyMap<Flow, sfn.IStateMachine>): this {
    const arns: Record<string, string> = {};
    for (const [flow, stateMachine] of stateMachines) {
      arns[flow] = stateMachine.stateMachineArn;
      stateMachine.grantStartExecution(this.function);
    }
    this.function.addEnvironment('STATE_MACHINE_ARNS', Stack.of(this).toJsonString(arns));
    return this;
  }

  /**
   * Lets the function resume executions of these state machines that wait on a task token (SendTaskSuccess /
   * SendTaskFailure / SendTaskHeartbeat on those state machines only).
   */
  resumeFlows(stateMachines: ReadonlyMap<Flow, sfn.IStateMachine>): this {
    for (const stateMachine of stateMachines.values()) stateMachine.grantTaskResponse(this.function);
    return this;
  }

  /**
   * Read-only view of the network resources a plan diffs against: the list calls of the AWS adapter's actions table
   * (functions/adapters/aws/actions.ts), which `podreach permissions --provider aws --mode plan` prints too.
   */
  describeNetwork(): this {
    return this.grantAwsActions(Object.values(AWS_ACTIONS).flatMap((kind) => kind.list), 'DescribeNetwork');
  }

  /**
   * What applying a change sends beyond the reads (functions/adapters/aws/actions.ts), each action on the resource
   * types EC2 and Direct Connect authorize it against: a route's table; a TGW route's table and the attachment it
   * points to; an association's route table and subnet.
   */
  changeNetwork(): this {
    return this.grantAwsActions(Object.values(AWS_ACTIONS).flatMap((kind) => kind.apply), 'DescribeWhileApplying');
  }

  /**
   * Lets the function assume exactly these roles of other accounts (the accounts the cloud credentials list for AWS),
   * and nothing when there are none.
   */
  assumeAccountRoles(roleArns: readonly string[]): this {
    if (roleArns.length === 0) return this;
    this.function.addToRolePolicy(new iam.PolicyStatement({ sid: 'AssumeAccountRoles', actions: [AWS_ASSUME_ROLE_ACTION], resources: [...roleArns] }));
    return this;
  }

  /** The actions in statements grouped by resource types (awsStatements), scoped to this stack's account and region. */
  private grantAwsActions(actions: readonly CloudAction[], describeSid: string): this {
    const stack = Stack.of(this);
    const scope = { partition: stack.partition, region: stack.region, account: stack.account };
    const statements = awsStatements(actions, (resource) => awsResourceArn(resource, scope));
    for (const statement of statements) {
      const sid = statement.Resource === '*' ? describeSid : statement.Sid;
      this.function.addToRolePolicy(new iam.PolicyStatement({ sid, actions: statement.Action, resources: [statement.Resource].flat() }));
    }
    const resources = [...new Set(actions.flatMap((action) => action.resources ?? []))].sort();
    const findings = resources.map((resource) => {
      const [service = '', type = ''] = resource.split(':');
      return service === 'directconnect'
        ? `Resource::arn:<AWS::Partition>:directconnect::<AWS::AccountId>:${type}/*`
        : ec2WildcardFinding(type);
    });
    if (findings.length > 0) {
      acknowledgeNag(
        this,
        wildcardFindings(
          findings,
          'The route tables, subnets, security groups, TGW route tables and attachments, VPN connections and DX gateways podreach reads and changes are named by connectivity profiles at run time; each action is scoped to its resource types in this account.',
        ),
      );
    }
    return this;
  }
}
