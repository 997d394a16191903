// The pure core of `podreach watch`: what podreach uses of a Kubernetes Node, the cluster view those facts form,
// the podreach events that take the last emitted view to the current one, and when a batch is due.
// No I/O and no clock: the adapter (functions/adapters/kubernetes) passes the nodes it sees and `occurredAt`.
import { z } from 'zod';
import { invalidIn, parseDetail } from '../../events/parse.js';
import { clusterCreatedSchema, type ClusterEvent } from '../../events/schemas.js';
import { cidrUnion, isCidr, isValidIp, normaliseCidr } from './cidr.js';
import { InvalidInputError } from './errors.js';
import { checkRegion, labelKeyProblem, labelValueProblem } from './identifiers.js';
import { LIMITS } from './limits.js';
import { cidrSchema } from './profile.js';
import { sameValue } from './facts.js';

/** The fields of a Kubernetes Node (core/v1) the watcher reads; everything else is ignored. */
export interface NodeObject {
  metadata?: { name?: string; labels?: Record<string, string> | undefined; resourceVersion?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
  status?: { addresses?: Array<{ type: string; address: string }> };
}

/** What podreach uses of one node: a change to anything else emits nothing. */
export interface WatchedNode {
  name: string;
  /** InternalIP, else ExternalIP (the first valid one of that type). */
  ip: string;
  /** spec.podCIDRs (spec.podCIDR when the list is absent), normalised, in the node's order (primary first). */
  podCidrs: string[];
  /** The node's labels, or only those named by `labelKeys`; keys sorted. */
  labels: Record<string, string>;
}

const created = clusterCreatedSchema.shape;

/** The fields of the cluster's identity, each validated as Cluster Created validates it (events/schemas.ts). */
const clusterIdentityObject = z
  .object({
    clusterId: created.clusterId,
    provider: created.provider,
    region: created.region,
    vpcId: created.vpcId,
    networkModel: created.networkModel,
    /** Pod CIDRs known up front (the cluster CIDR, or the pod subnets of an eni cluster); node CIDRs inside them add nothing. */
    podCidrs: z.array(cidrSchema).max(LIMITS.podCidrsPerCluster).optional(),
    serviceCidr: created.serviceCidr,
    nodeSubnets: created.nodeSubnets,
    profile: created.profile,
  })
  .strict();

/** The cluster's identity: what Cluster Created carries besides the pod CIDRs the nodes report. */
export const clusterIdentitySchema = clusterIdentityObject.superRefine((identity, ctx) => checkRegion(ctx, identity.provider, identity.region, ['region']));
export type ClusterIdentity = z.infer<typeof clusterIdentitySchema>;

export interface ClusterView {
  identity: ClusterIdentity;
  nodes: Record<string, WatchedNode>;
  /** The union of the identity's pod CIDRs and the nodes' (a CIDR inside another one is dropped), sorted. */
  podCidrs: string[];
}

export interface NodeSelection {
  /** Only these label keys are forwarded (and compared); undefined: all labels. */
  labelKeys?: readonly string[];
}

function firstAddress(addresses: NonNullable<NodeObject['status']>['addresses'], type: string): string | undefined {
  return addresses?.find((address) => address.type === type && isValidIp(address.address))?.address;
}

/** The node as podreach sees it; undefined while it has no name or no usable IP (it is reported once it has one). */
export function watchedNode(node: NodeObject, selection: NodeSelection = {}): WatchedNode | undefined {
  const name = node.metadata?.name;
  const addresses = node.status?.addresses;
  const ip = firstAddress(addresses, 'InternalIP') ?? firstAddress(addresses, 'ExternalIP');
  if (!name || !ip) return undefined;
  const declared = node.spec?.podCIDRs && node.spec.podCIDRs.length > 0 ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
  const podCidrs: string[] = [];
  for (const cidr of declared) {
    if (!isCidr(cidr)) continue;
    const normalised = normaliseCidr(cidr);
    if (!podCidrs.includes(normalised)) podCidrs.push(normalised);
  }
  const labels: Record<string, string> = {};
  const source = node.metadata?.labels ?? {};
  for (const key of Object.keys(source).sort()) {
    if (selection.labelKeys && !selection.labelKeys.includes(key)) continue;
    const value = source[key];
    // The API server only stores valid labels; anything else (or past podreach's bound) is not forwarded.
    if (value === undefined || labelKeyProblem(key) || labelValueProblem(value)) continue;
    if (Object.keys(labels).length >= LIMITS.labelsPerNode) break;
    labels[key] = value;
  }
  return { name, ip, podCidrs, labels };
}

export function buildView(identity: ClusterIdentity, nodes: Iterable<NodeObject>, selection: NodeSelection = {}): ClusterView {
  const byName: Record<string, WatchedNode> = {};
  for (const object of nodes) {
    const node = watchedNode(object, selection);
    if (node) byName[node.name] = node;
  }
  const sorted: Record<string, WatchedNode> = {};
  for (const name of Object.keys(byName).sort()) sorted[name] = byName[name]!;
  const podCidrs = cidrUnion([...(identity.podCidrs ?? []), ...Object.values(sorted).flatMap((node) => node.podCidrs)]);
  return { identity, nodes: sorted, podCidrs };
}

export interface ViewDiff {
  /** In the order to send them: Cluster Created, Cluster CIDR Changed, Node Removed, Node Added. */
  events: ClusterEvent[];
  /** The view podreach holds once these events are sent: the next diff's `previous`. */
  emitted: ClusterView | undefined;
  /** Why nothing could be sent yet (a cluster with no pod CIDR at all cannot be created). */
  waiting?: string;
}

function nodeAdded(clusterId: string, node: WatchedNode, occurredAt: string): ClusterEvent {
  const primary = node.podCidrs[0];
  return parseDetail(
    'Node Added',
    { clusterId, node: { name: node.name, ip: node.ip, ...(primary ? { podCidr: primary } : {}), ...(Object.keys(node.labels).length ? { labels: node.labels } : {}) }, occurredAt },
    'detail',
  );
}

/**
 * The events that take podreach from `previous` (what was last sent; undefined: nothing yet) to `current`.
 * Nothing when nothing podreach uses changed. Every event is validated by its schema in events/schemas.ts.
 */
export function diffViews(previous: ClusterView | undefined, current: ClusterView, occurredAt: string): ViewDiff {
  const { clusterId } = current.identity;
  // Another cluster's view says nothing about this one: start afresh rather than remove its nodes here.
  const base = previous && previous.identity.clusterId === clusterId ? previous : undefined;
  const events: ClusterEvent[] = [];
  let podCidrs = current.podCidrs;
  if (!base || !sameValue(base.identity, current.identity)) {
    if (podCidrs.length === 0) {
      return {
        events: [],
        emitted: previous,
        waiting: `cluster ${clusterId}: no pod CIDR known yet (set podCidrs in the identity, or wait for nodes with spec.podCIDR)`,
      };
    }
    const { podCidrs: _known, ...identity } = current.identity;
    events.push(parseDetail('Cluster Created', { ...identity, podCidrs, occurredAt }, 'detail'));
  } else if (!sameValue(base.podCidrs, podCidrs)) {
    // An empty union (every node gone, nothing configured) cannot be sent: podreach keeps the last list.
    if (podCidrs.length > 0) events.push(parseDetail('Cluster CIDR Changed', { clusterId, podCidrs, occurredAt }, 'detail'));
    else podCidrs = base.podCidrs;
  }
  const before = base?.nodes ?? {};
  for (const name of Object.keys(before).sort()) {
    if (!(name in current.nodes)) events.push(parseDetail('Node Removed', { clusterId, nodeName: name, occurredAt }, 'detail'));
  }
  for (const [name, node] of Object.entries(current.nodes)) {
    if (!sameValue(before[name], node)) events.push(nodeAdded(clusterId, node, occurredAt));
  }
  return { events, emitted: { ...current, podCidrs } };
}

/** When a batch is sent: once changes have been quiet for `quietMs`, and never later than `maxDelayMs` after the first. */
export interface BatchTiming {
  quietMs: number;
  maxDelayMs: number;
}

export interface PendingChanges {
  firstChangeAt: number;
  lastChangeAt: number;
}

export function flushAt(pending: PendingChanges, timing: BatchTiming): number {
  return Math.min(pending.lastChangeAt + timing.quietMs, pending.firstChangeAt + Math.max(timing.maxDelayMs, timing.quietMs));
}

/** Records one more change seen at `now`. */
export function noteChange(pending: PendingChanges | undefined, now: number): PendingChanges {
  return pending ? { firstChangeAt: pending.firstChangeAt, lastChangeAt: Math.max(pending.lastChangeAt, now) } : { firstChangeAt: now, lastChangeAt: now };
}

/** Exponential backoff with full jitter: attempt 0 waits up to baseMs, each further attempt doubles, capped at maxMs. */
export function backoffDelay(attempt: number, options: { baseMs: number; maxMs: number }, random: number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(Math.max(0, Math.min(1, random)) * ceiling);
}

/** The watch configuration file (YAML or JSON): the cluster's identity and what to forward. */
export const watchConfigSchema = z
  .object({
    apiVersion: z.literal('podreach/v1').optional(),
    kind: z.literal('WatchConfig').optional(),
    cluster: clusterIdentityObject.partial(),
    labelKeys: z.array(z.string().min(1)).optional(),
    batch: z.object({ quietMs: z.number().int().min(0), maxDelayMs: z.number().int().min(0) }).partial().strict().optional(),
  })
  .strict();
export type WatchConfig = z.infer<typeof watchConfigSchema>;

/** Validates a parsed config file; errors name the file and the field in it. */
export function parseWatchConfig(value: unknown, source: string): WatchConfig {
  const result = watchConfigSchema.safeParse(value ?? {});
  if (!result.success) throw invalidIn(source, result.error);
  return result.data;
}

/** The flag that sets each identity field. */
export const IDENTITY_FLAGS: Record<keyof ClusterIdentity, string> = {
  clusterId: '--cluster-id',
  provider: '--provider',
  region: '--region',
  vpcId: '--vpc-id',
  networkModel: '--network-model',
  podCidrs: '--pod-cidr',
  serviceCidr: '--service-cidr',
  nodeSubnets: 'cluster.nodeSubnets in --config',
  profile: '--profile-name',
};

/** The identity from the config file with the flags laid over it; errors name the field and the flag that sets it. */
export function resolveIdentity(fromConfig: Partial<ClusterIdentity> | undefined, fromFlags: Partial<Record<keyof ClusterIdentity, unknown>>): ClusterIdentity {
  const merged: Record<string, unknown> = { ...(fromConfig ?? {}) };
  for (const [key, value] of Object.entries(fromFlags)) if (value !== undefined) merged[key] = value;
  const hintFor = (key: keyof ClusterIdentity) => ` (set ${IDENTITY_FLAGS[key]}, or cluster.${key} in --config)`;
  // zod words a missing enum value as "Invalid option"; say plainly that it is missing
  for (const key of ['clusterId', 'provider', 'region', 'vpcId', 'networkModel'] as const) {
    if (merged[key] === undefined) throw new InvalidInputError(`cluster identity: ${key}`, `required${hintFor(key)}`);
  }
  const result = clusterIdentitySchema.safeParse(merged);
  if (!result.success) {
    throw invalidIn('cluster identity', result.error, (field) => {
      const key = field.split(/[.[]/)[0] as keyof ClusterIdentity;
      return IDENTITY_FLAGS[key] ? ` (set ${IDENTITY_FLAGS[key]}, or cluster.${key} in --config)` : '';
    });
  }
  return result.data;
}
