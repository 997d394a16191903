// The Notifier port on a Slack incoming webhook: one Block Kit message per execution (split only over
// Slack's limits), 429 retried after its Retry-After, everything else a NotificationError. The webhook URL is
// a credential: it never appears in an error message.
import { setTimeout as sleep } from 'node:timers/promises';
import { IncomingWebhook, IncomingWebhookHTTPError, type FetchFunction } from '@slack/webhook';
import { z } from 'zod';
import { InvalidInputError } from '../../domain/errors.js';
import type { ApprovalNotice, ApprovalNotifier, ExecutionSummary, Notifier } from '../../ports/notifier.js';
import { buildApprovalMessage, buildSlackMessages, isUnchanged, SLACK_LIMITS, type SlackLimits } from './message.js';
import { NotificationError } from './notification-error.js';
import { NullNotifier } from './null-notifier.js';

export { NotificationError, NullNotifier };

export interface SlackNotifierOptions {
  /**
   * true (default): post nothing when the execution succeeded and every change was already in place
   * (a replay). false: post a short "no changes" message instead.
   */
  quietWhenUnchanged?: boolean;
  /** How many times a 429 is retried (after its Retry-After) before giving up. Default 3. */
  maxRateLimitRetries?: number;
  /** A Retry-After longer than this is not waited for: the notification fails instead. Default 30 s. */
  maxRetryAfterSeconds?: number;
  /** Per-request timeout in ms. Default 10 s. */
  timeoutMs?: number;
  limits?: SlackLimits;
  /** The HTTP transport (default: global fetch). */
  fetch?: FetchFunction;
  /**
   * The least time between two posts of this notifier, parts of one notification included: incoming webhooks
   * take about one message per second. Default 1000 ms.
   */
  minIntervalMs?: number;
  /** The clock and the wait the pacing uses (tests pass their own). */
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const REDACTED = '[webhook URL redacted]';

/** Seconds to wait from a Retry-After header (delta-seconds or HTTP date); undefined when absent/unreadable. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

export class SlackNotifier implements Notifier, ApprovalNotifier {
  readonly #webhook: IncomingWebhook;
  readonly #url: string;
  readonly #quietWhenUnchanged: boolean;
  readonly #limits: SlackLimits;
  readonly #minIntervalMs: number;
  readonly #clock: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  #lastPostAt: number | undefined;

  constructor(webhookUrl: string, options: SlackNotifierOptions = {}) {
    this.#url = webhookUrl;
    this.#quietWhenUnchanged = options.quietWhenUnchanged ?? true;
    this.#limits = options.limits ?? SLACK_LIMITS;
    this.#minIntervalMs = options.minIntervalMs ?? 1000;
    this.#clock = options.clock ?? Date.now;
    this.#sleep = options.sleep ?? ((ms) => sleep(ms));
    const maxRetries = options.maxRateLimitRetries ?? 3;
    const maxWaitSeconds = options.maxRetryAfterSeconds ?? 30;
    const transport: FetchFunction = options.fetch ?? globalThis.fetch;
    // @slack/webhook 8 (fetch + p-retry) treats every 4xx, 429 included, as final and does not expose the
    // response headers, so the rate-limit wait lives in the transport it is given: retried here, the library
    // only sees the final answer.
    // The per-request timeout is applied here too: the library's signal would also cover the Retry-After wait.
    const timeoutMs = options.timeoutMs ?? 10_000;
    const rateLimitedFetch: FetchFunction = async (url, init) => {
      for (let attempt = 0; ; attempt += 1) {
        const response = await transport(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
        if (response.status !== 429 || attempt >= maxRetries) return response;
        const wait = retryAfterSeconds(response.headers.get('retry-after')) ?? 1;
        if (wait > maxWaitSeconds) return response;
        await response.arrayBuffer(); // release the connection before waiting
        await sleep(wait * 1000);
      }
    };
    this.#webhook = new IncomingWebhook(webhookUrl, {
      fetch: rateLimitedFetch,
      timeout: 0,
      retryConfig: { retries: 0 },
    });
  }

  /** The approval gate's request: one message with the held changes and the Approve / Reject buttons. */
  async requestApproval(notice: ApprovalNotice): Promise<void> {
    await this.#pace();
    try {
      await this.#webhook.send(buildApprovalMessage(notice, this.#limits));
    } catch (error) {
      throw this.#translate(error, '');
    }
  }

  async notify(summary: ExecutionSummary): Promise<void> {
    if (this.#quietWhenUnchanged && isUnchanged(summary)) return;
    const messages = buildSlackMessages(summary, this.#limits);
    for (const [index, message] of messages.entries()) {
      await this.#pace();
      try {
        await this.#webhook.send(message);
      } catch (error) {
        const part = messages.length > 1 ? ` (part ${index + 1}/${messages.length}; earlier parts were posted)` : '';
        throw this.#translate(error, part);
      }
    }
  }

  /** Waits until the interval since the previous post has passed, then notes this post's start. */
  async #pace(): Promise<void> {
    if (this.#lastPostAt !== undefined) {
      const wait = this.#lastPostAt + this.#minIntervalMs - this.#clock();
      if (wait > 0) await this.#sleep(wait);
    }
    this.#lastPostAt = this.#clock();
  }

  #redact(text: string): string {
    let out = text.split(this.#url).join(REDACTED);
    // An error may carry the URL in another spelling (e.g. normalised by URL parsing).
    try {
      const parsed = new URL(this.#url);
      out = out.split(parsed.href).join(REDACTED);
      if (parsed.pathname.length > 1) out = out.split(parsed.pathname).join(REDACTED);
    } catch {
      // not a parseable URL: the literal replacement above is all there is
    }
    return out;
  }

  #translate(error: unknown, part: string): NotificationError {
    if (error instanceof IncomingWebhookHTTPError) {
      const body = error.body ? `: ${error.body.slice(0, 200)}` : '';
      const what = error.statusCode === 429 ? 'kept rate-limiting (429)' : `answered ${error.statusCode} ${error.statusMessage}`;
      return new NotificationError(this.#redact(`Slack webhook ${what}${body}${part}`), error.statusCode);
    }
    const reason = error instanceof Error ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}` : String(error);
    return new NotificationError(this.#redact(`Slack webhook request failed: ${reason}${part}`));
  }
}

const webhookUrlSchema = z.url({ protocol: /^https?$/ });

/**
 * Checks a webhook URL without ever echoing it. Empty / undefined = not configured.
 * @throws InvalidInputError naming `field`
 */
export function parseWebhookUrl(value: string | undefined, field: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const result = webhookUrlSchema.safeParse(value.trim());
  if (!result.success) throw new InvalidInputError(field, 'must be an http(s) URL (value not shown: it is a secret)');
  return result.data;
}

/** SLACK_WEBHOOK_URL (local runs). undefined when unset or empty. */
export function webhookUrlFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return parseWebhookUrl(env.SLACK_WEBHOOK_URL, 'SLACK_WEBHOOK_URL');
}

/** A SlackNotifier when a URL is given, else a NullNotifier. */
export function createNotifier(webhookUrl: string | undefined, options?: SlackNotifierOptions): Notifier {
  return webhookUrl ? new SlackNotifier(webhookUrl, options) : new NullNotifier();
}
