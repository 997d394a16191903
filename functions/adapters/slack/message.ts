// Block Kit rendering of one execution summary: what a network engineer needs to see (entries added, removed,
// updated, blocked with reasons, failed with errors, artifacts to act on, warnings), split into as many
// messages as Slack's limits require. Pure: no I/O, so the same summary always renders the same messages.
import type { IncomingWebhookSendArguments } from '@slack/webhook';
import type { Artifact, Change } from '../../domain/model.js';
import type { ApprovalNotice, ExecutionSummary } from '../../ports/notifier.js';

export type SlackBlock = NonNullable<IncomingWebhookSendArguments['blocks']>[number];

export interface SlackMessage {
  /** Fallback text (notifications, clients without Block Kit). */
  text: string;
  blocks: SlackBlock[];
}

export interface SlackLimits {
  /** Slack refuses a message with more blocks than this (50). */
  maxBlocksPerMessage: number;
  /** Slack refuses a section whose text is longer than this (3000). */
  maxSectionChars: number;
  /**
   * The sum of the blocks' texts (header and context included). Slack refuses a message whose blocks carry more
   * than about 12,000 characters (`msg_blocks_too_long`), well under its 40,000 for a message's `text`.
   */
  maxCharsPerMessage: number;
}

export const SLACK_LIMITS: Readonly<SlackLimits> = { maxBlocksPerMessage: 50, maxSectionChars: 3000, maxCharsPerMessage: 12_000 };

/** The characters of text a message's blocks carry (what maxCharsPerMessage bounds). */
export function blockTextLength(blocks: readonly SlackBlock[]): number {
  let total = 0;
  for (const block of blocks) {
    total += textLength(block);
    if ('elements' in block && Array.isArray(block.elements)) {
      for (const element of block.elements as unknown[]) {
        const text = (element as { text?: unknown }).text;
        if (typeof text === 'string') total += text.length;
      }
    }
  }
  return total;
}

const HEADER_MAX_CHARS = 150;
const ARTIFACT_EXCERPT_LINES = 12;
const ARTIFACT_EXCERPT_CHARS = 800;
/** Header + context are repeated on every part; the rest of the budget is content. */
const FIXED_BLOCKS_PER_MESSAGE = 2;

/** True when the summary has nothing a person must see: it succeeded and every change was already in place. */
export function isUnchanged(summary: ExecutionSummary): boolean {
  return summary.outcome === 'succeeded' && (summary.drift ?? []).length === 0 && summary.changes.every((change) => change.status === 'unchanged');
}

/** mrkdwn treats &, < and > as control characters; user data (ids, reasons) must not inject links or mentions. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(value: string): string {
  return `\`${escapeMrkdwn(value.replace(/`/g, "'"))}\``;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

function placeOf(change: Change): string {
  return `${change.provider} ${change.region}`;
}

/** One line per entry: `kind target: cidr ⇄ peer → next hop port`, plus the reason when there is one. */
export function describeEntry(change: Change, withPlace: boolean): string {
  let line = `• ${change.kind} ${code(change.target)}`;
  if (change.cidr) line += `: ${code(change.cidr)}`;
  if (change.peerCidr) line += ` ⇄ ${code(change.peerCidr)}`;
  if (change.nextHop) line += ` → ${code(change.nextHop)}${change.nextHopType ? ` (${escapeMrkdwn(change.nextHopType)})` : ''}`;
  if (change.port) line += ` port ${code(change.port)}`;
  if (change.enabled !== undefined) line += change.enabled ? ' enabled' : ' disabled';
  if (withPlace) line += ` [${escapeMrkdwn(placeOf(change))}]`;
  if (change.reason && (change.status === 'blocked' || change.status === 'failed')) {
    line += ` — ${escapeMrkdwn(change.reason)}`;
  }
  return line;
}

interface Group {
  title: string;
  lines: string[];
}

