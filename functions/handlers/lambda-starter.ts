// The FlowStarter of the ingest and reconcile Lambdas: StartExecution on the flows' state machines,
// whose ARNs come from the environment (STATE_MACHINE_ARNS: JSON {flow: arn}).
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { SfnFlowStarter } from '../adapters/stepfunctions/flow-starter.js';
import { InvalidInputError } from '../domain/errors.js';
import { FLOWS } from '../domain/model.js';
import type { FlowStarter } from '../ports/flow-runner.js';
import { once } from './runtime.js';

const arnsSchema = z.partialRecord(z.enum(FLOWS), z.string().startsWith('arn:'));

export const lambdaStarter = once(async (): Promise<FlowStarter> => {
  let arns: unknown;
  try {
    arns = JSON.parse(process.env.STATE_MACHINE_ARNS ?? '');
  } catch {
    throw new InvalidInputError('environment STATE_MACHINE_ARNS', 'must be a JSON object {flow: state machine ARN}');
  }
  const parsed = arnsSchema.safeParse(arns);
  if (!parsed.success) throw new InvalidInputError('environment STATE_MACHINE_ARNS', parsed.error.issues[0]?.message ?? 'invalid');
  const endpoint = process.env.AWS_ENDPOINT_URL;
  return new SfnFlowStarter({ client: new SFNClient(endpoint ? { endpoint } : {}), stateMachineArns: parsed.data });
});
