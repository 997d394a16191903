// Folds cluster events into ClusterFacts. Events can arrive late, twice or out of order (EventBridge gives no
// ordering), so each aspect of the facts remembers the occurredAt of the event that last set it, and an older
// event for that aspect changes nothing. CIDR lists are whole desired lists, so replays converge.
import type { ClusterEvent } from '../../events/schemas.js';
import { uniqueCidrs } from './cidr.js';
import { InvalidInputError, NotFoundError } from './errors.js';
import type { ClusterFacts, NodeFacts } from './model.js';

/** An event for a cluster podreach has no Cluster Created for yet; EventBridge retries it later. */
export class UnknownClusterError extends NotFoundError {
  override name = 'UnknownClusterError';
  constructor(readonly clusterId: string) {
    super(`cluster ${clusterId} is unknown: no Cluster Created event was processed for it`);
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

/** Structural equality with key order ignored (facts come back from JSON stores in any key order). */
function sameValue(a: unknown, b: unknown): boolean {
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
    if (current && !current.deleted && olderThan(occurredAt, current.seen.created)) {
      return ignore(current, `stale Cluster Created: ${occurredAt} is older than the one of ${current.seen.created}`);
    }
    // a cluster created again after its deletion starts afresh (same id, new cluster)
    const base = current && !current.deleted ? clone(current) : undefined;
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
      deleted: false,
      seen: {
        created: occurredAt,
        podCidrs: keepCidrs && base ? base.seen.podCidrs! : occurredAt,
        nodes: base?.seen.nodes ?? {},
        ...(current?.seen.deleted ? { deleted: current.seen.deleted } : {}),
      },
    };
    if (detail.serviceCidr !== undefined) facts.serviceCidr = detail.serviceCidr;
    if (detail.profile !== undefined) facts.profile = detail.profile;
    return result(current, facts);
  }

  if (!current) throw new UnknownClusterError(clusterId);
  if (event.detailType === 'Cluster Deleted') {
    if (olderThan(occurredAt, current.seen.created)) {
      return ignore(current, `stale Cluster Deleted: ${occurredAt} is older than the Cluster Created of ${current.seen.created}`);
    }
    // a replayed deletion is not ignored: its flows run again and finish any clean-up left undone
    const facts = clone(current);
    facts.deleted = true;
    if (!olderThan(occurredAt, current.seen.deleted)) facts.seen.deleted = occurredAt;
    return result(current, facts);
  }
  if (current.deleted) {
    // The deletion is a tombstone with its time: what happened before it is over; what happened after it waits
    // for the cluster's re-creation (retried: exit 2 locally, a failed ingest in AWS that EventBridge redelivers).
    const deletedAt = current.seen.deleted;
    if (deletedAt !== undefined && instant(occurredAt) > instant(deletedAt)) throw new ClusterDeletedError(clusterId, deletedAt, occurredAt);
    return ignore(current, `${event.detailType} of ${occurredAt}: cluster ${clusterId} was deleted at ${deletedAt ?? '?'} (the event is older than the deletion)`);
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
    case 'Node Added': {
      const { node } = event.detail;
      const seen = current.seen.nodes[node.name];
      if (olderThan(occurredAt, seen)) return ignore(current, `stale Node Added for ${node.name}: ${occurredAt} is older than ${seen}`);
      if (olderThan(occurredAt, current.seen.created)) return ignore(current, `stale Node Added for ${node.name}: ${occurredAt} is older than the cluster's creation (${current.seen.created})`);
      const facts = clone(current);
      const added: NodeFacts = { name: node.name, ip: node.ip, labels: { ...(node.labels ?? {}) } };
      if (node.subnetId !== undefined) added.subnetId = node.subnetId;
      if (node.podCidr !== undefined) added.podCidr = node.podCidr;
      facts.nodes[node.name] = added;
      facts.seen.nodes[node.name] = occurredAt;
      return result(current, facts);
    }
    case 'Node Removed': {
      const { nodeName } = event.detail;
      const seen = current.seen.nodes[nodeName];
      if (olderThan(occurredAt, seen)) return ignore(current, `stale Node Removed for ${nodeName}: ${occurredAt} is older than ${seen}`);
      if (olderThan(occurredAt, current.seen.created)) return ignore(current, `stale Node Removed for ${nodeName}: ${occurredAt} is older than the cluster's creation (${current.seen.created})`);
      const facts = clone(current);
      delete facts.nodes[nodeName];
      // kept as a tombstone, so that a late Node Added of before the removal stays ignored
      facts.seen.nodes[nodeName] = occurredAt;
      return result(current, facts);
    }
  }
}