function changeGroups(summary: ExecutionSummary): Group[] {
  const places = new Set(summary.changes.map(placeOf));
  const withPlace = places.size > 1;
  const pick = (test: (change: Change) => boolean) =>
    summary.changes.filter(test).map((change) => describeEntry(change, withPlace));
  const applied = (action: Change['action']) => (change: Change) => change.status === 'applied' && change.action === action;
  return [
    { title: 'Added', lines: pick(applied('create')) },
    { title: 'Removed', lines: pick(applied('delete')) },
    { title: 'Updated', lines: pick(applied('update')) },
    { title: 'Blocked', lines: pick((change) => change.status === 'blocked') },
    { title: 'Failed', lines: pick((change) => change.status === 'failed') },
    { title: 'Awaiting approval', lines: pick((change) => change.status === 'awaiting-approval') },
    {
      title: 'Planned, not applied',
      lines: pick((change) => change.status === 'planned' || change.status === 'applying'),
    },
  ];
}

/** Section texts for a titled list, each within the section limit; continuation sections say so. */
function groupSections(group: Group, maxChars: number): string[] {
  if (group.lines.length === 0) return [];
  const texts: string[] = [];
  let current = `*${group.title}* (${group.lines.length})`;
  for (const rawLine of group.lines) {
    const line = truncate(rawLine, maxChars - 40);
    if (current.length + 1 + line.length > maxChars) {
      texts.push(current);
      current = `*${group.title}* (continued)`;
    }
    current += `\n${line}`;
  }
  texts.push(current);
  return texts;
}

function artifactSection(artifact: Artifact, maxChars: number): string {
  const lines = artifact.content.split('\n');
  let excerpt = lines.slice(0, ARTIFACT_EXCERPT_LINES).join('\n');
  const more = lines.length - ARTIFACT_EXCERPT_LINES;
  excerpt = truncate(excerpt, ARTIFACT_EXCERPT_CHARS);
  const head = `*Artifact to act on:* ${code(artifact.name)} (${escapeMrkdwn(artifact.kind)}, ${escapeMrkdwn(artifact.mediaType)})`;
  const tail = more > 0 ? `\n… ${more} more line${more === 1 ? '' : 's'}` : '';
  const body = escapeMrkdwn(excerpt.replace(/```/g, "'''"));
  return truncate(`${head}\n\`\`\`${body}\`\`\`${tail}`, maxChars);
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } };
}

function textLength(block: SlackBlock): number {
  return 'text' in block && block.text && typeof block.text === 'object' && 'text' in block.text ? block.text.text.length : 0;
}

