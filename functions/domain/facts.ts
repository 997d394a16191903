// Folds cluster events into ClusterFacts. Events can arrive late, twice or out of order (EventBridge gives no
// ordering), so each aspect of the facts remembers the occurredAt of the event that last set it, and an older
// event for that aspect changes nothing. CIDR lists are whole desired lists, so replays converge.
// A deletion is a tombstone with its time: events older than it belong to the cluster that was deleted (ignored),
// events newer than it to a re-creation (retried until its Cluster Created arrives). Whatever the delivery
// order, the facts end as the events in time order make them (test/fuzz checks it). See docs/safety.md.
import type { ClusterEvent } from '../../events/schemas.js';
import { uniqueCidrs } from './cidr.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { ClusterFacts, NodeFacts } from './model.js';

/** An event for a cluster podreach has no Cluster Created for yet; EventBridge retries it later. */
export class UnknownClusterError extends NotFoundError {
  override name = 'UnknownClusterError';
  constructor(
    readonly clusterId: string,
    message = `cluster ${clusterId} is unknown: no Cluster Created event was processed for it`,
  ) {
    super(message);
  }
}

/**
 * An event newer than the cluster's deletion: it belongs to a re-creation whose Cluster Created has not arrived
 * yet (EventBridge gives no order). Like an unknown cluster, it is retried later rather than dropped.
 */
export class ClusterDeletedError extends NotFoundError {
  override name = 'ClusterDeletedError';
  constructor(
    readonly clusterId: string,
    readonly deletedAt: string,
    readonly occurredAt: string,
  ) {
    super(
      `cluster ${clusterId} was deleted at ${deletedAt}; this event of ${occurredAt} is newer, so it belongs to a re-creation whose Cluster Created has not been processed yet: retry it later`,
    );
  }
}

export interface ApplyEventResult {
  facts: ClusterFacts;
  /** true when the facts differ from `current` in any field (seen timestamps included: they must be stored). */
  changed: boolean;
  /** Why the event changed nothing on purpose (stale, reordered, cluster deleted). */
  ignored?: string;
}

function instant(occurredAt: string): number {
  const time = Date.parse(occurredAt);
  if (Number.isNaN(time)) throw new InvalidInputError('occurredAt', `not an ISO-8601 date-time: ${occurredAt}`);
  return time;
}

/** true when `occurredAt` is strictly before `than` (equal instants are replays: applied again, idempotently). */
function olderThan(occurredAt: string, than: string | undefined): boolean {
  return than !== undefined && instant(occurredAt) < instant(than);
}

function clone(facts: ClusterFacts): ClusterFacts {
  return structuredClone(facts);
}

/** Structural equality with key order ignored (facts and views come back from JSON stores in any key order). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a).filter((key) => (a as Record<string, unknown>)[key] !== undefined);
  const keysB = Object.keys(b).filter((key) => (b as Record<string, unknown>)[key] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) => sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function result(current: ClusterFacts | undefined, facts: ClusterFacts): ApplyEventResult {
  return { facts, changed: current === undefined || !sameValue(current, facts) };
}

function ignore(current: ClusterFacts, why: string): ApplyEventResult {
  return { facts: current, changed: false, ignored: why };
}

/** When each Cluster Created of the current incarnation (and its re-announcements) happened, oldest first. */
function creationsOf(facts: ClusterFacts): string[] {
  return facts.seen.creations ?? (facts.seen.created ? [facts.seen.created] : []);
}

/** The first Cluster Created not older than the last deletion: when the current incarnation began (none: deleted). */
function incarnationStart(creations: readonly string[], deletedAt: string | undefined): string | undefined {
  return creations.find((created) => !olderThan(created, deletedAt));
}

/** How many creation times the facts keep (re-announcements of one incarnation; older ones are pruned at deletion). */
const MAX_CREATIONS = 100;

function withCreation(creations: readonly string[], occurredAt: string): string[] {
  const all = [...new Set([...creations, occurredAt])].sort((a, b) => instant(a) - instant(b));
  return all.slice(-MAX_CREATIONS);
}

/**
 * Sorts the nodes by the cluster's life: a node whose last event is older than the last deletion belonged to the
 * cluster that was deleted (forgotten); one from before the current life began (its Cluster Created may still be
 * on its way) waits in `dormantNodes`; the others are the cluster's nodes. Deciding this from the times, after
 * every event, is what makes the outcome independent of the delivery order.
 */
function arrangeNodes(facts: ClusterFacts): ClusterFacts {
  const deletedAt = facts.seen.deleted;
  const start = incarnationStart(creationsOf(facts), deletedAt);
  const all = { ...facts.dormantNodes, ...facts.nodes };
  const nodes: Record<string, NodeFacts> = {};
  const dormant: Record<string, NodeFacts> = {};
  for (const [name, seen] of Object.entries(facts.seen.nodes)) {
    if (olderThan(seen, deletedAt)) {
      delete facts.seen.nodes[name];
      continue;
    }
    const node = all[name];
    if (!node) continue; // removed: the time stays as a tombstone
    if (start !== undefined && !olderThan(seen, start)) nodes[name] = node;
    else dormant[name] = node;
  }
  facts.nodes = nodes;
  if (Object.keys(dormant).length > 0) facts.dormantNodes = dormant;
  else delete facts.dormantNodes;
  return facts;
}

