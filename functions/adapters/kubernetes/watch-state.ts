// The watcher's state file: the resourceVersion and nodes it last saw together with the view it last sent, so a
// restart resumes the watch from that resourceVersion and sends nothing podreach already has. Written after
// the events are sent (a crash in between re-sends them once: podreach events are idempotent), atomically
// (temporary file + rename).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { toInvalidInput } from '../../../events/parse.js';
import { InvalidInputError } from '../../domain/errors.js';
import { clusterIdentitySchema, type ClusterView, type NodeObject } from '../../domain/node-watch.js';

const watchedNodeSchema = z.object({ name: z.string(), ip: z.string(), podCidrs: z.array(z.string()), labels: z.record(z.string(), z.string()) });
const nodeObjectSchema = z.object({
  metadata: z.object({ name: z.string().optional(), labels: z.record(z.string(), z.string()).optional(), resourceVersion: z.string().optional() }).optional(),
  spec: z.object({ podCIDR: z.string().optional(), podCIDRs: z.array(z.string()).optional() }).optional(),
  status: z.object({ addresses: z.array(z.object({ type: z.string(), address: z.string() })).optional() }).optional(),
});

export const watchStateSchema = z.object({
  version: z.literal(1),
  clusterId: z.string().min(1),
  resourceVersion: z.string(),
  nodes: z.array(nodeObjectSchema),
  emitted: z.object({ identity: clusterIdentitySchema, nodes: z.record(z.string(), watchedNodeSchema), podCidrs: z.array(z.string()) }).optional(),
  savedAt: z.string(),
});
export type WatchState = z.infer<typeof watchStateSchema>;

/** The fields of a node the watcher uses (what a resumed informer needs to rebuild the same view). */
export function reduceNode(node: NodeObject): NodeObject {
  const reduced: NodeObject = { metadata: { ...(node.metadata?.name ? { name: node.metadata.name } : {}), ...(node.metadata?.labels ? { labels: { ...node.metadata.labels } } : {}), ...(node.metadata?.resourceVersion ? { resourceVersion: node.metadata.resourceVersion } : {}) } };
  if (node.spec?.podCIDR || node.spec?.podCIDRs) reduced.spec = { ...(node.spec.podCIDR ? { podCIDR: node.spec.podCIDR } : {}), ...(node.spec.podCIDRs ? { podCIDRs: [...node.spec.podCIDRs] } : {}) };
  if (node.status?.addresses) reduced.status = { addresses: node.status.addresses.map(({ type, address }) => ({ type, address })) };
  return reduced;
}

/** undefined when the file does not exist; InvalidInputError when it is not a state file of this cluster. */
export function readWatchState(path: string, clusterId: string): WatchState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InvalidInputError('--watch-state', `cannot read ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('--watch-state', `${path}: malformed JSON (${(error as Error).message})`);
  }
  const parsed = watchStateSchema.safeParse(value);
  if (!parsed.success) throw toInvalidInput(parsed.error, path);
  if (parsed.data.clusterId !== clusterId) {
    throw new InvalidInputError('--watch-state', `${path} belongs to cluster ${parsed.data.clusterId}, not ${clusterId}`);
  }
  return parsed.data;
}

export function writeWatchState(path: string, state: { clusterId: string; resourceVersion: string; nodes: NodeObject[]; emitted: ClusterView | undefined; savedAt: string }): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const body: WatchState = { version: 1, clusterId: state.clusterId, resourceVersion: state.resourceVersion, nodes: state.nodes.map(reduceNode), ...(state.emitted ? { emitted: state.emitted } : {}), savedAt: state.savedAt };
  writeFileSync(temporary, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(temporary, path);
}
