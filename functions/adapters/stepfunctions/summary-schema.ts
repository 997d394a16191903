// The ExecutionSummary as it comes back from a state machine (execution output, or the Notify task's output):
// parsed with zod at this edge rather than cast. Loose on extra fields so that additive changes pass.
import { z } from 'zod';
import { CHANGE_KINDS, CHANGE_STATUSES, FLOWS, NEXT_HOP_TYPES, PROVIDER_NAMES } from '../../domain/model.js';
import type { ExecutionSummary } from '../../ports/notifier.js';


const changeSchema = z.looseObject({
  id: z.string(),
  clusterId: z.string(),
  flow: z.enum(FLOWS),
  action: z.enum(['create', 'delete', 'update']),
  provider: z.enum(PROVIDER_NAMES),
  region: z.string(),
  account: z.string().optional(),
  status: z.enum(CHANGE_STATUSES),
  reason: z.string().optional(),
  kind: z.enum(CHANGE_KINDS),
  target: z.string(),
  cidr: z.string().optional(),
  nextHop: z.string().optional(),
  nextHopType: z.enum(NEXT_HOP_TYPES).optional(),
  peerCidr: z.string().optional(),
  port: z.string().optional(),
  enabled: z.boolean().optional(),
});

const artifactSchema = z.looseObject({
  kind: z.string(),
  name: z.string(),
  flow: z.enum(FLOWS),
  mediaType: z.enum(['application/json', 'application/yaml', 'text/plain']),
  content: z.string(),
});

const count = z.number().int().nonnegative();

export const executionSummarySchema = z.looseObject({
  clusterId: z.string(),
  flow: z.enum(FLOWS),
  executionId: z.string(),
  outcome: z.enum(['succeeded', 'failed']),
  changes: z.array(changeSchema),
  counts: z.object({ applied: count, unchanged: count, blocked: count, failed: count }),
  artifacts: z.array(artifactSchema),
  warnings: z.array(z.string()),
  error: z.string().optional(),
});

// Compile-time check that the schema and the port's type agree.
const _agrees: (value: z.infer<typeof executionSummarySchema>) => ExecutionSummary = (value) => value;
void _agrees;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The summary inside a state's or an execution's output: the output itself, or one level down (a Lambda
 * task's `Payload`, or a ResultPath such as `$.summary`). undefined when there is none.
 */
export function findSummary(outputJson: string | undefined): ExecutionSummary | undefined {
  const value = parseJson(outputJson);
  const direct = executionSummarySchema.safeParse(value);
  if (direct.success) return direct.data;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const child of Object.values(value)) {
    const nested = executionSummarySchema.safeParse(child);
    if (nested.success) return nested.data;
  }
  return undefined;
}
