// The Slack adapter against a real HTTP server on 127.0.0.1 that plays the incoming webhook.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvalidInputError, PodreachError } from '../../functions/domain/errors.js';
import type { Change, ChangeStatus } from '../../functions/domain/model.js';
import type { ExecutionSummary } from '../../functions/ports/notifier.js';
import { NotificationError } from '../../functions/adapters/slack/notification-error.js';
import { NullNotifier } from '../../functions/adapters/slack/null-notifier.js';
import { SLACK_LIMITS } from '../../functions/adapters/slack/message.js';
import { createNotifier, SlackNotifier, webhookUrlFromEnvironment } from '../../functions/adapters/slack/slack-notifier.js';

interface Received {
  at: number;
  path: string;
  body: { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
}

type Reply = (response: ServerResponse) => void;

/** A webhook receiver: records every POST, answers from a queue of replies (then 200 "ok"). */
class WebhookReceiver {
  readonly received: Received[] = [];
  readonly replies: Reply[] = [];
  #server: Server = createServer((request, response) => void this.#handle(request, response));

  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/services/T000/B000/secretToken123`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    this.received.push({ at: Date.now(), path: request.url ?? '', body: JSON.parse(text) as Received['body'] });
    const reply = this.replies.shift();
    if (reply) reply(response);
    else response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}

function change(overrides: Partial<Change> & Pick<Change, 'id' | 'kind' | 'target'>, status: ChangeStatus = 'applied'): Change {
  return { clusterId: 'cls-demo', flow: 'vpn', action: 'create', provider: 'sandbox', region: 'ap-shanghai', status, ...overrides };
}

function summaryOf(changes: Change[], extra: Partial<ExecutionSummary> = {}): ExecutionSummary {
  const count = (status: ChangeStatus) => changes.filter((c) => c.status === status).length;
  return {
    clusterId: 'cls-demo',
    flow: 'vpn',
    executionId: 'cls-demo-vpn-0123456789abcdef',
    outcome: 'succeeded',
    changes,
    counts: { applied: count('applied'), unchanged: count('unchanged'), blocked: count('blocked'), failed: count('failed') },
    artifacts: [],
    warnings: [],
    ...extra,
  };
}

function allText(message: Received): string {
  return message.body.blocks
    .map((block) => block.text?.text ?? (block.elements ?? []).map((element) => element.text).join(' '))
    .join('\n');
}

describe('Class: SlackNotifier', () => {
  let receiver: WebhookReceiver;
  let url: string;

  beforeEach(async () => {
    receiver = new WebhookReceiver();
    url = await receiver.start();
  });

  afterEach(async () => {
    await receiver.stop();
  });

  describe('Method: notify', () => {
    it('posts one message with every applied CIDR and next hop, the blocked reasons, failures, artifacts and warnings', async () => {
      // Prepare
      const changes = [
        change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1', nextHopType: 'vpn-gateway' }),
        change({ id: 'c2', kind: 'vpn-selector', target: 'vpnx-1', cidr: '172.16.0.0/16', peerCidr: '10.20.0.0/16' }),
        change({ id: 'c3', kind: 'sg-rule', target: 'sg-ecs', cidr: '172.16.0.0/16', port: 'tcp:22' }),
        change({ id: 'c4', kind: 'route', target: 'rtb-old', cidr: '172.17.0.0/16', nextHop: 'vpngw-1', action: 'delete' }),
        change({ id: 'c5', kind: 'cloud-connect-route', target: 'ccn-1', cidr: '172.16.0.0/16', nextHop: 'vpc-demo', enabled: true, action: 'update' }),
        change({ id: 'c6', kind: 'route', target: 'rtb-main', cidr: '10.30.0.0/16', reason: 'overlaps VPC vpc-demo 10.30.0.0/16 <foreign>' }, 'blocked'),
        change({ id: 'c7', kind: 'route', target: 'rtb-far', cidr: '10.40.0.0/16', nextHop: 'vpngw-2', reason: 'ThrottlingError: Rate exceeded' }, 'failed'),
        change({ id: 'c8', kind: 'route', target: 'rtb-main', cidr: '10.50.0.0/16', nextHop: 'vpngw-1' }, 'unchanged'),
      ];
      const summary = summaryOf(changes, {
        outcome: 'failed',
        error: 'ApplyFailed: 1 change failed',
        artifacts: [{ kind: 'idc-static-routes', name: 'idc-next-hops.txt', flow: 'vpn', mediaType: 'text/plain', content: 'ip route 172.16.0.0/16 10.0.0.1\nip route 172.17.0.0/16 10.0.0.1' }],
        warnings: ['subnet-b uses another route table'],
      });
      const notifier = new SlackNotifier(url);

      // Act
      await notifier.notify(summary);

      // Assess
      expect(receiver.received).toHaveLength(1);
      const [message] = receiver.received;
      if (!message) throw new Error('no message');
      expect(message.path).toBe('/services/T000/B000/secretToken123');
      const text = allText(message);
      expect(message.body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'podreach vpn flow on cls-demo failed' } });
      expect(text).toContain('cls-demo-vpn-0123456789abcdef');
      expect(text).toContain('sandbox ap-shanghai');
      expect(text).toContain('5 applied · 1 unchanged · 1 blocked · 1 failed');
      expect(text).toMatch(/\*Added\* \(3\)\n• route `rtb-main`: `10\.20\.0\.0\/16` → `vpngw-1` \(vpn-gateway\)/);
      expect(text).toContain('• vpn-selector `vpnx-1`: `172.16.0.0/16` ⇄ `10.20.0.0/16`');
      expect(text).toContain('• sg-rule `sg-ecs`: `172.16.0.0/16` port `tcp:22`');
      expect(text).toMatch(/\*Removed\* \(1\)\n• route `rtb-old`: `172\.17\.0\.0\/16` → `vpngw-1`/);
      expect(text).toMatch(/\*Updated\* \(1\)\n• cloud-connect-route `ccn-1`: `172\.16\.0\.0\/16` → `vpc-demo` enabled/);
      expect(text).toContain('*Blocked* (1)\n• route `rtb-main`: `10.30.0.0/16` — overlaps VPC vpc-demo 10.30.0.0/16 &lt;foreign&gt;');
      expect(text).toContain('*Failed* (1)\n• route `rtb-far`: `10.40.0.0/16` → `vpngw-2` — ThrottlingError: Rate exceeded');
      expect(text).toContain('ApplyFailed: 1 change failed');
      expect(text).toContain('`idc-next-hops.txt` (idc-static-routes, text/plain)');
      expect(text).toContain('ip route 172.16.0.0/16 10.0.0.1');
      expect(text).toContain('• subnet-b uses another route table');
      expect(text).not.toContain('10.50.0.0/16'); // unchanged entries are counted, not listed
      expect(message.body.text).toBe('podreach vpn flow on cls-demo failed: 5 applied · 1 unchanged · 1 blocked · 1 failed');
    });

    it('posts nothing for a replay where every change is unchanged (quietWhenUnchanged default)', async () => {
      // Prepare
      const summary = summaryOf([change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' }, 'unchanged')]);

      // Act
      await new SlackNotifier(url).notify(summary);

      // Assess
      expect(receiver.received).toHaveLength(0);
    });

    it('posts a short "no changes" message for a replay when quietWhenUnchanged is false', async () => {
      // Prepare
      const summary = summaryOf([
        change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' }, 'unchanged'),
        change({ id: 'c2', kind: 'route', target: 'rtb-main', cidr: '10.21.0.0/16', nextHop: 'vpngw-1' }, 'unchanged'),
      ]);

      // Act
      await new SlackNotifier(url, { quietWhenUnchanged: false }).notify(summary);

      // Assess
      expect(receiver.received).toHaveLength(1);
      const [message] = receiver.received;
      if (!message) throw new Error('no message');
      expect(message.body.blocks).toHaveLength(3);
      expect(allText(message)).toContain('No changes: all 2 entries were already in place.');
    });

    it('still posts an unchanged replay that carries a blocked change', async () => {
      // Prepare
      const summary = summaryOf([
        change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16' }, 'unchanged'),
        change({ id: 'c2', kind: 'route', target: 'rtb-main', cidr: '10.30.0.0/16', reason: 'conflicts with a foreign route' }, 'blocked'),
      ]);

      // Act
      await new SlackNotifier(url).notify(summary);

      // Assess
      expect(receiver.received).toHaveLength(1);
      expect(allText(receiver.received[0] as Received)).toContain('conflicts with a foreign route');
    });

    it("splits a summary over Slack's limits into parts that keep every entry and say part i/n", async () => {
      // Prepare: 2,500 routes render to ~125,000 characters, over the 40,000 a message may hold
      const changes = Array.from({ length: 2500 }, (_, index) =>
        change({ id: `c${index}`, kind: 'route', target: `rtb-${index % 7}`, cidr: `10.${Math.floor(index / 256)}.${index % 256}.0/24`, nextHop: `vpngw-${index % 3}` }),
      );
      const summary = summaryOf(changes);

      // Act
      await new SlackNotifier(url).notify(summary);

      // Assess
      const messages = receiver.received;
      expect(messages.length).toBeGreaterThan(1);
      const text = messages.map(allText).join('\n');
      messages.forEach((message, index) => {
        expect(message.body.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.maxBlocksPerMessage);
        for (const block of message.body.blocks) {
          expect((block.text?.text ?? '').length).toBeLessThanOrEqual(SLACK_LIMITS.maxSectionChars);
        }
        expect(allText(message).length).toBeLessThanOrEqual(SLACK_LIMITS.maxCharsPerMessage);
        expect(allText(message)).toContain(`part ${index + 1}/${messages.length}`);
        expect(message.body.text).toContain(`(part ${index + 1}/${messages.length})`);
      });
      for (const entry of changes) {
        expect(text).toContain(`• route \`${entry.target}\`: \`${entry.cidr}\` → \`${entry.nextHop}\``);
      }
    });

    it('retries a 429 after its Retry-After, once, then succeeds', async () => {
      // Prepare
      receiver.replies.push((response) => response.writeHead(429, { 'retry-after': '1' }).end('rate_limited'));
      const summary = summaryOf([change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' })]);

      // Act
      await new SlackNotifier(url).notify(summary);

      // Assess
      expect(receiver.received).toHaveLength(2);
      const [first, second] = receiver.received as [Received, Received];
      expect(second.at - first.at).toBeGreaterThanOrEqual(950);
      expect(second.body).toEqual(first.body);
    });

    it('fails with a NotificationError when the Retry-After is longer than it may wait', async () => {
      // Prepare
      receiver.replies.push((response) => response.writeHead(429, { 'retry-after': '120' }).end('rate_limited'));
      const summary = summaryOf([change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' })]);

      // Act
      const result = new SlackNotifier(url, { maxRetryAfterSeconds: 5 }).notify(summary);

      // Assess
      await expect(result).rejects.toMatchObject({ name: 'NotificationError', statusCode: 429 });
      expect(receiver.received).toHaveLength(1);
    });

    it('turns a 500 into a NotificationError that does not reveal the webhook URL', async () => {
      // Prepare
      receiver.replies.push((response) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error at ${url}`));
      const summary = summaryOf([change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' })]);

      // Act
      const error = await new SlackNotifier(url).notify(summary).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(NotificationError);
      expect(error).toBeInstanceOf(PodreachError);
      const notificationError = error as NotificationError;
      expect(notificationError.name).toBe('NotificationError');
      expect(notificationError.statusCode).toBe(500);
      expect(notificationError.message).toContain('500');
      expect(notificationError.message).not.toContain(url);
      expect(notificationError.message).not.toContain('secretToken123');
      expect(receiver.received).toHaveLength(1);
    });

    it('turns an unreachable webhook into a NotificationError that does not reveal the URL', async () => {
      // Prepare: the receiver is stopped, so nothing listens on the port any more
      await receiver.stop();
      const summary = summaryOf([change({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' })]);
      receiver = new WebhookReceiver();
      await receiver.start();

      // Act
      const error = await new SlackNotifier(url).notify(summary).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(NotificationError);
      expect((error as NotificationError).statusCode).toBeUndefined();
      expect((error as Error).message).not.toContain('secretToken123');
    });
  });
});

describe('Class: NullNotifier', () => {
  describe('Method: notify', () => {
    it('does nothing and succeeds', async () => {
      // Act
      const result = await new NullNotifier().notify(summaryOf([]));

      // Assess
      expect(result).toBeUndefined();
    });
  });
});

describe('Function: webhookUrlFromEnvironment', () => {
  it('reads SLACK_WEBHOOK_URL, treats unset or empty as not configured, and refuses a non-URL without echoing it', () => {
    // Act / Assess
    expect(webhookUrlFromEnvironment({ SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook' })).toBe('http://127.0.0.1:9/hook');
    expect(webhookUrlFromEnvironment({})).toBeUndefined();
    expect(webhookUrlFromEnvironment({ SLACK_WEBHOOK_URL: '' })).toBeUndefined();
    expect(() => webhookUrlFromEnvironment({ SLACK_WEBHOOK_URL: 'not-a-url-s3cret' })).toThrow(InvalidInputError);
    expect(() => webhookUrlFromEnvironment({ SLACK_WEBHOOK_URL: 'not-a-url-s3cret' })).toThrow(/^(?!.*s3cret)/);
    expect(createNotifier(undefined)).toBeInstanceOf(NullNotifier);
    expect(createNotifier('http://127.0.0.1:9/hook')).toBeInstanceOf(SlackNotifier);
  });
});
