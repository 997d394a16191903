// The approval gate's endpoint (a Lambda function URL Slack posts button clicks to): a request signed with the Slack
// signing secret and recent records the decision on the held changes and resumes the waiting execution
// (SendTaskSuccess / SendTaskFailure on Step Functions — moto, seen through a recording proxy); a bad signature or a
// stale timestamp is refused and changes nothing. The store is dynalite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { slackSignature } from '../../functions/adapters/slack/signature.js';
import { NullNotifier } from '../../functions/adapters/slack/null-notifier.js';
import { SfnTaskResumer } from '../../functions/adapters/stepfunctions/task-resumer.js';
import { getApprovalRequest, requestApproval } from '../../functions/application/approval.js';
import type { AppDeps } from '../../functions/application/deps.js';
import type { LedgerEntry } from '../../functions/domain/model.js';
import { createApprovalCallbackHandler, type FunctionUrlEvent } from '../../functions/handlers/approval-callback.js';
import { createLogger } from '../../functions/handlers/middleware.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';
import { recordingProxy, type RecordingProxy } from '../support/recording-proxy.js';

const SIGNING_SECRET = 'test-signing-secret';
const NOW = Date.parse('2026-11-30T08:00:00Z');
const context = { awsRequestId: 'req-1', functionName: 'podreach-approval-callback', getRemainingTimeInMillis: () => 30_000 } as never;

function held(executionId: string, id: string): LedgerEntry {
  return {
    id,
    clusterId: 'cls-demo',
    flow: 'vpn',
    action: 'delete',
    provider: 'sandbox',
    region: 'local',
    status: 'awaiting-approval',
    reason: 'awaiting approval: a delete',
    kind: 'route',
    target: 'rtb-far',
    cidr: '172.19.0.0/16',
    nextHop: 'vpngw-2',
    owned: true,
    viaHolding: true,
    executionId,
    attempts: 0,
    updatedAt: '2026-11-30T07:59:00Z',
  };
}

/** A click as Slack posts it: form body `payload=<json>`, signed with `secret` at `timestamp` (seconds). */
function click(actionId: 'podreach-approve' | 'podreach-reject', executionId: string, options: { secret?: string; timestamp?: number } = {}): FunctionUrlEvent {
  const payload = { type: 'block_actions', user: { id: 'U123', username: 'alice' }, actions: [{ action_id: actionId, value: executionId }] };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = String(options.timestamp ?? Math.floor(NOW / 1000));
  return {
    headers: { 'X-Slack-Request-Timestamp': timestamp, 'X-Slack-Signature': slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body), 'content-type': 'application/x-www-form-urlencoded' },
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

describeIfAws('Handler: approval-callback (Slack signature, dynalite, Step Functions on moto)', () => {
  let emulator: AwsEndpoint | undefined;
  let proxy: RecordingProxy;
  let dir: string;
  let local: LocalDynamo;
  let deps: AppDeps;
  let handler: ReturnType<typeof createApprovalCallbackHandler>;

  beforeAll(async () => {
    emulator = await awsEndpoint();
    if (!emulator) throw new Error('describeIfAws ran without an emulator');
    proxy = await recordingProxy(emulator.endpoint);
    dir = mkdtempSync(join(tmpdir(), 'podreach-approval-'));
    local = await startLocalDynamo(dir);
    deps = { store: local.store, providers: { get: () => { throw new Error('no provider here'); } }, notifier: new NullNotifier(), now: () => new Date(NOW) };
    const sfn = new SFNClient(awsClientConfig(proxy.url, emulator.region));
    handler = createApprovalCallbackHandler({
      deps: async () => deps,
      resumer: async () => new SfnTaskResumer(sfn),
      signingSecret: SIGNING_SECRET,
      now: () => NOW,
      logger: createLogger('approval-callback', true),
    });
  });
  afterAll(async () => {
    await local?.close();
    await proxy?.close();
    await emulator?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function pending(executionId: string): Promise<void> {
    await local.store.putChange(held(executionId, `chg-${executionId}`));
    await requestApproval({ clusterId: 'cls-demo', flow: 'vpn', executionId, taskToken: `token-${executionId}` }, deps, { kind: 'buttons' });
  }

  it('records an approval and resumes the execution with SendTaskSuccess', async () => {
    // Prepare
    await pending('ex-approve');

    // Act
    const result = await handler(click('podreach-approve', 'ex-approve'), context);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).text).toContain('Approved by alice: 1 change(s) of ex-approve');
    expect(await local.store.getChange('cls-demo', 'chg-ex-approve')).toMatchObject({ status: 'planned', decision: { approved: true, by: 'alice' } });
    const call = proxy.calls.find((c) => c.action === 'SendTaskSuccess');
    expect(JSON.parse(call!.body)).toEqual({ taskToken: 'token-ex-approve', output: JSON.stringify({ approved: true, by: 'alice' }) });
  });

  it('records a rejection and fails the waiting task with ApprovalRejected', async () => {
    await pending('ex-reject');
    const result = await handler(click('podreach-reject', 'ex-reject'), context);
    expect(result.statusCode).toBe(200);
    expect(await local.store.getChange('cls-demo', 'chg-ex-reject')).toMatchObject({ status: 'blocked', reason: expect.stringContaining('rejected by alice') });
    const call = proxy.calls.find((c) => c.action === 'SendTaskFailure');
    expect(JSON.parse(call!.body)).toMatchObject({ taskToken: 'token-ex-reject', error: 'ApprovalRejected' });
  });

  it.each([
    ['a bad signature', { secret: 'not-the-secret' }, 'the signature does not match'],
    ['a stale timestamp', { timestamp: Math.floor(NOW / 1000) - 301 }, 'stale request'],
  ])('refuses %s and changes nothing', async (_what, options, why) => {
    // Prepare
    await pending(`ex-refused-${why.length}`);
    const before = proxy.calls.length;

    // Act
    const result = await handler(click('podreach-approve', `ex-refused-${why.length}`, options), context);

    // Assess
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body).text).toContain(why);
    expect((await getApprovalRequest(local.store, `ex-refused-${why.length}`))?.state).toBe('pending');
    expect((await local.store.getChange('cls-demo', `chg-ex-refused-${why.length}`))?.status).toBe('awaiting-approval');
    expect(proxy.calls.length).toBe(before);
  });

  it('refuses a second decision on the same request', async () => {
    await pending('ex-twice');
    expect((await handler(click('podreach-approve', 'ex-twice'), context)).statusCode).toBe(200);
    const again = await handler(click('podreach-reject', 'ex-twice'), context);
    expect(again.statusCode).toBe(409);
    expect((await local.store.getChange('cls-demo', 'chg-ex-twice'))?.status).toBe('planned');
  });
});