/** Greedy packing under both the block count and the character budget (a block is never split here). */
function pack(blocks: SlackBlock[], maxBlocks: number, maxChars: number): SlackBlock[][] {
  const chunks: SlackBlock[][] = [];
  let current: SlackBlock[] = [];
  let chars = 0;
  for (const block of blocks) {
    const length = textLength(block);
    if (current.length > 0 && (current.length >= maxBlocks || chars + length > maxChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(block);
    chars += length;
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(current);
  return chunks;
}

function countsLine(summary: ExecutionSummary): string {
  const { applied, unchanged, blocked, failed } = summary.counts;
  return `${applied} applied · ${unchanged} unchanged · ${blocked} blocked · ${failed} failed`;
}

function headline(summary: ExecutionSummary): string {
  const flows = summary.flows && summary.flows.length > 1 ? `${summary.flows.join(' + ')} flows` : `${summary.flow} flow`;
  return `podreach ${flows} on ${summary.clusterId} ${summary.outcome}`;
}

/** The content blocks (without header and context) in reading order. */
function contentBlocks(summary: ExecutionSummary, limits: SlackLimits): SlackBlock[] {
  const texts: string[] = [];
  if (summary.error) {
    const error = escapeMrkdwn(summary.error.replace(/```/g, "'''"));
    texts.push(truncate(`*Error*\n\`\`\`${error}\`\`\``, limits.maxSectionChars));
  }
  for (const group of changeGroups(summary)) texts.push(...groupSections(group, limits.maxSectionChars));
  if (isUnchanged(summary)) {
    const total = summary.changes.length;
    texts.push(total === 0 ? 'No changes: nothing to apply.' : `No changes: all ${total} entries were already in place.`);
  }
  const drift = (summary.drift ?? []).map(
    (entry) =>
      `• ${escapeMrkdwn(`${entry.kind} ${entry.cidr ?? ''}${entry.peerCidr ? ` <-> ${entry.peerCidr}` : ''} in ${entry.target}`)}: ${
        entry.drift === 'removed' ? 'removed by someone' : `changed by someone${entry.found ? ` to ${escapeMrkdwn(entry.found)}` : ''}`
      }`,
  );
  texts.push(...groupSections({ title: 'Drift (what podreach keeps in place, changed by hand)', lines: drift }, limits.maxSectionChars));
  for (const artifact of summary.artifacts) texts.push(artifactSection(artifact, limits.maxSectionChars));
  const warnings = summary.warnings.map((warning) => `• ${escapeMrkdwn(warning)}`);
  texts.push(...groupSections({ title: 'Warnings', lines: warnings }, limits.maxSectionChars));
  return texts.map(section);
}

/**
 * The messages for one execution: one, or several when the content is over Slack's limits. Every part
 * repeats the header and context (cluster, flow, execution, counts) and says "part i/n".
 */
export function buildSlackMessages(summary: ExecutionSummary, limits: SlackLimits = SLACK_LIMITS): SlackMessage[] {
  const perMessage = limits.maxBlocksPerMessage - FIXED_BLOCKS_PER_MESSAGE;
  if (perMessage < 1) throw new RangeError('maxBlocksPerMessage must leave room for content');
  // Room for the header and context (each at most one section long) inside the character budget.
  const contentChars = Math.max(limits.maxSectionChars, limits.maxCharsPerMessage - limits.maxSectionChars - HEADER_MAX_CHARS);
  const chunks = pack(contentBlocks(summary, limits), perMessage, contentChars);

  const places = [...new Set(summary.changes.map(placeOf))];
  const where = places.length === 1 && places[0] ? ` · ${escapeMrkdwn(places[0])}` : '';
  const title = headline(summary);
  const counts = countsLine(summary);
  return chunks.map((blocks, index) => {
    const part = chunks.length > 1 ? ` (part ${index + 1}/${chunks.length})` : '';
    const context = `Execution ${code(summary.executionId)}${where} · ${counts}${part}`;
    return {
      text: `${title}: ${counts}${part}`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX_CHARS) } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(context, limits.maxSectionChars) }] },
        ...blocks,
      ],
    };
  });
}

/**
 * The approval request for changes an approval policy held: what they are and why, and how to answer — Approve /
 * Reject buttons (Slack posts the click to podreach's approval endpoint) or, locally, the command to run. Within
 * Slack's limits: the list is cut to what fits, saying how many more there are.
 */
export function buildApprovalMessage(notice: ApprovalNotice, limits: SlackLimits = SLACK_LIMITS): SlackMessage {
  const title = `podreach ${notice.flow} on ${notice.clusterId}: ${notice.changes.length} change(s) need approval`;
  const lines = notice.changes.map((change) => `${describeEntry(change, false)}${change.reason ? ` — ${escapeMrkdwn(change.reason.replace(/^awaiting approval: /, ''))}` : ''}`);
  const room = Math.max(1, limits.maxSectionChars - 200);
  let listed = '';
  let shown = 0;
  for (const line of lines) {
    if (listed.length + line.length + 1 > room) break;
    listed += `${listed ? '\n' : ''}${line}`;
    shown += 1;
  }
  if (shown < lines.length) listed += `\n… and ${lines.length - shown} more (podreach state --history)`;
  const answer: SlackBlock =
    notice.answer.kind === 'buttons'
      ? {
          type: 'actions',
          elements: [
            { type: 'button', text: { type: 'plain_text', text: 'Approve' }, style: 'primary', action_id: 'podreach-approve', value: notice.executionId },
            { type: 'button', text: { type: 'plain_text', text: 'Reject' }, style: 'danger', action_id: 'podreach-reject', value: notice.executionId },
          ],
        }
      : section(`Approve: ${code(notice.answer.approve)}\nReject: ${code(notice.answer.reject)}`);
  return {
    text: title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: truncate(title, HEADER_MAX_CHARS) } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Execution ${code(notice.executionId)}` }] },
      section(listed || 'No changes.'),
      answer,
    ],
  };
}
