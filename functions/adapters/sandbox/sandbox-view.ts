// `podreach sandbox show`: the simulated account as it is now, every entry marked as podreach's (with the cluster
// and change its mark names) or foreign (seeded, or put there by someone else). Read straight from the account's
// documents, so injected faults never get in the way of looking.
import { parseOwnershipMark } from '../../domain/ownership-mark.js';
import type { StateStore } from '../../ports/state-store.js';
import { SANDBOX_ACCOUNT_KEY, sandboxResourceKey, type SandboxAccountDocument, type SandboxResourceType } from './cloud.js';

export interface SandboxViewEntry {
  /** What the entry is, in the seed file's words: "10.0.0.0/16 -> pcx-1", "local 10.0.0.0/16 <-> remote 10.1.0.0/16". */
  entry: string;
  owner: 'podreach' | 'foreign';
  /** For podreach's entries: the cluster and change its mark names. */
  clusterId?: string;
  changeId?: string;
}

export interface SandboxViewResource {
  type: string;
  id: string;
  entries: SandboxViewEntry[];
}

export interface SandboxView {
  resources: SandboxViewResource[];
  counts: { podreach: number; foreign: number };
}

type Item = Record<string, unknown>;

const text = (value: unknown): string | undefined => (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined);

/** One list item in words. Fields the seed format knows come first; a field it does not know is still shown. */
function describeItem(item: Item): string {
  const known = ['destination', 'cidr', 'local', 'source', 'address'];
  const head = known.map((field) => text(item[field])).find((value) => value !== undefined);
  const parts: string[] = [];
  if (item.local !== undefined && item.remote !== undefined) parts.push(`local ${text(item.local) ?? ''} <-> remote ${text(item.remote) ?? ''}`);
  else if (head !== undefined) parts.push(head);
  if (item.nextHop !== undefined) parts.push(`-> ${text(item.nextHop) ?? ''}`);
  if (item.instanceId !== undefined) parts.push(`via ${text(item.instanceId) ?? ''}`);
  if (item.port !== undefined) parts.push(text(item.port) ?? '');
  if (item.enabled === false) parts.push('(disabled)');
  const rest = Object.entries(item)
    .filter(([field]) => ![...known, 'remote', 'nextHop', 'nextHopType', 'instanceId', 'port', 'enabled', 'description'].includes(field))
    .map(([field, value]) => `${field}=${text(value) ?? JSON.stringify(value)}`);
  return [...parts, ...rest].join(' ');
}

function ownerOf(description: unknown): Pick<SandboxViewEntry, 'owner' | 'clusterId' | 'changeId'> {
  const mark = parseOwnershipMark(typeof description === 'string' ? description : undefined);
  if (!mark) return { owner: 'foreign' };
  return { owner: 'podreach', ...(mark.clusterId ? { clusterId: mark.clusterId } : {}), ...(mark.changeId ? { changeId: mark.changeId } : {}) };
}

/** The entries of one resource document: every list it holds (whatever the type), and a subnet's binding. */
function entriesOf(type: SandboxResourceType | string, body: Item): SandboxViewEntry[] {
  if (type === 'subnet') {
    const table = text(body.routeTableId);
    return table ? [{ entry: `${text(body.cidr) ?? ''} bound to ${table}`.trim(), ...ownerOf(body.associationDescription) }] : [];
  }
  return Object.values(body)
    .filter((value): value is unknown[] => Array.isArray(value))
    .flatMap((list) => list.filter((item): item is Item => typeof item === 'object' && item !== null))
    .map((item) => ({ entry: describeItem(item), ...ownerOf(item.description) }));
}

export async function viewSandbox(store: StateStore): Promise<SandboxView> {
  const account = (await store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY))?.body;
  const refs = [...(account?.resources ?? [])].sort((a, b) => a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
  const resources: SandboxViewResource[] = [];
  for (const ref of refs) {
    const body = (await store.getDocument<Item>(sandboxResourceKey(ref.type, ref.id)))?.body ?? {};
    const entries = entriesOf(ref.type, body).sort((a, b) => a.entry.localeCompare(b.entry));
    resources.push({ type: ref.type, id: ref.id, entries });
  }
  const all = resources.flatMap((resource) => resource.entries);
  return { resources, counts: { podreach: all.filter((e) => e.owner === 'podreach').length, foreign: all.filter((e) => e.owner === 'foreign').length } };
}

export function renderSandboxView(view: SandboxView): string {
  if (view.resources.length === 0) return 'the sandbox account holds nothing (seed it with --sandbox FILE, or run an event)';
  const lines: string[] = [];
  for (const resource of view.resources) {
    lines.push(`${resource.type} ${resource.id}${resource.entries.length === 0 ? ': empty' : ''}`);
    for (const entry of resource.entries) {
      const whose = entry.owner === 'podreach' ? `podreach (${entry.clusterId ?? '?'}${entry.changeId ? ` ${entry.changeId}` : ''})` : 'foreign';
      lines.push(`  ${entry.entry.padEnd(48)}  ${whose}`);
    }
  }
  lines.push('', `${view.counts.podreach} entr${view.counts.podreach === 1 ? 'y' : 'ies'} podreach made, ${view.counts.foreign} foreign (podreach never changes those)`);
  return lines.join('\n');
}
