// How entries are named: their identity (which entry), their change id (a stable hash of it), their target
// key, and the one ordering every plan is sorted by.
import { createHash } from 'node:crypto';
import { compareParsed, parseCidr } from '../cidr.js';
import { CHANGE_KINDS, FLOWS, type Change, type ChangeKind, type Flow, type NetworkEntry } from '../model.js';
import type { TargetRef } from './types.js';

/**
 * Kinds whose target is shared by instances that may register the same CIDR (a cloud-connect network lists
 * every VPC's routes): the entry with this nextHop is ours, one with another nextHop is a rival.
 */
export const SHARED_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['cloud-connect-route']);

/** Which entry a holding is about: the identity, plus the instance for shared kinds (each VPC's registration is its own). */
export function holdingIdentity(entry: NetworkEntry): string {
  const identity = identityKey(entry);
  return SHARED_KINDS.has(entry.kind) ? `${identity}|${entry.nextHop ?? ''}` : identity;
}

/** Kinds whose target holds at most one entry: the target alone identifies it (a subnet has one route table). */
export const SINGLE_ENTRY_KINDS: ReadonlySet<ChangeKind> = new Set<ChangeKind>(['subnet-association']);

/** A CIDR in its canonical text (host bits cleared); '' for none; a text that is no CIDR stays as it is. */
export function normalisedCidr(text: string | undefined): string {
  if (text === undefined) return '';
  return parseCidr(text)?.cidr ?? text;
}

export function targetKey(ref: TargetRef): string {
  // provider, region, account and kind never contain "|", and target comes last, so the key is unambiguous. The
  // account joins the region only when set: keys of targets without one (every store written before accounts
  // existed) stay as they were.
  const where = ref.account === undefined ? ref.region : `${ref.region}@${ref.account}`;
  return `${ref.provider}|${where}|${ref.kind}|${ref.target}`;
}

/** The target an entry, change, ledger row or holding is in: its account only when it has one. */
export function targetRef(placed: { provider: TargetRef['provider']; region: string; account?: string | undefined; kind: ChangeKind; target: string }): TargetRef {
  return {
    provider: placed.provider,
    region: placed.region,
    ...(placed.account !== undefined ? { account: placed.account } : {}),
    kind: placed.kind,
    target: placed.target,
  };
}

/** The fields that say which entry this is within its target: the value (nextHop / enabled) is not among them. */
function identityParts(entry: NetworkEntry): string[] {
  return [entry.kind, entry.target, normalisedCidr(entry.cidr), normalisedCidr(entry.peerCidr), entry.port ?? ''];
}

/** Which entry this is within its target, regardless of its value (nextHop / enabled). */
export function identityKey(entry: NetworkEntry): string {
  if (SINGLE_ENTRY_KINDS.has(entry.kind)) return `${entry.kind}|${entry.target}`;
  return identityParts(entry).join('|');
}

/**
 * Whether `current` has the value `expected` asks for (its nextHop, or one of `acceptedNextHops`, and its enabled
 * state). Unknown (undefined) provider values count as matching: an adapter that cannot tell must not cause a
 * conflict. Identity is not compared: callers look entries up by identityKey.
 */
export function valueMatches(expected: NetworkEntry, current: NetworkEntry, acceptedNextHops: readonly string[] = []): boolean {
  if (expected.nextHop !== undefined && current.nextHop !== undefined) {
    if (current.nextHop !== expected.nextHop && !acceptedNextHops.includes(current.nextHop)) return false;
  }
  if (expected.enabled !== undefined && current.enabled !== undefined && current.enabled !== expected.enabled) return false;
  return true;
}

/**
 * "chg-" + 16 hex digits of sha256 over the entry's identity within a cluster and flow. The value
 * (nextHop, action) is left out on purpose: one id per entry, so its ledger row follows the entry's life.
 */
export function changeId(clusterId: string, flow: Flow, entry: NetworkEntry): string {
  const parts = [clusterId, flow, ...identityParts(entry)];
  return `chg-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16)}`;
}

function compareText(a: string | undefined, b: string | undefined): number {
  const x = a ?? '';
  const y = b ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareCidrText(a: string | undefined, b: string | undefined): number {
  const x = a === undefined ? undefined : parseCidr(a);
  const y = b === undefined ? undefined : parseCidr(b);
  if (x && y) return compareParsed(x, y);
  if (x && !y) return 1;
  if (!x && y) return -1;
  return compareText(a, b);
}

/** Plan order: flow (FLOWS order), kind (CHANGE_KINDS order), target, cidr, peerCidr, port; then account and id. */
export function compareChanges(a: Change, b: Change): number {
  return (
    FLOWS.indexOf(a.flow) - FLOWS.indexOf(b.flow) ||
    CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind) ||
    compareText(a.target, b.target) ||
    compareCidrText(a.cidr, b.cidr) ||
    compareCidrText(a.peerCidr, b.peerCidr) ||
    compareText(a.port, b.port) ||
    compareText(a.provider, b.provider) ||
    compareText(a.region, b.region) ||
    compareText(a.account, b.account) ||
    compareText(a.id, b.id)
  );
}

export function compareTargetRefs(a: TargetRef, b: TargetRef): number {
  return (
    compareText(a.provider, b.provider) ||
    compareText(a.region, b.region) ||
    compareText(a.account, b.account) ||
    CHANGE_KINDS.indexOf(a.kind) - CHANGE_KINDS.indexOf(b.kind) ||
    compareText(a.target, b.target)
  );
}
