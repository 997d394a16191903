// CLI commands that talk to AWS (loaded only when used): trigger --aws, emit, profile put --table. Each resolves
// its region (--region, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's) and credentials (--aws-profile,
// else the default chain) and reaches the service's endpoint once before its first call (awsPreflight).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoStateStore } from '../adapters/dynamodb/state-store.js';
import { awsCredentialsProblem, PreflightError, probeEndpoint } from '../adapters/preflight.js';
import { regionProblem } from '../domain/identifiers.js';
import { EventEmitter } from '../adapters/eventbridge/emitter.js';
import { SfnFlowRunner } from '../adapters/stepfunctions/sfn-runner.js';
import type { ClusterEvent } from '../../events/schemas.js';
import { executionIdFor } from '../application/execution-id.js';
import { InvalidInputError } from '../domain/errors.js';
import type { Flow } from '../domain/model.js';
import type { ConnectivityProfile } from '../domain/profile.js';
import { buildReport, renderTable } from './report.js';

const endpoint = () => (process.env.AWS_ENDPOINT_URL ? { endpoint: process.env.AWS_ENDPOINT_URL } : {});

export interface AwsFlags {
  /** --region */
  region?: string;
  /** --aws-profile: a profile of ~/.aws/config and ~/.aws/credentials */
  awsProfile?: string;
}

type AwsService = 'events' | 'dynamodb' | 'states' | 'cloudformation';

/** Reads the region the SDK would use for these flags, without a call: undefined when none is configured. */
async function resolveRegion(flags: AwsFlags): Promise<string | undefined> {
  if (flags.region) return flags.region;
  const probe = new SFNClient({ ...(flags.awsProfile ? { profile: flags.awsProfile } : {}) });
  try {
    return await probe.config.region();
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/**
 * The client configuration for `service`, once its region is an AWS region, credentials are found and its
 * endpoint answers; otherwise a PreflightError (exit 2) saying what to set. Nothing has been sent to AWS yet.
 */
export async function awsPreflight(service: AwsService, flags: AwsFlags): Promise<{ region: string; profile?: string; endpoint?: string }> {
  const region = await resolveRegion(flags);
  if (!region) {
    throw new PreflightError(
      '--region',
      `no AWS region: pass --region, set AWS_REGION, or set region in ${flags.awsProfile ? `the profile "${flags.awsProfile}"` : 'the profile'} of ~/.aws/config (AWS_PROFILE or --aws-profile)`,
    );
  }
  const problem = regionProblem('aws', region);
  if (problem) throw new PreflightError(flags.region ? '--region' : 'AWS_REGION', problem);
  const credentials = await awsCredentialsProblem({ region, ...(flags.awsProfile ? { profile: flags.awsProfile } : {}) }, 10_000);
  if (credentials) throw new PreflightError(flags.awsProfile ? '--aws-profile' : 'credentials', credentials);
  const url = process.env.AWS_ENDPOINT_URL ?? `https://${service}.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
  const reached = await probeEndpoint(url, 5000);
  if (reached !== true) {
    throw new PreflightError('--region', `the ${service} endpoint ${url} is not reachable (${reached}); check --region / AWS_REGION and the network, or set AWS_ENDPOINT_URL for an emulator`);
  }
  return { region, ...(flags.awsProfile ? { profile: flags.awsProfile } : {}), ...endpoint() };
}

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

export async function triggerOnAws(flow: Flow, flags: AwsFlags & { cluster: string; stateMachineArn?: string; requestId?: string; json?: boolean }): Promise<number> {
  const client = new SFNClient(await awsPreflight('states', flags));
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

export async function emitToBus(event: ClusterEvent, flags: AwsFlags & { bus: string; json?: boolean }): Promise<number> {
  const emitter = new EventEmitter({ client: new EventBridgeClient(await awsPreflight('events', flags)) });
  const result = await emitter.put(event, flags.bus);
  process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `put ${event.detailType} for ${event.detail.clusterId} on bus ${flags.bus}\n`);
  return 0;
}

export async function putProfileOnAws(profile: ConnectivityProfile, tableName: string, flags: AwsFlags = {}): Promise<number> {
  const store = new DynamoStateStore({ client: new DynamoDBClient(await awsPreflight('dynamodb', flags)), tableName });
  await store.putProfile(profile);
  process.stdout.write(`stored profile ${profile.metadata.name} in table ${tableName}\n`);
  return 0;
}
