// The provider preflight: a region of the cloud, credentials found, the endpoint answers once. Endpoints are
// only ever servers on 127.0.0.1 here (or a port where nothing listens); the clouds' own are never contacted.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointFor, preflight, PreflightError, probeEndpoint } from '../../functions/adapters/preflight.js';

async function listening(): Promise<{ server: Server; address: string; connections: () => number }> {
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, address: `127.0.0.1:${port}`, connections: () => count };
}

async function closedAddress(): Promise<string> {
  const { server, address } = await listening();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address;
}

describe('Module: preflight', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-preflight-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('Function: preflight', () => {
    it('refuses a region of another cloud at once, naming the field and the cloud', async () => {
      const result = preflight([{ provider: 'aws', region: 'ap-guangzhou', field: 'detail.region' }], { env: {}, providerNote: '--provider aws calls aws in every account\'s region' });
      await expect(result).rejects.toThrow(PreflightError);
      await expect(result).rejects.toThrow(/^detail\.region: "ap-guangzhou" is not an AWS region id \(expected the form us-east-1\); --provider aws/);
    });

    it('checks nothing for the sandbox', async () => {
      await expect(preflight([{ provider: 'sandbox', region: 'anywhere', field: 'detail.region' }], { env: {} })).resolves.toBeUndefined();
    });

    it('says where it looked for Tencent credentials and what to set', async () => {
      const result = preflight([{ provider: 'tencent', region: 'ap-guangzhou', field: 'detail.region' }], { env: { TENCENTCLOUD_CREDENTIALS_FILE: join(dir, 'none') } });
      await expect(result).rejects.toThrow(/--provider tencent: no Tencent Cloud credentials found\. podreach looked at TENCENTCLOUD_SECRET_ID/);
      await expect(result).rejects.toThrow(/PODREACH_TENCENT_CVM_ROLE=true/);
    });

    it('names the profile a Tencent profile section lacks', async () => {
      const file = join(dir, 'tencent-credentials');
      writeFileSync(file, '[default]\nsecret_id = AKIDx\nsecret_key = y\n');
      const result = preflight([{ provider: 'tencent', region: 'ap-guangzhou', field: 'f' }], { env: { TENCENTCLOUD_PROFILE: 'ops', TENCENTCLOUD_CREDENTIALS_FILE: file } });
      await expect(result).rejects.toThrow(/TENCENTCLOUD_PROFILE: profile "ops" is not in/);
    });

    it('asks for the Huawei project id when only the keys are set', async () => {
      const result = preflight([{ provider: 'huawei', region: 'cn-north-4', field: 'f' }], { env: { HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk' } });
      await expect(result).rejects.toThrow(/no Huawei Cloud project id found.*HUAWEICLOUD_SDK_PROJECT_ID/);
    });

    it('reaches each endpoint once when region and credentials are right', async () => {
      const { server, address, connections } = await listening();
      try {
        const env = { TENCENTCLOUD_SECRET_ID: 'AKIDx', TENCENTCLOUD_SECRET_KEY: 'y' };
        const accounts = [
          { provider: 'tencent' as const, region: 'ap-guangzhou', field: 'a' },
          { provider: 'tencent' as const, region: 'ap-shanghai', field: 'b' },
        ];
        await expect(preflight(accounts, { env, endpoints: { tencent: address } })).resolves.toBeUndefined();
        expect(connections()).toBe(1);
      } finally {
        server.close();
      }
    });

    it('refuses an endpoint that does not answer, naming the variable that overrides it', async () => {
      const address = await closedAddress();
      const env = { HUAWEICLOUD_SDK_AK: 'ak', HUAWEICLOUD_SDK_SK: 'sk', HUAWEICLOUD_SDK_PROJECT_ID: 'p', PODREACH_HUAWEI_ENDPOINT: `http://${address}` };
      const result = preflight([{ provider: 'huawei', region: 'cn-north-4', field: 'f' }], { env });
      await expect(result).rejects.toThrow(new RegExp(`--provider huawei: the huawei endpoint http://${address} for region cn-north-4 is not reachable \\(ECONNREFUSED\\).*PODREACH_HUAWEI_ENDPOINT`));
    });
  });

  describe('Function: endpointFor', () => {
    it('uses an override, else the regional endpoint of the cloud', () => {
      expect(endpointFor('tencent', 'ap-guangzhou', { env: { PODREACH_TENCENT_ENDPOINT: '127.0.0.1:9' } })).toBe('http://127.0.0.1:9');
      expect(endpointFor('aws', 'us-east-1', { env: {} })).toBe('https://ec2.us-east-1.amazonaws.com');
      expect(endpointFor('aws', 'cn-north-1', { env: {} })).toBe('https://ec2.cn-north-1.amazonaws.com.cn');
      expect(endpointFor('alibaba', 'cn-hangzhou', { env: {} })).toBe('https://vpc.cn-hangzhou.aliyuncs.com');
      expect(endpointFor('huawei', 'cn-north-4', { env: {}, endpoints: { huawei: 'http://127.0.0.1:8' } })).toBe('http://127.0.0.1:8');
    });
  });

  describe('Function: probeEndpoint', () => {
    it('is true for a listening port and says why not otherwise', async () => {
      const { server, address } = await listening();
      try {
        await expect(probeEndpoint(`http://${address}`, 2000)).resolves.toBe(true);
      } finally {
        server.close();
      }
      await expect(probeEndpoint(`http://${await closedAddress()}`, 2000)).resolves.toBe('ECONNREFUSED');
      await expect(probeEndpoint('not a url', 2000)).resolves.toBe('not a URL');
    });
  });
});
