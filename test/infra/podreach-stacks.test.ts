// The CDK app: Template assertions on both stacks (least privilege included), cdk-nag AwsSolutions with nothing
// unacknowledged, and cfn-lint on the templates the synthesis wrote.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../events/schemas.js';
import { FLOWS } from '../../functions/domain/model.js';
import { HANDLER_IDS, RETRYABLE_ERRORS, type HandlerId } from '../../infra/handler-ids.js';
import { buildPodreachStacks } from '../../infra/podreach-app.js';
import { repoRoot } from '../../infra/paths.js';

const run = promisify(execFile);

let outdir: string;
let stateful: Template;
let stateless: Template;

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'podreach-infra-'));
  const cdkJson = JSON.parse(await readFile(path.join(repoRoot, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  // Bundling is skipped (the integration test runs the real `cdk synth`); cdk-nag and template validation run.
  const app = new App({ outdir, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildPodreachStacks(app, { nag: true });
  app.synth();
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
}, 180_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
});

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Every IAM action granted to each handler's role, read from the synthesized policies. */
function actionsByHandler(template: Template): Map<HandlerId, Set<string>> {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
  const result = new Map<HandlerId, Set<string>>();
  for (const fn of Object.values(functions)) {
    const variables = (fn.Properties['Environment'] as { Variables: Record<string, string> }).Variables;
    const handlerId = variables['PODREACH_HANDLER'] as HandlerId;
    const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const actions = new Set<string>();
    for (const policy of policies) {
      const roles = policy.Properties['Roles'] as Array<{ Ref: string }>;
      if (!roles.some((role) => role.Ref === roleId)) continue;
      const statements = (policy.Properties['PolicyDocument'] as { Statement: Array<{ Action: string | string[] }> }).Statement;
      for (const statement of statements) {
        for (const action of [statement.Action].flat()) actions.add(action);
      }
    }
    result.set(handlerId, actions);
  }
  return result;
}

describe('Class: StatefulStack', () => {
  it('keeps state in an on-demand table with PITR, deletion protection and a TTL attribute, retained on delete', () => {
    stateful.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      },
    });
  });

  it('holds the Slack webhook URL in a retained secret', () => {
    stateful.resourceCountIs('AWS::SecretsManager::Secret', 1);
    stateful.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });
});

