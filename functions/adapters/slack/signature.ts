// Verifies that a request to the approval endpoint comes from Slack: Slack signs `v0:<timestamp>:<raw body>` with the
// app's signing secret (HMAC-SHA256, header X-Slack-Signature "v0=<hex>", X-Slack-Request-Timestamp in seconds), and a
// request older than five minutes is refused so a captured one cannot be replayed
// (https://api.slack.com/authentication/verifying-requests-from-slack).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { PodreachError } from '../../domain/errors.js';

export class SlackSignatureError extends PodreachError {
  override name = 'SlackSignatureError';
}

/** How old a signed request may be. */
export const SLACK_MAX_AGE_SECONDS = 5 * 60;

export function slackSignature(signingSecret: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Throws SlackSignatureError unless the request is signed with `signingSecret` and recent. */
export function verifySlackRequest(input: { signingSecret: string; timestamp: string | undefined; signature: string | undefined; body: string; nowMs: number }): void {
  const { timestamp, signature } = input;
  if (!timestamp || !/^\d+$/.test(timestamp)) throw new SlackSignatureError('missing or malformed X-Slack-Request-Timestamp');
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > SLACK_MAX_AGE_SECONDS) {
    throw new SlackSignatureError(`stale request: signed at ${timestamp}, more than ${SLACK_MAX_AGE_SECONDS} s from now`);
  }
  if (!signature) throw new SlackSignatureError('missing X-Slack-Signature');
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SlackSignatureError('the signature does not match');
}
