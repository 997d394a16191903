// The Slack adapter against a real HTTP server on 127.0.0.1 that plays the incoming webhook.
import { WebhookReceiver, type Received } from '../support/slack-receiver.js';
import { InvalidInputError, PodreachError } from '../../functions/domain/errors.js';
import type { Change, ChangeStatus } from '../../functions/domain/model.js';
import type { ExecutionSummary } from '../../functions/ports/notifier.js';
import { NotificationError } from '../../functions/adapters/slack/notification-error.js';
import { NullNotifier } from '../../functions/adapters/slack/null-notifier.js';
import { readFileSync } from 'node:fs';
import { blockTextLength, SLACK_LIMITS } from '../../functions/adapters/slack/message.js';
import { parseProfileText } from '../../functions/application/profile-text.js';
import { FLOWS } from '../../functions/domain/model.js';
import { plan, tkeFacts } from '../unit/domain/planner/fixtures.js';
import { createNotifier, SlackNotifier, webhookUrlFromEnvironment } from '../../functions/adapters/slack/slack-notifier.js';

/** A clock that only moves when the notifier waits: the waits it asks for are the gaps between its posts. */
function fakePacing() {
  let now = 1_000_000;
  const postedAt: number[] = [];
  const fetchThrough: typeof fetch = async (input, init) => {
    postedAt.push(now);
    return fetch(input, init);
  };
  return {
    postedAt,
    options: {
      clock: () => now,
      sleep: async (ms: number) => {
        now += ms;
      },
      fetch: fetchThrough,
    },
  };
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
      // Prepare: 2,500 routes render to ~125,000 characters, over the 12,000 a message's blocks may hold
      const changes = Array.from({ length: 2500 }, (_, index) =>
        change({ id: `c${index}`, kind: 'route', target: `rtb-${index % 7}`, cidr: `10.${Math.floor(index / 256)}.${index % 256}.0/24`, nextHop: `vpngw-${index % 3}` }),
      );
      const summary = summaryOf(changes);
      const pacing = fakePacing();

      // Act
      await new SlackNotifier(url, pacing.options).notify(summary);

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
      expect(pacing.postedAt.length).toBe(messages.length);
    });

    it('keeps every part of a 300-CIDR cluster within 12,000 characters of block text and 50 blocks, posted at least 1 s apart', async () => {
      // Prepare: what the contract example profile plans for a cluster with 300 container CIDRs, every change applied
      const podCidrs = Array.from({ length: 300 }, (_, index) => `100.${64 + Math.floor(index / 256)}.${index % 256}.0/24`);
      const facts = tkeFacts({ podCidrs });
      const profile = parseProfileText(readFileSync('examples/profiles/contract-example.yaml', 'utf8')).spec;
      const world = { held: [], ledger: [], quotas: { routesPerTable: 10_000, prefixesPerDxGateway: 10_000, selectorsPerConnection: 10_000, rulesPerSecurityGroup: 10_000, whitelistEntries: 10_000 } };
      const planned = FLOWS.flatMap((flow) => plan(world, facts, profile, flow).changes);
      const applied = planned.map((entry) => ({ ...entry, status: 'applied' as const }));
      const summary = summaryOf(applied, { clusterId: facts.clusterId, flow: 'vpn', flows: [...FLOWS] });
      const pacing = fakePacing();

      // Act
      await new SlackNotifier(url, pacing.options).notify(summary);

      // Assess
      const messages = receiver.received;
      expect(applied.length).toBeGreaterThan(1000);
      expect(messages.length).toBeGreaterThan(1);
      messages.forEach((message, index) => {
        expect(message.body.blocks.length).toBeLessThanOrEqual(50);
        expect(blockTextLength(message.body.blocks as never)).toBeLessThanOrEqual(12_000);
        expect(allText(message)).toContain(`part ${index + 1}/${messages.length}`);
        // one logical notification: every part says which cluster and execution it belongs to
        expect(allText(message)).toContain(summary.executionId);
      });
      const text = messages.map(allText).join('\n');
      for (const cidr of podCidrs) expect(text).toContain(`\`${cidr}\``);
      const gaps = pacing.postedAt.slice(1).map((at, index) => at - pacing.postedAt[index]!);
      expect(gaps.length).toBe(messages.length - 1);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000);
    });

    it('paces the parts of one notification at least a second apart on the real clock', async () => {
      // Prepare: limits small enough for three parts
      const changes = Array.from({ length: 30 }, (_, index) => change({ id: `c${index}`, kind: 'route', target: 'rtb-main', cidr: `10.0.${index}.0/24`, nextHop: 'vpngw-1' }));
      const notifier = new SlackNotifier(url, { limits: { maxBlocksPerMessage: 5, maxSectionChars: 400, maxCharsPerMessage: 1200 } });

      // Act
      await notifier.notify(summaryOf(changes));

      // Assess
      const messages = receiver.received;
      expect(messages.length).toBeGreaterThanOrEqual(3);
      for (let index = 1; index < messages.length; index += 1) {
        expect(messages[index]!.at - messages[index - 1]!.at).toBeGreaterThanOrEqual(950);
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

  describe('Method: requestApproval', () => {
    it('lists each held change behind one bullet, with why it waits, and the commands that answer', async () => {
      // Prepare
      const held = (overrides: Partial<Change> & Pick<Change, 'id' | 'kind' | 'target'>) => change({ reason: 'awaiting approval: policy prod-routes', ...overrides }, 'awaiting-approval');
      const changes = [
        held({ id: 'c1', kind: 'route', target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' }),
        held({ id: 'c2', kind: 'sg-rule', target: 'sg-ecs', cidr: '172.16.0.0/16', port: 'tcp:22' }),
      ];

      // Act
      await new SlackNotifier(url).requestApproval({
        clusterId: 'cls-demo',
        flow: 'vpn',
        executionId: 'cls-demo-vpn-0123456789abcdef',
        changes,
        answer: { kind: 'command', approve: 'podreach approve x', reject: 'podreach approve x --reject' },
      });

      // Assess
      expect(receiver.received).toHaveLength(1);
      const text = allText(receiver.received[0]!);
      expect(text).toContain('• route `rtb-main`: `10.20.0.0/16` → `vpngw-1` — policy prod-routes\n• sg-rule `sg-ecs`: `172.16.0.0/16` port `tcp:22` — policy prod-routes');
      expect(text).not.toContain('• •');
      expect(text).toContain('Approve: `podreach approve x`');
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
