// The identifier rules of the systems podreach's values go to (README "Limits and identifiers"): a clusterId
// that is safe as a key and a file name, each cloud's region format, Kubernetes names (DNS-1123) for nodes,
// speakers and BGPPeer resources, Kubernetes label syntax for labels and node selectors. Pure: patterns and zod.
import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { ProviderName } from './model.js';

/** A short description of a received value: its type and, for scalars, the start of the value (never all of it). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list (${value.length} item${value.length === 1 ? '' : 's'})`;
  switch (typeof value) {
    case 'string':
      return value.length > 40 ? `a string (${JSON.stringify(value.slice(0, 40))}… ${value.length} characters)` : `a string (${JSON.stringify(value)})`;
    case 'number':
      return Number.isInteger(value) ? `an integer (${value})` : `a number (${value})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/**
 * A format's message with the value received. A value that is not a string at all is left to the parse's error
 * map (events/parse.ts), which says "wrong type" or "missing" instead.
 */
export function formatError(message: string) {
  return { error: (issue: { input?: unknown }) => (typeof issue.input === 'string' ? `${message}; got ${describeValue(issue.input)}` : undefined) };
}

/**
 * clusterId: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit. Covers every cloud's
 * cluster ids and names (TKE cls-xxxxxxxx, ACK 32 hex, CCE UUIDs, EKS names) and can never be a path ("/",
 * "..", NUL, newline) or a mrkdwn control character.
 */
export const CLUSTER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const clusterIdSchema = z
  .string()
  .max(128)
  .regex(CLUSTER_ID_PATTERN, formatError('not a safe cluster id: 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit'));

/** Region ids per cloud, from each cloud's region list (a zone such as ap-guangzhou-3 or cn-hangzhou-h is not a region). */
export const REGION_PATTERNS: Readonly<Record<ProviderName, { pattern: RegExp; example: string }>> = {
  // us-east-1, ap-southeast-3, us-gov-west-1, us-isob-east-1, cn-north-1
  aws: { pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, example: 'us-east-1' },
  // ap-guangzhou, ap-shanghai-fsi, na-siliconvalley (no digits: ap-guangzhou-3 is a zone)
  tencent: { pattern: /^[a-z]{2}-[a-z]+(-[a-z]+)?$/, example: 'ap-guangzhou' },
  // cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1, cn-zhengzhou-jva (cn-hangzhou-h is a zone)
  alibaba: { pattern: /^[a-z]{2}-[a-z]+(-\d{1,2})?(-[a-z]{2,}(-\d{1,2})?)?$/, example: 'cn-hangzhou' },
  // cn-north-4, ap-southeast-1, eu-west-101, my-kualalumpur-1
  huawei: { pattern: /^[a-z]{2}-[a-z]+(-[a-z]+)*-\d{1,3}$/, example: 'cn-north-4' },
  // the sandbox simulates any cloud: any region-shaped name
  sandbox: { pattern: /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$/, example: 'ap-guangzhou' },
};

const CLOUD_NAMES: Readonly<Record<ProviderName, string>> = { aws: 'an AWS', tencent: 'a Tencent Cloud', alibaba: 'an Alibaba Cloud', huawei: 'a Huawei Cloud', sandbox: 'a sandbox' };

/** Why `region` is not a region of `provider`, or undefined when it is one. */
export function regionProblem(provider: ProviderName, region: string): string | undefined {
  const { pattern, example } = REGION_PATTERNS[provider];
  if (region.length <= 64 && pattern.test(region)) return undefined;
  const shown = region.length > 40 ? `${JSON.stringify(region.slice(0, 40))}… (${region.length} characters)` : JSON.stringify(region);
  return `${shown} is not ${CLOUD_NAMES[provider]} region id (expected the form ${example})`;
}

/** A region field: checked against its provider's format by the object that holds both (see withRegionOf). */
export const regionSchema = z.string().min(1, 'must not be empty').max(64);

/** Adds an issue on `path` when `region` is not a region of `provider`. */
export function checkRegion(ctx: z.RefinementCtx, provider: ProviderName, region: string, path: PropertyKey[]): void {
  const problem = regionProblem(provider, region);
  if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
/** Kubernetes DNS-1123 subdomain: node names, metadata.name of most resources (BGPPeer included). */
export const DNS1123_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

export const kubernetesNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(253)
  .regex(DNS1123_SUBDOMAIN, formatError('not a Kubernetes name (DNS-1123: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit)'));

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** Keys no map of ours may hold: JavaScript gives them a meaning of their own on plain objects. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Why `key` is not a Kubernetes label key ([prefix/]name), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  if (FORBIDDEN_KEYS.has(key)) return `${JSON.stringify(key)} is not allowed as a key`;
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `label key ${JSON.stringify(key.slice(0, 80))}: the prefix must be a DNS-1123 subdomain (lowercase, at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return `label key ${JSON.stringify(key.slice(0, 80))}: the name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined. A comma, space or "=" would change a selector's meaning. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '' || (value.length <= 63 && LABEL_NAME.test(value))) return undefined;
  return `label value ${JSON.stringify(value.slice(0, 80))}: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (no spaces, commas or "=")`;
}

/** A label map (node labels, nodeSelector): Kubernetes syntax for keys and values, at most `maxKeys` keys. */
export function labelMapSchema(maxKeys: number) {
  return z
    .record(z.string(), z.string())
    .superRefine((labels, ctx) => {
      const keys = Object.keys(labels);
      if (keys.length > maxKeys) ctx.addIssue({ code: 'custom', path: [], message: `too many labels: at most ${maxKeys}, got ${keys.length}` });
      for (const key of keys) {
        const problem = labelKeyProblem(key) ?? labelValueProblem(labels[key] ?? '');
        if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      }
    });
}

/** A cloud resource id (VPC, route table, gateway, instance...): printable ASCII without spaces, bounded. */
export const resourceIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(LIMITS.resourceIdChars)
  .regex(/^[\x21-\x7e]+$/, formatError('not a resource id: printable ASCII without spaces'));

/** How deep an input document may nest: podreach's own formats need at most 8 levels. */
export const MAX_DEPTH = 32;

/**
 * The first problem of a parsed document's shape that no schema can see: a key in FORBIDDEN_KEYS (JSON.parse
 * and YAML make it an own property; a copy into a plain object would then set the prototype and lose the key
 * without a word), or nesting deeper than MAX_DEPTH. Walked without recursion, so no input can overflow the stack.
 */
export function findShapeProblem(value: unknown): { path: PropertyKey[]; message: string } | undefined {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (path.length >= MAX_DEPTH) return { path, message: `nested more than ${MAX_DEPTH} levels deep` };
    if (Array.isArray(node)) {
      for (let index = node.length - 1; index >= 0; index -= 1) stack.push({ value: node[index], path: [...path, index] });
      continue;
    }
    const keys = Object.keys(node);
    const forbidden = keys.find((key) => FORBIDDEN_KEYS.has(key));
    if (forbidden !== undefined) return { path: [...path, forbidden], message: `the key ${JSON.stringify(forbidden)} is not allowed (it would change the object itself, not add a field)` };
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index]!;
      stack.push({ value: (node as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return undefined;
}
