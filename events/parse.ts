// Parses an event at the edge: EventBridge envelope or bare detail -> a typed ClusterEvent, or an
// InvalidInputError naming the offending field. Nothing downstream sees unvalidated input.
import type { z } from 'zod';
import { InvalidInputError } from '../functions/domain/errors.js';
import { DETAIL_SCHEMAS, envelopeSchema, inferDetailType, type ClusterEvent, type DetailType } from './schemas.js';

export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** The first zod issue as an InvalidInputError naming the field. */
export function toInvalidInput(error: z.ZodError, prefix = ''): InvalidInputError {
  const issue = error.issues[0];
  if (!issue) return new InvalidInputError(prefix, 'invalid');
  const field = formatPath(issue.path, prefix) || prefix || '(root)';
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'required' : issue.message;
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more issue${error.issues.length > 2 ? 's' : ''})` : '';
  return new InvalidInputError(field, `${message}${extra}`);
}

/** Validates a detail against its detail-type's schema; errors name the field under `prefix`. */
export function parseDetail(detailType: DetailType, detail: unknown, prefix: string): ClusterEvent {
  const result = DETAIL_SCHEMAS[detailType].safeParse(detail);
  if (!result.success) throw toInvalidInput(result.error, prefix);
  return { detailType, detail: result.data } as ClusterEvent;
}

/** Accepts an EventBridge event or a bare detail object. */
export function parseClusterEvent(input: unknown): ClusterEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError('(root)', 'an event must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  if ('detail-type' in record || 'source' in record || 'detail' in record) {
    const envelope = envelopeSchema.safeParse(record);
    if (!envelope.success) throw toInvalidInput(envelope.error);
    const event = parseDetail(envelope.data['detail-type'], envelope.data.detail, 'detail');
    return envelope.data.id ? { ...event, id: envelope.data.id } : event;
  }
  return parseDetail(inferDetailType(record), record, 'detail');
}

/** Parses JSON text (a file's content) into an event; malformed JSON is an InvalidInputError too. */
export function parseClusterEventJson(text: string, source = 'event'): ClusterEvent {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(source, `malformed JSON (${(error as Error).message})`);
  }
  return parseClusterEvent(value);
}
