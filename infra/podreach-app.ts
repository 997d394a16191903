// Builds podreach's two stacks into an App. Shared by the CDK entry point (infra/app.ts), the infra tests and the
// local flow runner, so all three see the same state machines.
import { Validations, type App, type StackProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.js';
import { StatefulStack } from './stateful-stack.js';
import { StatelessStack } from './stateless-stack.js';

export const STATEFUL_STACK_ID = 'PodreachStateful';
export const STATELESS_STACK_ID = 'PodreachStateless';

export interface PodreachStacks {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

export interface BuildOptions {
  /** Run cdk-nag AwsSolutions over the app (default true). A validation plugin: it fails synthesis on an unacknowledged finding and never changes templates. */
  nag?: boolean;
  env?: StackProps['env'];
  /**
   * Roles of other AWS accounts the functions may assume (the cloud credentials' `accounts.aws` roles). Default: the
   * CDK context `podreach:assumeRoleArns` (a list, or text separated by commas), else none.
   */
  assumeRoleArns?: readonly string[];
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

/** The roles from the CDK context (`cdk deploy -c podreach:assumeRoleArns=arn1,arn2`, or a list in cdk.json). */
export function assumeRoleArnsFromContext(app: App): string[] {
  const value: unknown = app.node.tryGetContext('podreach:assumeRoleArns');
  const list = value === undefined ? [] : Array.isArray(value) ? value.map(String) : String(value).split(',');
  const roles = list.map((role) => role.trim()).filter(Boolean);
  for (const role of roles) {
    if (!ROLE_ARN.test(role)) throw new Error(`podreach:assumeRoleArns: "${role}" is not an IAM role ARN (arn:aws:iam::123456789012:role/NAME)`);
  }
  return roles;
}

export function buildPodreachStacks(app: App, options: BuildOptions = {}): PodreachStacks {
  const stateful = new StatefulStack(app, STATEFUL_STACK_ID, {
    env: options.env,
    description: 'podreach state: the DynamoDB table, the Slack webhook secret and the cloud credentials secret.',
  });
  const stateless = new StatelessStack(app, STATELESS_STACK_ID, {
    env: options.env,
    description: 'podreach: event bus, rules, functions, flow state machines, reconcile schedule and alarms.',
    table: stateful.table,
    slackWebhookSecret: stateful.slackWebhookSecret,
    cloudCredentialsSecret: stateful.cloudCredentialsSecret,
    assumeRoleArns: options.assumeRoleArns ?? assumeRoleArnsFromContext(app),
  });
  stateless.addStackDependency(stateful);
  if (options.nag ?? true) {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  }
  return { stateful, stateless };
}
