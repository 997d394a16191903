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

  /** Read-only view of the network resources a plan diffs against (describe calls have no resource-level scope). */
  describeNetwork(): this {
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeNetwork',
        actions: ['ec2:Describe*', 'directconnect:Describe*'],
        resources: ['*'],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'SearchTransitGatewayRoutes',
        actions: ['ec2:SearchTransitGatewayRoutes'],
        resources: [this.ec2Arn('transit-gateway-route-table/*')],
      }),
    );
    acknowledgeNag(
      this,
      wildcardFindings(
        ['Action::ec2:Describe*', 'Action::directconnect:Describe*', ec2WildcardFinding('transit-gateway-route-table')],
        'EC2 and Direct Connect Describe* actions have no resource-level permissions; the TGW route tables searched are named by profiles at run time.',
      ),
    );
    return this;
  }

  /**
   * The write actions of the AWS provider adapter (functions/adapters/aws/aws-provider.ts), each on the resource types
   * EC2 authorizes it against: a route's table; a TGW route's table and the attachment it points to; an association's
   * route table and subnet.
   */
  changeNetwork(): this {
    const statements: Array<{ sid: string; actions: string[]; resourceTypes: string[] }> = [
      { sid: 'Routes', actions: ['ec2:CreateRoute', 'ec2:ReplaceRoute', 'ec2:DeleteRoute'], resourceTypes: ['route-table'] },
      {
        sid: 'SubnetRouteTableAssociations',
        actions: ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'],
        resourceTypes: ['route-table', 'subnet'],
      },
      {
        sid: 'SecurityGroupIngress',
        actions: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:RevokeSecurityGroupIngress'],
        resourceTypes: ['security-group'],
      },
      {
        sid: 'TransitGatewayRoutes',
        actions: ['ec2:CreateTransitGatewayRoute', 'ec2:ReplaceTransitGatewayRoute', 'ec2:DeleteTransitGatewayRoute'],
        resourceTypes: ['transit-gateway-route-table', 'transit-gateway-attachment'],
      },
      {
        sid: 'VpnConnections',
        actions: ['ec2:ModifyVpnConnectionOptions', 'ec2:CreateVpnConnectionRoute', 'ec2:DeleteVpnConnectionRoute'],
        resourceTypes: ['vpn-connection'],
      },
    ];
    for (const statement of statements) {
      this.function.addToRolePolicy(
        new iam.PolicyStatement({
          sid: statement.sid,
          actions: statement.actions,
          resources: statement.resourceTypes.map((resourceType) => this.ec2Arn(`${resourceType}/*`)),
        }),
      );
    }
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DirectConnectGatewayPrefixes',
        actions: ['directconnect:UpdateDirectConnectGatewayAssociation'],
        resources: [Stack.of(this).formatArn({ service: 'directconnect', region: '', resource: 'dx-gateway', resourceName: '*' })],
      }),
    );
    acknowledgeNag(
      this,
      wildcardFindings(
        [
          ...new Set(statements.flatMap((statement) => statement.resourceTypes).map(ec2WildcardFinding)),
          'Resource::arn:<AWS::Partition>:directconnect::<AWS::AccountId>:dx-gateway/*',
        ],
        'The route tables, subnets, security groups, TGW route tables and attachments, VPN connections and DX gateways podreach changes are named by connectivity profiles at run time; each action is scoped to its resource types in this account.',
      ),
    );
    return this;
  }

  private ec2Arn(resource: string): string {
    const stack = Stack.of(this);
    return `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:${resource}`;
  }
}
