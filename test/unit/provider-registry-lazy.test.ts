// Issue 11: a run with one cloud loads only that cloud's adapter and SDK (checked in a child process, where the
// module cache is the run's own).
import { execFileSync } from 'node:child_process';

function loadedBy(provider: 'aws' | 'tencent'): { before: { supports: boolean; quotas: number }; loaded: string[] } {
  const output = execFileSync(process.execPath, ['--import', 'tsx', 'test/fixtures/registry-loads.ts', provider], {
    encoding: 'utf8',
    // nothing listens on this port: the call fails once the SDK is loaded
    env: { ...process.env, AWS_ENDPOINT_URL: 'http://127.0.0.1:9', PODREACH_TENCENT_ENDPOINT: '127.0.0.1:9', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', TENCENTCLOUD_SECRET_ID: 'x', TENCENTCLOUD_SECRET_KEY: 'y', AWS_MAX_ATTEMPTS: '1' },
    timeout: 60_000,
  });
  return JSON.parse(output) as { before: { supports: boolean; quotas: number }; loaded: string[] };
}

describe('Function: createProviderRegistry (loading)', () => {
  it('loads the AWS SDK, and no other cloud SDK, for a --provider aws run; answers supports/quotas before loading', () => {
    const aws = loadedBy('aws');
    expect(aws.before).toEqual({ supports: true, quotas: 50 });
    expect(aws.loaded).toEqual(['@aws-sdk/client-ec2']);
  });

  it('loads only the Tencent SDK for a --provider tencent run', () => {
    expect(loadedBy('tencent').loaded).toEqual(['tencentcloud-sdk-nodejs']);
  });
});
