// What the `podreach` command loads (scripts/load-trace.ts traces every module file the process loads): the built
// bundle, not tsx; for a sandbox run, no CDK, no cloud SDK, no Slack client and no Secrets Manager client; for a
// refused event, not even the local runtime.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { traceLoads, type LoadTrace } from '../../scripts/load-trace.js';

const NEVER_ON_A_SANDBOX_RUN = [
  'aws-cdk-lib',
  'esbuild',
  'tsx',
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-direct-connect',
  'tencentcloud-sdk-nodejs',
  '@alicloud/vpc20160428',
  '@alicloud/openapi-core',
  '@huaweicloud/huaweicloud-sdk-core',
  '@huaweicloud/huaweicloud-sdk-vpc',
  '@slack/webhook',
  '@aws-sdk/client-secrets-manager',
  '@middy/secrets-manager',
  '@aws-sdk/client-sfn',
  '@aws-sdk/client-eventbridge',
];

describe('CLI: what podreach loads', () => {
  let dir: string;
  let first: LoadTrace;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-load-path-'));
    first = await traceLoads(['run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', '--state', dir]);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the built bundle (the Jest global setup rebuilt it), not the sources through tsx', () => {
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    // Bytes are known only for files inside dist/cli: our sources were loaded from the bundle.
    expect(first.loaded.get('functions/cli')).toBeGreaterThan(0);
    expect(first.loaded.has('tsx')).toBe(false);
  });

  it('loads the local runtime (dynalite, the state machine engine) and none of CDK, the cloud SDKs, Slack or the AWS-only clients on a sandbox run', () => {
    // Assess: the trace sees the run's real parts...
    expect(first.loaded.has('dynalite')).toBe(true);
    expect(first.loaded.has('aws-local-stepfunctions')).toBe(true);
    // ...and nothing it does not need
    expect(NEVER_ON_A_SANDBOX_RUN.filter((name) => first.loaded.has(name))).toEqual([]);
  });

  it('loads no more on a replay', async () => {
    // Act
    const replay = await traceLoads(['run', 'events/samples/cluster-created.json', '--state', dir]);

    // Assess
    expect(replay.code).toBe(0);
    expect(NEVER_ON_A_SANDBOX_RUN.filter((name) => replay.loaded.has(name))).toEqual([]);
  });

  it('refuses a bad event after loading only the command line and the event schemas', async () => {
    // Act
    const refused = await traceLoads(['run', 'events/samples/invalid/bad-cidr.json', '--state', join(dir, 'never-created')]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('detail.podCidrs[0]');
    expect(refused.loaded.has('zod')).toBe(true);
    expect(['dynalite', 'aws-local-stepfunctions', '@aws-sdk/client-dynamodb'].filter((name) => refused.loaded.has(name))).toEqual([]);
    expect(existsSync(join(dir, 'never-created'))).toBe(false);
  });

  it('loads the Slack client when SLACK_WEBHOOK_URL is set (the trace would see it)', async () => {
    // Act: a refused URL, so nothing is posted anywhere
    const withSlack = await traceLoads(['run', 'events/samples/cluster-created.json', '--state', dir], { SLACK_WEBHOOK_URL: 'not a url' });

    // Assess
    expect(withSlack.code).toBe(2);
    expect(withSlack.stderr).toContain('SLACK_WEBHOOK_URL');
    expect(withSlack.loaded.has('@slack/webhook')).toBe(true);
  });
});
