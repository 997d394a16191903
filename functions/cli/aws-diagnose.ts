// `podreach diagnose --aws`: the deployed state (the table named by --table, else the TableName output of the
// stateful stack) and the clouds each account names, with the usual credential chains. Loaded only when used.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoStateStore } from '../adapters/dynamodb/state-store.js';
import type { CloudCredentials } from '../adapters/cloud-credentials-schema.js';
import { createProviderRegistry } from '../adapters/provider-registry.js';
import { preflight } from '../adapters/preflight.js';
import type { DiagnoseDeps } from '../application/diagnose.js';
import { awsPreflight, type AwsFlags } from './aws-commands.js';
import { InvalidInputError } from '../domain/errors.js';

/** infra/podreach-app.ts STATEFUL_STACK_ID (not imported: it would load the CDK). */
export const STATEFUL_STACK_NAME = 'PodreachStateful';
/** The CfnOutput of infra/stateful-stack.ts that names the table. */
export const TABLE_OUTPUT_KEY = 'TableName';

/** The table the deployed stack made, from its outputs; InvalidInputError naming --table when there is none. */
export async function tableNameFromStack(client: CloudFormationClient, stackName = STATEFUL_STACK_NAME): Promise<string> {
  let stacks;
  try {
    stacks = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    if ((error as { name?: string }).name === 'ValidationError') {
      throw new InvalidInputError('--table', `no stack ${stackName} in this account and region (${(error as Error).message}); deploy podreach or pass --table`);
    }
    throw error;
  }
  const value = stacks[0]?.Outputs?.find((output) => output.OutputKey === TABLE_OUTPUT_KEY)?.OutputValue;
  if (!value) throw new InvalidInputError('--table', `stack ${stackName} has no ${TABLE_OUTPUT_KEY} output; pass --table`);
  return value;
}

export async function awsStateDeps(flags: AwsFlags & { table?: string }, credentials?: CloudCredentials): Promise<DiagnoseDeps> {
  const tableName = flags.table ?? (await tableNameFromStack(new CloudFormationClient(await awsPreflight('cloudformation', flags))));
  const store = new DynamoStateStore({ client: new DynamoDBClient(await awsPreflight('dynamodb', flags)), tableName });
  // each account through the provider its cluster names, checked as a run checks them
  return {
    store,
    providers: await createProviderRegistry({ store, ...(credentials ? { credentials } : {}) }),
    preflight: (accounts) => preflight(accounts, credentials ? { credentials } : {}),
  };
}
