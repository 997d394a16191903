// Named credential profiles for Tencent and Huawei, read from INI files in each cloud's own format.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { huaweiProfileCredentials, tencentProfileCredential } from '../../functions/adapters/credential-profiles.js';
import { InvalidInputError } from '../../functions/domain/errors.js';

describe('Module: credential-profiles', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-creds-'));
    writeFileSync(join(dir, 'tencent'), '[default]\nsecret_id = AKIDdefault\nsecret_key = k0\n\n[prod]\nsecret_id = AKIDprod\nsecret_key = k1\n\n[broken]\nsecret_id = AKIDonly\n');
    writeFileSync(join(dir, 'huawei'), '[basic]\nak = AKbasic\nsk = SKbasic\nproject_id = p-123\n\n[sts]\nak = AKsts\nsk = SKsts\nsecurity_token = tok\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('Function: tencentProfileCredential', () => {
    it('reads the named section, and nothing without TENCENTCLOUD_PROFILE', () => {
      const file = join(dir, 'tencent');
      expect(tencentProfileCredential({ TENCENTCLOUD_PROFILE: 'prod', TENCENTCLOUD_CREDENTIALS_FILE: file })).toEqual({ secretId: 'AKIDprod', secretKey: 'k1' });
      expect(tencentProfileCredential({ TENCENTCLOUD_CREDENTIALS_FILE: file })).toBeUndefined();
    });

    it('names the profile and the missing key without echoing secrets', () => {
      const file = join(dir, 'tencent');
      expect(() => tencentProfileCredential({ TENCENTCLOUD_PROFILE: 'broken', TENCENTCLOUD_CREDENTIALS_FILE: file })).toThrow(new InvalidInputError('TENCENTCLOUD_PROFILE', 'profile "broken" has no secret_key'));
      expect(() => tencentProfileCredential({ TENCENTCLOUD_PROFILE: 'nope', TENCENTCLOUD_CREDENTIALS_FILE: file })).toThrow(/profile "nope" is not in/);
      expect(() => tencentProfileCredential({ TENCENTCLOUD_PROFILE: 'prod', TENCENTCLOUD_CREDENTIALS_FILE: join(dir, 'missing') })).toThrow(/cannot read .*ENOENT/);
    });
  });

  describe('Function: huaweiProfileCredentials', () => {
    it('reads ak, sk, project_id and a security token from the named section', () => {
      const file = join(dir, 'huawei');
      expect(huaweiProfileCredentials({ HUAWEICLOUD_PROFILE: 'basic', HUAWEICLOUD_SDK_CREDENTIALS_FILE: file })).toEqual({ credentials: { ak: 'AKbasic', sk: 'SKbasic' }, projectId: 'p-123' });
      expect(huaweiProfileCredentials({ HUAWEICLOUD_PROFILE: 'sts', HUAWEICLOUD_SDK_CREDENTIALS_FILE: file })).toEqual({ credentials: { ak: 'AKsts', sk: 'SKsts', securityToken: 'tok' } });
      expect(huaweiProfileCredentials({})).toBeUndefined();
    });
  });
});