export function applyEvent(current: ClusterFacts | undefined, event: ClusterEvent): ApplyEventResult {
  const { clusterId, occurredAt } = event.detail;
  if (current && current.clusterId !== clusterId) {
    throw new InvalidInputError('clusterId', `event for ${clusterId} applied to the facts of ${current.clusterId}`);
  }
  instant(occurredAt);

  if (event.detailType === 'Cluster Created') {
    const detail = event.detail;
    if (current && olderThan(occurredAt, current.seen.deleted)) {
      return ignore(current, `Cluster Created of ${occurredAt} is older than the deletion of ${current.seen.deleted}`);
    }
    const creations = withCreation(current ? creationsOf(current) : [], occurredAt);
    if (current && !current.deleted && olderThan(occurredAt, current.seen.created)) {
      // an older announcement of the live cluster: its values are superseded, but the cluster existed since then
      const facts = clone(current);
      facts.seen.creations = creations;
      const moved = result(current, arrangeNodes(facts));
      return moved.changed ? moved : ignore(current, `stale Cluster Created: ${occurredAt} is older than the one of ${current.seen.created}`);
    }
    // A cluster created again after its deletion starts afresh (same id, new cluster): only what happened after
    // this creation stays (events of the new cluster that arrived before its Cluster Created, before the deletion
    // itself did).
    const base = current ? clone(current) : undefined;
    const keepCidrs = base !== undefined && olderThan(occurredAt, base.seen.podCidrs);
    const facts: ClusterFacts = {
      clusterId,
      provider: detail.provider,
      region: detail.region,
      vpcId: detail.vpcId,
      networkModel: detail.networkModel,
      podCidrs: keepCidrs && base ? base.podCidrs : uniqueCidrs(detail.podCidrs),
      nodeSubnets: [...(detail.nodeSubnets ?? [])].sort((a, b) => (a.subnetId < b.subnetId ? -1 : a.subnetId > b.subnetId ? 1 : 0)),
      nodes: base?.nodes ?? {},
      ...(base?.dormantNodes ? { dormantNodes: base.dormantNodes } : {}),
      deleted: false,
      seen: {
        created: occurredAt,
        creations: current?.deleted ? [occurredAt] : creations,
        podCidrs: keepCidrs && base ? base.seen.podCidrs! : occurredAt,
        nodes: base?.seen.nodes ?? {},
        ...(current?.seen.deleted ? { deleted: current.seen.deleted } : {}),
      },
    };
    if (detail.serviceCidr !== undefined) facts.serviceCidr = detail.serviceCidr;
    if (detail.profile !== undefined) facts.profile = detail.profile;
    return result(current, arrangeNodes(facts));
  }

  if (!current) throw new UnknownClusterError(clusterId);
  const deletedAt = current.seen.deleted;
  if (olderThan(occurredAt, deletedAt)) {
    return ignore(current, `${event.detailType} of ${occurredAt}: cluster ${clusterId} was deleted at ${deletedAt ?? '?'} (the event is older than the deletion)`);
  }

  if (event.detailType === 'Cluster Deleted') {
    // the deletion is a tombstone: what joined before it goes; a Cluster Created after it (already here) re-creates
    const facts = clone(current);
    facts.seen.deleted = occurredAt;
    const creations = creationsOf(current);
    const start = incarnationStart(creations, occurredAt);
    facts.seen.creations = creations.filter((created) => !olderThan(created, occurredAt));
    facts.deleted = start === undefined;
    // a replayed deletion is not ignored: its flows run again and finish any clean-up left undone
    return result(current, arrangeNodes(facts));
  }
  if (current.deleted) {
    // newer than the deletion: it belongs to a re-creation whose Cluster Created has not arrived yet (retried)
    throw new ClusterDeletedError(clusterId, deletedAt ?? '?', occurredAt);
  }

  switch (event.detailType) {
    case 'Cluster CIDR Changed': {
      if (olderThan(occurredAt, current.seen.podCidrs)) {
        return ignore(current, `stale Cluster CIDR Changed: ${occurredAt} is older than the CIDR list of ${current.seen.podCidrs}`);
      }
      const facts = clone(current);
      facts.podCidrs = uniqueCidrs(event.detail.podCidrs);
      facts.seen.podCidrs = occurredAt;
      return result(current, facts);
    }
    case 'Node Added':
    case 'Node Removed': {
      const name = event.detailType === 'Node Added' ? event.detail.node.name : event.detail.nodeName;
      const start = incarnationStart(creationsOf(current), deletedAt);
      if (olderThan(occurredAt, start)) {
        // after the last deletion but before the earliest creation known: that Cluster Created is still on its way
        throw new UnknownClusterError(clusterId, `no Cluster Created of cluster ${clusterId} at or before ${occurredAt} was processed yet (the earliest is of ${start ?? '?'}): retry it later`);
      }
      const seen = current.seen.nodes[name];
      if (olderThan(occurredAt, seen)) return ignore(current, `stale ${event.detailType} for ${name}: ${occurredAt} is older than ${seen}`);
      const facts = clone(current);
      if (event.detailType === 'Node Added') {
        const { node } = event.detail;
        const added: NodeFacts = { name: node.name, ip: node.ip, labels: { ...(node.labels ?? {}) } };
        if (node.subnetId !== undefined) added.subnetId = node.subnetId;
        if (node.podCidr !== undefined) added.podCidr = node.podCidr;
        facts.nodes[name] = added;
      } else {
        delete facts.nodes[name];
        if (facts.dormantNodes) delete facts.dormantNodes[name];
      }
      // a removal is kept as a tombstone, so that a late Node Added of before the removal stays ignored
      facts.seen.nodes[name] = occurredAt;
      return result(current, arrangeNodes(facts));
    }
  }
}
