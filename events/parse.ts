// Parses an event at the edge: EventBridge envelope or bare detail -> a typed ClusterEvent, or an
// InvalidInputError naming the offending field. Nothing downstream sees unvalidated input.
// The messages tell a wrong type, a value out of range, an unknown key and a missing field apart, and name the
// expected type or range (issueMessage); a value is quoted only in part, so no input can flood a message.
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { InvalidInputError } from '../functions/domain/errors.js';
import { describeValue, findShapeProblem } from '../functions/domain/identifiers.js';

export { describeValue };
import { LIMITS } from '../functions/domain/limits.js';
import { DETAIL_SCHEMAS, envelopeSchema, inferDetailType, type ClusterEvent, type DetailType } from './schemas.js';

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && PLAIN_KEY.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key).slice(0, 80))}]`;
  }
  return out;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  bigint: 'an integer',
  date: 'a date',
};

function plural(count: number | bigint, word: string): string {
  return `${count} ${word}${count === 1 || count === 1n ? '' : 's'}`;
}

function lengthOf(input: unknown): number | undefined {
  if (typeof input === 'string' || Array.isArray(input)) return input.length;
  return undefined;
}

/**
 * The message for a zod issue that its schema did not word itself: used as the per-parse error map, so a
 * schema's own message (a CIDR's format, a rule) still wins. Missing, wrong type, out of range, unknown key
 * and a value outside a list each read differently.
 */
export function issueMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (input === undefined) return `required, missing (expected ${expected})`;
      return `wrong type: expected ${expected}, got ${describeValue(input)}`;
    }
    case 'too_small': {
      const got = lengthOf(input);
      if (issue.origin === 'number' || issue.origin === 'bigint') {
        return `out of range: must be ${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}, got ${String(input)}`;
      }
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `too short: at least ${plural(issue.minimum, 'character')}, got ${got ?? '?'}`;
      return `too few: at least ${plural(issue.minimum, 'item')}, got ${got ?? '?'}`;
    }
    case 'too_big': {
      const got = lengthOf(input);
      if (issue.origin === 'number' || issue.origin === 'bigint') {
        return `out of range: must be ${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}, got ${String(input)}`;
      }
      if (issue.origin === 'string') return `too long: at most ${plural(issue.maximum, 'character')}, got ${got ?? '?'}`;
      return `too many: at most ${plural(issue.maximum, 'item')}, got ${got ?? '?'}`;
    }
    case 'unrecognized_keys': {
      const keys = issue.keys.map((key) => JSON.stringify(key.slice(0, 80))).join(', ');
      const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
      const known = shape ? ` (expected: ${Object.keys(shape).join(', ')})` : '';
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${known}`;
    }
    case 'invalid_value': {
      const values = issue.values.map((value) => JSON.stringify(value)).join(', ');
      const got = input === undefined ? 'missing' : describeValue(input);
      return issue.values.length === 1 ? `must be ${values}, got ${got}` : `expected one of: ${values}; got ${got}`;
    }
    case 'invalid_format':
      return `not a valid ${issue.format}${typeof input === 'string' ? `: ${describeValue(input)}` : ''}`;
    case 'invalid_union':
      return `matches none of the accepted forms (got ${describeValue(input)})`;
    default:
      return undefined;
  }
}

/** Parse options for every edge: the messages above. */
export const PARSE_OPTIONS = { error: issueMessage } as const;

/** The first zod issue as an InvalidInputError naming the field (`prefix` is the file, or the field's parent). */
export function toInvalidInput(error: z.ZodError, prefix = ''): InvalidInputError {
  const issue = error.issues[0];
  if (!issue) return new InvalidInputError(prefix, 'invalid');
  const field = formatPath(issue.path, prefix) || prefix || '(root)';
  const extra = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more issue${error.issues.length > 2 ? 's' : ''})` : '';
  return new InvalidInputError(field, `${issue.message}${extra}`);
}

/** The first issue of `error` as an InvalidInputError whose field reads "SOURCE: path.in.it" (and an optional hint after the reason). */
export function invalidIn(source: string, error: z.ZodError, hint: (field: string) => string = () => ''): InvalidInputError {
  const inner = toInvalidInput(error);
  return new InvalidInputError(`${source}: ${inner.field}`, `${inner.reason}${hint(inner.field)}`);
}

/** The same error with the file it came from named first: "events/x.json: detail.clusterId: ...". */
export function withSource(error: InvalidInputError, source: string): InvalidInputError {
  return new InvalidInputError(error.field, error.reason, source);
}

/** Validates a detail against its detail-type's schema; errors name the field under `prefix`. */
export function parseDetail(detailType: DetailType, detail: unknown, prefix: string): ClusterEvent {
  const result = DETAIL_SCHEMAS[detailType].safeParse(detail, PARSE_OPTIONS);
  if (!result.success) throw toInvalidInput(result.error, prefix);
  return { detailType, detail: result.data } as ClusterEvent;
}

/** Accepts an EventBridge event or a bare detail object. `source` (a file name) is named in errors. */
export function parseClusterEvent(input: unknown, source?: string): ClusterEvent {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError('(root)', `an event must be a JSON object, got ${describeValue(input)}`, source);
  }
  const shape = findShapeProblem(input);
  if (shape) throw new InvalidInputError(formatPath(shape.path) || '(root)', shape.message, source);
  const record = input as Record<string, unknown>;
  try {
    if ('detail-type' in record || 'source' in record || 'detail' in record) {
      const envelope = envelopeSchema.safeParse(record, PARSE_OPTIONS);
      if (!envelope.success) throw toInvalidInput(envelope.error);
      const event = parseDetail(envelope.data['detail-type'], envelope.data.detail, 'detail');
      return envelope.data.id ? { ...event, id: envelope.data.id } : event;
    }
    return parseDetail(inferDetailType(record), record, 'detail');
  } catch (error) {
    if (error instanceof InvalidInputError && source) throw withSource(error, source);
    throw error;
  }
}

/** Parses JSON text (a file's content) into an event; malformed or oversized JSON is an InvalidInputError too. */
export function parseClusterEventJson(text: string, source = 'event'): ClusterEvent {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > LIMITS.eventBytes) {
    throw new InvalidInputError(source, `too large: an event is at most ${LIMITS.eventBytes / 1024} KB (EventBridge's limit), this one is ${Math.ceil(bytes / 1024)} KB`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError(source, `malformed JSON (${(error as Error).message})`);
  }
  return parseClusterEvent(value, source);
}

/** YAML (or JSON, which is YAML too) into a plain value; `source` names the file in errors. */
export function parseYamlText(text: string, source: string, maxBytes: number): unknown {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) throw new InvalidInputError(source, `too large: at most ${Math.round(maxBytes / 1024)} KB, this file is ${Math.ceil(bytes / 1024)} KB`);
  let value: unknown;
  try {
    // maxAliasCount bounds what anchors and aliases can expand to (the "billion laughs")
    value = parseYaml(text, { maxAliasCount: 100, uniqueKeys: true });
  } catch (error) {
    throw new InvalidInputError(source, `not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const problem = findShapeProblem(value);
  if (problem) throw new InvalidInputError(formatPath(problem.path) || '(root)', problem.message, source);
  return value;
}