describe('Class: StatelessStack', () => {
  it('routes each detail-type from the podreach bus to ingest-event, with a dead-letter queue per rule', () => {
    stateless.hasResourceProperties('AWS::Events::EventBus', { Name: 'podreach' });
    for (const detailType of DETAIL_TYPES) {
      stateless.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: Match.anyValue(),
        EventPattern: { source: [EVENT_SOURCE], 'detail-type': [detailType] },
        Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() })],
      });
    }
    stateless.resourceCountIs('AWS::Events::Rule', DETAIL_TYPES.length + 1);
  });

  it('enforces TLS on every queue', () => {
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue'));
    expect(queues).toHaveLength(DETAIL_TYPES.length + 2);
    for (const queueId of queues) {
      stateless.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('builds one arm64 nodejs22.x function per handler, traced, with its handler id', () => {
    for (const handlerId of HANDLER_IDS) {
      stateless.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Environment: { Variables: Match.objectLike({ PODREACH_HANDLER: handlerId }) },
        LoggingConfig: Match.objectLike({ LogGroup: Match.anyValue() }),
      });
    }
    stateless.resourceCountIs('AWS::Lambda::Function', HANDLER_IDS.length);
  });

  it('gives ingest-event and reconcile every flow state machine ARN', () => {
    for (const handlerId of ['ingest-event', 'reconcile']) {
      stateless.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ PODREACH_HANDLER: handlerId, STATE_MACHINE_ARNS: Match.anyValue() }) },
      });
    }
  });

  it('defines one logged, traced state machine per flow, retrying throttling in Plan and ApplyChange', () => {
    stateless.resourceCountIs('AWS::StepFunctions::StateMachine', FLOWS.length);
    for (const flow of FLOWS) {
      stateless.hasResourceProperties('AWS::StepFunctions::StateMachine', {
        Tags: Match.arrayWith([{ Key: 'podreach:flow', Value: flow }]),
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      });
    }
    const definition = JSON.stringify(
      Object.values(stateless.findResources('AWS::StepFunctions::StateMachine'))[0]?.Properties.DefinitionString,
    );
    expect(definition).toContain(JSON.stringify(RETRYABLE_ERRORS).replaceAll('"', '\\"'));
  });

  it('alarms on every dead-letter queue and on failed executions of every flow', () => {
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue')).length;
    stateless.resourceCountIs('AWS::CloudWatch::Alarm', queues + FLOWS.length);
    expect(Object.keys(stateless.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ExecutionsFailed' } }))).toHaveLength(
      FLOWS.length,
    );
  });

  it('schedules reconcile', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
  });

  describe('least privilege', () => {
    const providerWrites = [
      'ec2:CreateRoute',
      'ec2:DeleteRoute',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:CreateTransitGatewayRoute',
      'ec2:DeleteTransitGatewayRoute',
      'ec2:ModifyVpnConnectionOptions',
      'ec2:CreateVpnConnectionRoute',
      'ec2:DeleteVpnConnectionRoute',
      'directconnect:UpdateDirectConnectGatewayAssociation',
    ];

    it('lets only apply-change change the network', () => {
      const actions = actionsByHandler(stateless);
      for (const [handlerId, granted] of actions) {
        for (const action of providerWrites) {
          expect([handlerId, action, granted.has(action)]).toEqual([handlerId, action, handlerId === 'apply-change']);
        }
      }
    });

    it('lets only plan-flow and apply-change describe the network', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        const describes = granted.has('ec2:Describe*') || granted.has('directconnect:Describe*');
        expect([handlerId, describes]).toEqual([handlerId, handlerId === 'plan-flow' || handlerId === 'apply-change']);
      }
    });

    it('lets only notify read the Slack secret, and only with GetSecretValue', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        const secretActions = [...granted].filter((action) => action.startsWith('secretsmanager:'));
        expect([handlerId, secretActions]).toEqual([handlerId, handlerId === 'notify' ? ['secretsmanager:GetSecretValue'] : []]);
      }
    });

    it('lets only ingest-event and reconcile start flows, and keeps reconcile read-only on the table', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        expect([handlerId, granted.has('states:StartExecution')]).toEqual([
          handlerId,
          handlerId === 'ingest-event' || handlerId === 'reconcile',
        ]);
        const writes = granted.has('dynamodb:PutItem') || granted.has('dynamodb:UpdateItem');
        expect([handlerId, writes]).toEqual([handlerId, handlerId !== 'reconcile']);
      }
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('runs over the app: an unacknowledged finding fails synthesis', async () => {
    // Prepare
    const scratch = await mkdtemp(path.join(tmpdir(), 'podreach-nag-'));
    const app = new App({ outdir: scratch, context: { 'aws:cdk:bundling-stacks': [] } });
    const { stateless: stack } = buildPodreachStacks(app, { nag: true });
    new sqs.Queue(stack, 'QueueWithoutTls');

    // Act
    const synth = () => app.synth();

    // Assess
    try {
      expect(synth).toThrow(/AwsSolutions-SQS4/);
      const report = await readFile(path.join(scratch, 'validation-report.json'), 'utf8');
      expect(report).toContain('AwsSolutions-SQS4');
      expect(report).toContain('QueueWithoutTls');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }, 180_000);

  it('reports nothing unacknowledged (synthesis would have failed) and the validation report is empty', async () => {
    const report = JSON.parse(await readFile(path.join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });
});

describe('cfn-lint', () => {
  it('finds no errors or warnings in the synthesized templates', async () => {
    // W3005 flags the DependsOn CDK adds from each function to its role's default policy, which CloudFormation
    // needs so the policy exists before the function is invoked; it is redundant only for the role itself.
    const templates = ['PodreachStateful.template.json', 'PodreachStateless.template.json'].map((file) => path.join(outdir, file));
    const result = await run('cfn-lint', ['--ignore-checks', 'W3005', '--', ...templates]).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
    expect(result).toEqual({ code: 0, stdout: '' });
  }, 120_000);
});
