// The ownership mark: what podreach writes in an entry's description (or tag, or name) where the cloud's API has
// one, so that an entry it created can be told from everyone else's by reading the cloud alone. One format for
// every adapter: "podreach:<clusterId>:<changeId>". Marks written by earlier versions ("podreach",
// "podreach:<clusterId>") keep matching; they only lack the change id.
import type { ProviderEntry } from './model.js';

export const OWNERSHIP_MARK_PREFIX = 'podreach';

export interface OwnershipMark {
  clusterId?: string;
  changeId?: string;
}

/** The mark for an entry created for one change of one cluster, cut to the API's field length when it has one. */
export function ownershipMark(context: { clusterId: string; changeId: string }, maxLength?: number): string {
  const full = `${OWNERSHIP_MARK_PREFIX}:${context.clusterId}:${context.changeId}`;
  if (maxLength === undefined || full.length <= maxLength) return full;
  // keep the change id (it identifies the entry); shorten the cluster id
  const room = maxLength - OWNERSHIP_MARK_PREFIX.length - context.changeId.length - 2;
  if (room < 1) return full.slice(0, maxLength);
  return `${OWNERSHIP_MARK_PREFIX}:${context.clusterId.slice(0, room)}:${context.changeId}`;
}

/** The mark in a description, or undefined when the text is not podreach's ("podreachX" is not a mark). */
export function parseOwnershipMark(description: string | undefined): OwnershipMark | undefined {
  if (description === undefined) return undefined;
  if (description === OWNERSHIP_MARK_PREFIX) return {};
  if (!description.startsWith(`${OWNERSHIP_MARK_PREFIX}:`)) return undefined;
  const [clusterId, changeId] = description.slice(OWNERSHIP_MARK_PREFIX.length + 1).split(':');
  return {
    ...(clusterId ? { clusterId } : {}),
    ...(changeId && /^chg-[0-9a-f]{16}$/.test(changeId) ? { changeId } : {}),
  };
}

/** 'podreach' when the description carries the mark, else 'foreign'. */
export function ownerOfDescription(description: string | undefined): NonNullable<ProviderEntry['owner']> {
  return parseOwnershipMark(description) ? 'podreach' : 'foreign';
}
