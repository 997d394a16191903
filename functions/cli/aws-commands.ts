// CLI commands that talk to AWS (loaded only when used): trigger --aws, emit, profile put --table.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoStateStore } from '../adapters/dynamodb/state-store.js';
import { EventEmitter } from '../adapters/eventbridge/emitter.js';
import { SfnFlowRunner } from '../adapters/stepfunctions/sfn-runner.js';
import type { ClusterEvent } from '../../events/schemas.js';
import { executionIdFor } from '../application/execution-id.js';
import { InvalidInputError } from '../domain/errors.js';
import type { Flow } from '../domain/model.js';
import type { ConnectivityProfile } from '../domain/profile.js';
import { buildReport, renderTable } from './report.js';

const endpoint = () => (process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {});

async function findStateMachine(client: SFNClient, flow: Flow): Promise<string> {
  const name = `podreach-${flow}`;
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListStateMachinesCommand({ ...(nextToken ? { nextToken } : {}) }));
    const found = page.stateMachines?.find((machine) => machine.name === name);
    if (found?.stateMachineArn) return found.stateMachineArn;
    nextToken = page.nextToken;
  } while (nextToken);
  throw new InvalidInputError('--state-machine-arn', `no state machine named ${name} in this account and region; deploy podreach or pass --state-machine-arn`);
}

export async function triggerOnAws(flow: Flow, flags: { cluster: string; stateMachineArn?: string; requestId?: string; json?: boolean }): Promise<number> {
  const client = new SFNClient(endpoint());
  const arn = flags.stateMachineArn ?? (await findStateMachine(client, flow));
  const runner = new SfnFlowRunner({ client, stateMachineArns: { [flow]: arn } as Record<Flow, string> });
  // Same cluster, flow and request id (default: five-minute window): a double start attaches to the same execution.
  const origin = flags.requestId !== undefined ? `request-${flags.requestId}` : `manual-${Math.floor(Date.now() / 300_000)}`;
  const executionId = executionIdFor(flags.cluster, flow, origin);
  const summary = await runner.run({ clusterId: flags.cluster, flow, executionId }, (message) => {
    if (!flags.json) process.stderr.write(`… ${message}\n`);
  });
  const report = buildReport({
    clusterId: summary.clusterId,
    executionId: summary.executionId,
    dryRun: false,
    changes: summary.changes,
    artifacts: [],
    warnings: summary.warnings,
    errors: summary.error ? [{ flow, error: summary.error }] : [],
  });
  process.stdout.write(`${flags.json ? JSON.stringify(report, null, 2) : renderTable(report)}\n`);
  return summary.outcome === 'failed' ? 1 : 0;
}

export async function emitToBus(event: ClusterEvent, flags: { bus: string; json?: boolean }): Promise<number> {
  const emitter = new EventEmitter({ client: new EventBridgeClient(endpoint()) });
  const result = await emitter.put(event, flags.bus);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `put ${event.detailType} for ${event.detail.clusterId} on bus ${flags.bus}\n`);
  return 0;
}

export async function putProfileOnAws(profile: ConnectivityProfile, tableName: string): Promise<number> {
  const store = new DynamoStateStore({ client: new DynamoDBClient(endpoint()), tableName });
  await store.putProfile(profile);
  process.stdout.write(`stored profile ${profile.metadata.name} in table ${tableName}\n`);
  return 0;
}
