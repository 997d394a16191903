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
import { parseCloudCredentials } from '../../functions/adapters/cloud-credentials.js';
import { webhookUrlFromSecretValue } from '../../functions/adapters/slack/secret.js';
import { FLOW_FAILED_ERROR, FLOW_STATES, HANDLER_IDS, RETRYABLE_ERRORS, type HandlerId } from '../../infra/handler-ids.js';
import { assumeRoleArnsFromContext, buildPodreachStacks } from '../../infra/podreach-app.js';
import { AWS_ACTIONS, AWS_ADDRESS_ACTIONS } from '../../functions/adapters/aws/actions.js';
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
type State = Record<string, unknown>;

/** Each state machine's definition, parsed after joining its Fn::Join with the function ARNs left as placeholders. */
function flowDefinitions(template: Template): Array<{ States: Record<string, State> }> {
  return Object.values(template.findResources('AWS::StepFunctions::StateMachine') as Resources).map((machine) => {
    const parts = (machine.Properties['DefinitionString'] as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'arn:placeholder')).join('')) as { States: Record<string, State> };
  });
}

/** Every state of a definition, including those of Map item processors, as [name, state]. */
function collectStates(definition: { States: Record<string, State> }): Array<[string, State]> {
  return Object.entries(definition.States).flatMap(([name, state]): Array<[string, State]> => {
    const processor = state['ItemProcessor'] as { States: Record<string, State> } | undefined;
    return [[name, state], ...(processor ? collectStates(processor) : [])];
  });
}

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

/** Every policy statement granted to each handler's role, read from the synthesized policies. */
function statementsByHandler(template: Template): Map<HandlerId, Statement[]> {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources);
  const result = new Map<HandlerId, Statement[]>();
  for (const fn of Object.values(functions)) {
    const handlerId = (fn.Properties['Environment'] as { Variables: Record<string, string> }).Variables['PODREACH_HANDLER'] as HandlerId;
    const roleId = (fn.Properties['Role'] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    result.set(
      handlerId,
      policies
        .filter((policy) => (policy.Properties['Roles'] as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
        .flatMap((policy) => (policy.Properties['PolicyDocument'] as { Statement: Statement[] }).Statement),
    );
  }
  return result;
}

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Whether an IAM action pattern (`ec2:Describe*`) covers an action (`ec2:DescribeRouteTables`). */
function covers(pattern: string, action: string): boolean {
  const [patternService, patternName = ''] = pattern.toLowerCase().split(':');
  const [service, name = ''] = action.toLowerCase().split(':');
  if (patternService !== service) return false;
  // IAM action names are letters only; `*` is the one wildcard podreach grants with.
  const regex = new RegExp(`^${patternName.replaceAll('*', '[a-z]*')}$`);
  return regex.test(name);
}

/** The IAM action of every `new XxxCommand(` the AWS provider adapter sends, by the SDK package it imports it from. */
async function awsProviderActions(): Promise<string[]> {
  const source = await readFile(path.join(repoRoot, 'functions', 'adapters', 'aws', 'aws-provider.ts'), 'utf8');
  const serviceOf = new Map<string, string>();
  for (const [, names = '', sdk] of source.matchAll(/import\s*{([^}]*)}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g)) {
    const service = sdk === 'direct-connect' ? 'directconnect' : String(sdk);
    for (const name of names.split(',').map((part) => part.trim())) serviceOf.set(name, service);
  }
  const commands = new Set([...source.matchAll(/new\s+([A-Za-z]+)Command\(/g)].map(([, command]) => String(command)));
  return [...commands].map((command) => {
    const service = serviceOf.get(`${command}Command`);
    if (!service) throw new Error(`${command}Command is not imported from an @aws-sdk/client-* package`);
    return `${service}:${command}`;
  });
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

  /** The stateful stack's secret whose logical id starts with this construct id. */
  const secretNamed = (id: string) =>
    Object.entries(stateful.findResources('AWS::SecretsManager::Secret') as Resources).find(([logicalId]) => logicalId.startsWith(id))?.[1];

  it('holds the Slack webhook URL and the cloud credentials in retained secrets, and outputs both ARNs', () => {
    stateful.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const secret of Object.values(stateful.findResources('AWS::SecretsManager::Secret') as Resources)) {
      expect(secret).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
    expect(secretNamed('SlackWebhookUrl')).toBeDefined();
    expect(secretNamed('CloudCredentials')).toBeDefined();
    const outputs = stateful.findOutputs('*');
    expect(outputs['SlackWebhookSecretArn']?.['Value']).toEqual({ Ref: expect.stringMatching(/^SlackWebhookUrl/) });
    expect(outputs['CloudCredentialsSecretArn']?.['Value']).toEqual({ Ref: expect.stringMatching(/^CloudCredentials/) });
  });

  it('creates the cloud credentials secret as "{}" (no keys: every adapter keeps its own chain), which the loader accepts', () => {
    // Prepare
    const secret = secretNamed('CloudCredentials');

    // Act
    const readBack = () => parseCloudCredentials(String(secret?.Properties['SecretString']));

    // Assess
    expect(secret?.Properties['SecretString']).toBe('{}');
    expect(secret?.Properties).not.toHaveProperty('GenerateSecretString');
    expect(readBack()).toEqual({});
  });

  it('creates the Slack secret as "{}" (no webhook yet), which notify accepts, never a generated random value', () => {
    // Prepare
    const secret = secretNamed('SlackWebhookUrl');

    // Act
    const readBack = () => webhookUrlFromSecretValue(JSON.parse(String(secret?.Properties['SecretString'])));

    // Assess
    expect(secret?.Properties['SecretString']).toBe('{}');
    expect(secret?.Properties).not.toHaveProperty('GenerateSecretString');
    expect(readBack()).toBeUndefined();
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
    // + the reconcile schedule and the two EKS lifecycle rules (test/infra/eks-lifecycle-rules.test.ts)
    stateless.resourceCountIs('AWS::Events::Rule', DETAIL_TYPES.length + 3);
  });

  it('enforces TLS on every queue', () => {
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue'));
    // a DLQ per detail-type rule, ingest failures, reconcile, and the two EKS lifecycle rules'
    expect(queues).toHaveLength(DETAIL_TYPES.length + 4);
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

  it('retries every Task, catches Plan and Notify, and ends a failed Notify with its own error', () => {
    // Prepare
    const resolved = flowDefinitions(stateless);

    // Assess
    expect(resolved).toHaveLength(FLOWS.length);
    for (const definition of resolved) {
      const tasks = collectStates(definition).filter(([, state]) => state['Type'] === 'Task');
      expect(tasks.map(([name]) => name).sort()).toEqual(
        [FLOW_STATES.plan, FLOW_STATES.loadPage, FLOW_STATES.applyChange, FLOW_STATES.recordFailure, FLOW_STATES.notify, FLOW_STATES.awaitApproval, FLOW_STATES.expireApproval].sort(),
      );
      for (const [name, state] of tasks) {
        expect([name, state['Retry']]).toEqual([
          name,
          [{ ErrorEquals: [...RETRYABLE_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 30, JitterStrategy: 'FULL' }],
        ]);
      }
      const states = Object.fromEntries(collectStates(definition));
      expect(states[FLOW_STATES.notify]?.['Catch']).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: FLOW_STATES.notifyFailed },
      ]);
      expect(states[FLOW_STATES.notifyFailed]).toEqual({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
      expect(states[FLOW_STATES.failed]).toMatchObject({ Type: 'Fail', Error: FLOW_FAILED_ERROR });
      expect(states[FLOW_STATES.recordFailure]?.['Catch']).toBeUndefined();
    }
  });

  it('alarms on every dead-letter queue and on failed executions of every flow', () => {
    const queues = Object.keys(stateless.findResources('AWS::SQS::Queue')).length;
    stateless.resourceCountIs('AWS::CloudWatch::Alarm', queues + FLOWS.length);
    expect(Object.keys(stateless.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ExecutionsFailed' } }))).toHaveLength(
      FLOWS.length,
    );
  });

  it('outputs the roles of plan-flow and apply-change (what other accounts\' roles trust)', () => {
    const outputs = stateless.findOutputs('*');
    expect(outputs['PlanFlowRoleArn']?.['Value']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PlanFlowFunctionServiceRole/), 'Arn'] });
    expect(outputs['ApplyChangeRoleArn']?.['Value']).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ApplyChangeFunctionServiceRole/), 'Arn'] });
  });

  it('schedules reconcile', () => {
    stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(6 hours)' });
  });

  describe('least privilege', () => {
    const providerWrites = [
      'ec2:CreateRoute',
      'ec2:ReplaceRoute',
      'ec2:DeleteRoute',
      'ec2:AssociateRouteTable',
      'ec2:DisassociateRouteTable',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:CreateTransitGatewayRoute',
      'ec2:ReplaceTransitGatewayRoute',
      'ec2:DeleteTransitGatewayRoute',
      'ec2:ModifyVpnConnectionOptions',
      'ec2:CreateVpnConnectionRoute',
      'ec2:DeleteVpnConnectionRoute',
      'directconnect:UpdateDirectConnectGatewayAssociation',
    ];
    const ec2Arn = (resourceType: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resourceType}/*`]],
    });

    it('grants apply-change every call the AWS provider adapter sends, and plan-flow its list calls', async () => {
      // Prepare
      // the address lookup is diagnose's, run from the CLI: no function is granted it
      const addressLookup = new Set(AWS_ADDRESS_ACTIONS.map((entry) => entry.action));
      const actions = (await awsProviderActions()).filter((action) => !addressLookup.has(action));
      const statements = statementsByHandler(stateless);
      const granted = (handlerId: HandlerId, action: string) =>
        (statements.get(handlerId) ?? []).some((statement) => [statement.Action].flat().some((pattern) => covers(pattern, action)));
      const listCalls = new Set(Object.values(AWS_ACTIONS).flatMap((kind) => kind.list.map((entry) => entry.action)));

      // Assess
      expect(actions).toEqual(expect.arrayContaining(['ec2:ReplaceRoute', 'ec2:AssociateRouteTable', 'directconnect:UpdateDirectConnectGatewayAssociation']));
      for (const action of actions) {
        const read = /^[a-z0-9]+:(Describe|Search)/.test(action);
        expect([action, granted('apply-change', action)]).toEqual([action, true]);
        expect([action, granted('plan-flow', action)]).toEqual([action, listCalls.has(action)]);
        if (!read) expect([action, providerWrites.includes(action)]).toEqual([action, true]);
      }
    });

    it('declares exactly the calls the AWS adapter sends in its actions table (one source for the roles and `podreach permissions`)', async () => {
      const sent = (await awsProviderActions()).sort();
      const declared = [...new Set([...Object.values(AWS_ACTIONS).flatMap((kind) => [...kind.list, ...kind.apply].map((entry) => entry.action)), ...AWS_ADDRESS_ACTIONS.map((entry) => entry.action)])].sort();
      expect(declared).toEqual(sent);
    });

    it('grants no wildcard action: every action a function holds is named', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        expect([handlerId, [...granted].filter((action) => action.includes('*') && !action.startsWith('xray:'))]).toEqual([handlerId, []]);
      }
    });

    it('lets no function assume a role unless roles are listed, then only plan-flow and apply-change, and only those roles', () => {
      // Prepare
      const roles = ['arn:aws:iam::222222222222:role/podreach-peer', 'arn:aws:iam::333333333333:role/podreach-network'];
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], 'podreach:assumeRoleArns': roles.join(',') } });
      const withRoles = Template.fromStack(buildPodreachStacks(app, { nag: false }).stateless);

      // Act
      const assumedBy = (template: Template) =>
        [...statementsByHandler(template)].flatMap(([handlerId, statements]) =>
          statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sts:'))).map((statement) => ({ handlerId, action: statement.Action, resource: [statement.Resource].flat().sort() })),
        );

      // Assess
      expect(assumedBy(stateless)).toEqual([]);
      expect(assumedBy(withRoles).sort((a, b) => a.handlerId.localeCompare(b.handlerId))).toEqual([
        { handlerId: 'apply-change', action: 'sts:AssumeRole', resource: roles },
        { handlerId: 'plan-flow', action: 'sts:AssumeRole', resource: roles },
      ]);
      expect(() => assumeRoleArnsFromContext(new App({ context: { 'podreach:assumeRoleArns': 'arn:aws:iam::2222:role/x' } }))).toThrow(/not an IAM role ARN/);
    });

    it('scopes each network write to the resource types it changes, in this account and region', () => {
      const statements = statementsByHandler(stateless).get('apply-change') ?? [];
      // CDK sorts the actions of a statement.
      const bySid = (sid: string) => {
        const statement = statements.find((candidate) => candidate.Sid === sid);
        return statement && { ...statement, Action: [statement.Action].flat().sort() };
      };
      expect(bySid('Routes')).toEqual({
        Sid: 'Routes',
        Effect: 'Allow',
        Action: ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'],
        Resource: ec2Arn('route-table'),
      });
      expect(bySid('SubnetRouteTableAssociations')).toEqual({
        Sid: 'SubnetRouteTableAssociations',
        Effect: 'Allow',
        Action: ['ec2:AssociateRouteTable', 'ec2:DisassociateRouteTable'],
        Resource: expect.arrayContaining([ec2Arn('route-table'), ec2Arn('subnet')]),
      });
      expect(bySid('TransitGatewayRoutes')).toEqual({
        Sid: 'TransitGatewayRoutes',
        Effect: 'Allow',
        Action: ['ec2:CreateTransitGatewayRoute', 'ec2:DeleteTransitGatewayRoute', 'ec2:ReplaceTransitGatewayRoute'],
        Resource: expect.arrayContaining([ec2Arn('transit-gateway-route-table'), ec2Arn('transit-gateway-attachment')]),
      });
      const writes = statements.filter((statement) => [statement.Action].flat().some((action) => providerWrites.includes(action)));
      for (const statement of writes) {
        expect([statement.Sid, [statement.Resource].flat().includes('*')]).toEqual([statement.Sid, false]);
      }
      expect(writes.flatMap((statement) => [statement.Action].flat()).sort()).toEqual([...providerWrites].sort());
    });

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
        const describes = granted.has('ec2:DescribeRouteTables') || granted.has('directconnect:DescribeDirectConnectGatewayAssociations');
        expect([handlerId, describes]).toEqual([handlerId, handlerId === 'plan-flow' || handlerId === 'apply-change']);
      }
    });

    it('lets only notify, the approval functions, plan-flow and apply-change read secrets, and only with GetSecretValue', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        const secretActions = [...granted].filter((action) => action.startsWith('secretsmanager:'));
        const readsSecrets = ['notify', 'approval', 'approval-callback', 'plan-flow', 'apply-change'].includes(handlerId);
        expect([handlerId, secretActions]).toEqual([handlerId, readsSecrets ? ['secretsmanager:GetSecretValue'] : []]);
      }
    });

    it('gives each function exactly the secrets it reads: the Slack secret to notify and the approval functions, the cloud credentials to plan-flow and apply-change', () => {
      // Prepare: the stateless stack names each secret by the stateful stack's export of its Ref.
      const functions = Object.values(stateless.findResources('AWS::Lambda::Function') as Resources);
      const statements = statementsByHandler(stateless);
      const exportOf = (resource: unknown) => (resource as { 'Fn::ImportValue'?: string })['Fn::ImportValue'] ?? JSON.stringify(resource);
      const secretsReadBy = (handlerId: HandlerId) =>
        (statements.get(handlerId) ?? [])
          .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('secretsmanager:')))
          .flatMap((statement) => [statement.Resource].flat().map(exportOf))
          .sort();
      const envOf = (handlerId: HandlerId) =>
        functions
          .map((fn) => (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables)
          .find((variables) => variables['PODREACH_HANDLER'] === handlerId) ?? {};

      // Assess
      for (const handlerId of HANDLER_IDS) {
        const cloud = handlerId === 'plan-flow' || handlerId === 'apply-change';
        const slack = handlerId === 'notify' || handlerId === 'approval' || handlerId === 'approval-callback';
        const expected = cloud ? [expect.stringMatching(/RefCloudCredentials/)] : slack ? [expect.stringMatching(/RefSlackWebhookUrl/)] : [];
        expect([handlerId, secretsReadBy(handlerId)]).toEqual([handlerId, expected]);
        const variable = envOf(handlerId)['CLOUD_CREDENTIALS_SECRET_ARN'];
        expect([handlerId, variable === undefined ? undefined : exportOf(variable)]).toEqual([
          handlerId,
          cloud ? expect.stringMatching(/RefCloudCredentials/) : undefined,
        ]);
      }
    });

    it('lets only ingest-event and reconcile start flows, and keeps reconcile and load-page read-only on the table', () => {
      for (const [handlerId, granted] of actionsByHandler(stateless)) {
        expect([handlerId, granted.has('states:StartExecution')]).toEqual([
          handlerId,
          handlerId === 'ingest-event' || handlerId === 'reconcile',
        ]);
        const writes = granted.has('dynamodb:PutItem') || granted.has('dynamodb:UpdateItem');
        // eks-lifecycle uses no table: it puts events on the bus
        expect([handlerId, writes]).toEqual([handlerId, handlerId !== 'reconcile' && handlerId !== 'load-page' && handlerId !== 'eks-lifecycle']);
      }
    });

    it('waits for approval on a task token, with the policy timeout, and resumes by planning again', () => {
      for (const definition of flowDefinitions(stateless)) {
        const states = Object.fromEntries(collectStates(definition));
        expect(states[FLOW_STATES.needsApproval]).toMatchObject({ Type: 'Choice', Choices: [{ Variable: '$.approval.changes', NumericGreaterThan: 0, Next: FLOW_STATES.awaitApproval }] });
        const gate = states[FLOW_STATES.awaitApproval]!;
        expect(String(gate['Resource'])).toMatch(/:states:::lambda:invoke\.waitForTaskToken$/);
        expect(gate).toMatchObject({ TimeoutSecondsPath: '$.approval.timeoutSeconds', Next: FLOW_STATES.plan, Parameters: { Payload: { 'taskToken.$': '$$.Task.Token', action: 'request' } } });
        expect(gate['Catch']).toEqual([
          { ErrorEquals: ['ApprovalPending', 'ApprovalRejected'], ResultPath: '$.approvalOutcome', Next: FLOW_STATES.notify },
          { ErrorEquals: ['States.Timeout'], ResultPath: '$.approvalOutcome', Next: FLOW_STATES.expireApproval },
        ]);
      }
    });

    it('exposes the approval endpoint as a function URL whose function alone may answer the flows task tokens', () => {
      stateless.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
      const granted = actionsByHandler(stateless);
      for (const [handlerId, actions] of granted) {
        const answers = ['states:SendTaskSuccess', 'states:SendTaskFailure'].some((action) => actions.has(action));
        expect([handlerId, answers]).toEqual([handlerId, handlerId === 'approval-callback']);
      }
    });

    it('applies lanes as a Distributed Map of standard child executions whose results are discarded', () => {
      for (const definition of flowDefinitions(stateless)) {
        const states = Object.fromEntries(collectStates(definition));
        expect(states[FLOW_STATES.applyLanes]).toMatchObject({
          Type: 'Map',
          ItemsPath: '$.lanes',
          ResultPath: null,
          ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: FLOW_STATES.loadPage },
        });
        expect(states[FLOW_STATES.applyPage]).toMatchObject({ Type: 'Map', ItemsPath: '$.changeIds', MaxConcurrency: 1, ResultPath: null });
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
