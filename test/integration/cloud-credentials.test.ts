// The cloud credentials secret: its schema, the loader against Secrets Manager on moto (or LocalStack), and the keys
// reaching the Tencent SDK through createProviderRegistry and lambdaDeps (the Tencent contract server records the
// Authorization header of every call, which names the SecretId that signed it).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedCloudCredentials, parseCloudCredentials, parseCloudCredentialsFile } from '../../functions/adapters/cloud-credentials.js';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { createProviderRegistry } from '../../functions/adapters/provider-registry.js';
import { lambdaDeps } from '../../functions/handlers/lambda-deps.js';
import { startTencentContractServer, type TencentContractServer } from '../contract/tencent/server.js';
import { HuaweiContractServer } from '../contract/huawei/server.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';

const ROUTE_TABLE = 'rtb-credentials01';
const REGION = 'ap-guangzhou';

const full = {
  tencent: { secretId: 'AKIDfromsecret', secretKey: 'tencent-key', token: 'tencent-token' },
  alibaba: { accessKeyId: 'LTAIfromsecret', accessKeySecret: 'alibaba-key' },
  huawei: { ak: 'HWAKfromsecret', sk: 'huawei-sk', projectId: 'project-1', securityToken: 'huawei-token' },
};

/** The SecretIds that signed the server's calls since `from`. */
function signers(server: TencentContractServer, from = 0): string[] {
  return [...new Set(server.calls.slice(from).map((call) => /Credential=([^/]+)\//.exec(call.authorization)?.[1] ?? 'unsigned'))];
}

describe('Function: parseCloudCredentials', () => {
  it('accepts every cloud, and "{}" as no credentials', () => {
    // Act
    const parsed = parseCloudCredentials(JSON.stringify(full));
    const empty = parseCloudCredentials('{}');

    // Assess
    expect(parsed).toEqual(full);
    expect(empty).toEqual({});
  });

  it('names the missing field without echoing any value', () => {
    // Prepare
    const value = JSON.stringify({ tencent: { secretId: 'AKIDleaky', secretKeyTypo: 's3cret-value' } });

    // Act
    const parse = () => parseCloudCredentials(value);

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidInputError', field: 'cloudCredentials.tencent.secretKey' }));
    expect(parse).toThrow(/^(?!.*(AKIDleaky|s3cret-value))/s);
  });

  it('rejects a Huawei entry without projectId, a misspelt cloud, and an empty key', () => {
    // Act
    const withoutProject = () => parseCloudCredentials(JSON.stringify({ huawei: { ak: 'a', sk: 'b' } }));
    const misspelt = () => parseCloudCredentials(JSON.stringify({ tencnet: full.tencent }));
    const emptyKey = () => parseCloudCredentials(JSON.stringify({ alibaba: { accessKeyId: 'LTAIx', accessKeySecret: ' ' } }));

    // Assess
    expect(withoutProject).toThrow(expect.objectContaining({ field: 'cloudCredentials.huawei.projectId' }));
    expect(misspelt).toThrow(expect.objectContaining({ field: 'cloudCredentials' }));
    expect(misspelt).toThrow(/tencnet/);
    expect(emptyKey).toThrow(expect.objectContaining({ field: 'cloudCredentials.alibaba.accessKeySecret' }));
  });

  it('rejects text that is not JSON without quoting it (JSON.parse would)', () => {
    // Act
    const parse = () => parseCloudCredentials('secretId=AKIDplain secretKey=s3cret');

    // Assess
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidInputError', field: 'cloudCredentials' }));
    expect(parse).toThrow(/^(?!.*(AKIDplain|s3cret))/s);
  });
});

describe('Function: createProviderRegistry', () => {
  let server: TencentContractServer;
  let dynamo: LocalDynamo;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-cloud-credentials-'));
    server = await startTencentContractServer();
    server.seedRouteTable(ROUTE_TABLE, { vpcId: 'vpc-credentials01' });
    dynamo = await startLocalDynamo(path.join(dataDir, 'state'));
    // A named profile in the environment: what the registry uses when no explicit keys are given.
    const credentialsFile = path.join(dataDir, 'tencent-credentials');
    await writeFile(credentialsFile, '[ops]\nsecret_id = AKIDopsprofile\nsecret_key = k1\n');
    env = { TENCENTCLOUD_PROFILE: 'ops', TENCENTCLOUD_CREDENTIALS_FILE: credentialsFile };
  });

  afterAll(async () => {
    await server?.stop();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('signs Tencent calls with the explicit credentials, ahead of the profile in the environment', async () => {
    // Prepare
    const registry = await createProviderRegistry({ store: dynamo.store, env, endpoints: { tencent: server.endpoint }, credentials: { tencent: full.tencent } });
    const from = server.calls.length;

    // Act
    const entries = await registry.get('tencent', REGION).listEntries('route', ROUTE_TABLE);

    // Assess
    expect(entries).toEqual([]);
    expect(server.calls.length).toBeGreaterThan(from);
    expect(signers(server, from)).toEqual(['AKIDfromsecret']);
  });

  it('keeps the environment profile when the credentials hold no Tencent entry', async () => {
    // Prepare
    const registry = await createProviderRegistry({ store: dynamo.store, env, endpoints: { tencent: server.endpoint }, credentials: { alibaba: full.alibaba } });
    const from = server.calls.length;

    // Act
    await registry.get('tencent', REGION).listEntries('route', ROUTE_TABLE);

    // Assess
    expect(signers(server, from)).toEqual(['AKIDopsprofile']);
  });
});

describe('Function: parseCloudCredentials (accounts)', () => {
  it('accepts, per cloud and account, a role to assume, keys or a profile', () => {
    // Prepare
    const accounts = {
      aws: { '222222222222': { roleArn: 'arn:aws:iam::222222222222:role/podreach', externalId: 'ext-1', sessionName: 'podreach-ci' }, '333333333333': { profile: 'network' } },
      tencent: { '100000000002': { roleArn: 'qcs::cam::uin/100000000002:roleName/podreach' }, '100000000003': { secretId: 'AKIDpeer', secretKey: 'k' } },
      alibaba: { '1234567890123456': { roleArn: 'acs:ram::1234567890123456:role/podreach' } },
      huawei: { 'peer-domain': { ak: 'AK', sk: 'SK', projectId: 'p-2' } },
    };

    // Act
    const parsed = parseCloudCredentials(JSON.stringify({ accounts }));

    // Assess
    expect(parsed.accounts).toEqual(accounts);
  });

  it('names the account whose entry is neither, without echoing its values', () => {
    const parse = () => parseCloudCredentials(JSON.stringify({ accounts: { aws: { '222222222222': { externalId: 's3cret-ext' } } } }));
    expect(parse).toThrow(expect.objectContaining({ name: 'InvalidInputError', field: 'cloudCredentials.accounts.aws.222222222222' }));
    expect(parse).toThrow(/roleArn/);
    expect(parse).toThrow(/^(?!.*s3cret-ext)/s);
    // Huawei has no role to assume (its Node SDK has no agency credential)
    expect(() => parseCloudCredentials(JSON.stringify({ accounts: { huawei: { d: { roleArn: 'x' } } } }))).toThrow(expect.objectContaining({ field: 'cloudCredentials.accounts.huawei.d' }));
    expect(() => parseCloudCredentials(JSON.stringify({ accounts: { gcp: {} } }))).toThrow(/gcp/);
  });

  it('reads the local credentials file as YAML too, naming fields under "credentials"', () => {
    expect(parseCloudCredentialsFile('accounts:\n  aws:\n    "222222222222": { roleArn: arn:aws:iam::222222222222:role/p }\n').accounts?.aws).toEqual({ '222222222222': { roleArn: 'arn:aws:iam::222222222222:role/p' } });
    expect(() => parseCloudCredentialsFile('tencent: { secretId: AKIDx }')).toThrow(expect.objectContaining({ field: 'credentials.tencent.secretKey' }));
    expect(() => parseCloudCredentialsFile('tencent: [unclosed')).toThrow(expect.objectContaining({ field: 'credentials' }));
  });
});

describe('Function: createProviderRegistry (accounts)', () => {
  let server: TencentContractServer;
  let dynamo: LocalDynamo;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-account-credentials-'));
    server = await startTencentContractServer();
    server.seedRouteTable(ROUTE_TABLE, { vpcId: 'vpc-credentials01' });
    dynamo = await startLocalDynamo(path.join(dataDir, 'state'));
  });
  afterAll(async () => {
    await server?.stop();
    await dynamo?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("signs an account's calls with its own keys, an unlisted account's and the rest with the base keys, one adapter each", async () => {
    // Prepare
    const credentials = { tencent: full.tencent, accounts: { tencent: { '100000000003': { secretId: 'AKIDpeeraccount', secretKey: 'k3' } } } };
    const registry = await createProviderRegistry({ store: dynamo.store, env: {}, endpoints: { tencent: server.endpoint }, credentials });

    // Act
    const from = server.calls.length;
    await registry.get('tencent', REGION, '100000000003').listEntries('route', ROUTE_TABLE);
    const peerSigners = signers(server, from);
    const next = server.calls.length;
    await registry.get('tencent', REGION).listEntries('route', ROUTE_TABLE);
    await registry.get('tencent', REGION, '100000000009').listEntries('route', ROUTE_TABLE);
    const baseSigners = signers(server, next);

    // Assess
    expect(peerSigners).toEqual(['AKIDpeeraccount']);
    expect(baseSigners).toEqual(['AKIDfromsecret']);
    expect(registry.get('tencent', REGION, '100000000003')).not.toBe(registry.get('tencent', REGION));
    expect(registry.get('tencent', REGION, '100000000003')).toBe(registry.get('tencent', REGION, '100000000003'));
  });

  it("rebuilds an account's adapter when its entry changes (keys rotated in the secret)", async () => {
    // Prepare
    let secretId = 'AKIDfirstkey';
    const registry = await createProviderRegistry({
      store: dynamo.store,
      env: {},
      endpoints: { tencent: server.endpoint },
      credentials: async () => ({ accounts: { tencent: { '100000000004': { secretId, secretKey: 'k' } } } }),
    });
    const adapter = registry.get('tencent', REGION, '100000000004');

    // Act
    await adapter.listEntries('route', ROUTE_TABLE);
    secretId = 'AKIDrotatedkey';
    const from = server.calls.length;
    await adapter.listEntries('route', ROUTE_TABLE);

    // Assess
    expect(signers(server, from)).toEqual(['AKIDrotatedkey']);
  });

  it("signs Huawei calls with the base keys and with an account's own keys, in the project the credentials name", async () => {
    // Prepare
    const huawei = new HuaweiContractServer({ projectId: 'project-credentials01' });
    const endpoint = await huawei.start();
    try {
      huawei.addRouteTable('rtb-huawei01');
      const keys = { sk: 'sk', projectId: 'project-credentials01' };
      const credentials = { huawei: { ak: 'HWAKbasekeys', ...keys, securityToken: 'huawei-token' }, accounts: { huawei: { 'peer-domain': { ak: 'HWAKpeerkeys', ...keys } } } };
      const registry = await createProviderRegistry({ store: dynamo.store, env: {}, endpoints: { huawei: endpoint }, credentials });

      // Act
      const base = await registry.get('huawei', 'cn-north-4').listEntries('route', 'rtb-huawei01');
      const baseRequests = huawei.requests.splice(0);
      const peer = await registry.get('huawei', 'cn-north-4', 'peer-domain').listEntries('route', 'rtb-huawei01');

      // Assess
      expect([base, peer]).toEqual([[], []]);
      expect(baseRequests.length).toBeGreaterThan(0);
      expect(baseRequests.every((request) => request.authorization?.startsWith('SDK-HMAC-SHA256 Access=HWAKbasekeys,') && request.projectHeader === 'project-credentials01')).toBe(true);
      expect(huawei.requests.length).toBeGreaterThan(0);
      expect(huawei.requests.every((request) => request.authorization?.startsWith('SDK-HMAC-SHA256 Access=HWAKpeerkeys,') && request.projectHeader === 'project-credentials01')).toBe(true);
    } finally {
      await huawei.stop();
    }
  });

  it('builds an Alibaba RAM role credential for an account listed with a role (assumed on first use, not before)', async () => {
    const { alibabaRamRoleCredential } = await import('../../functions/adapters/alibaba/alibaba-clients.js');
    const credential = alibabaRamRoleCredential({ roleArn: 'acs:ram::1234567890123456:role/podreach', externalId: 'ext' }, { accessKeyId: 'LTAIbase', accessKeySecret: 'k' });
    // the RAM role, assumed with the base keys ("ram_role_arn" over "static_ak")
    expect(credential.getType()).toBe('ram_role_arn/static_ak');
  });
});

describeIfAws('Function: cachedCloudCredentials', () => {
  let aws: AwsEndpoint;
  let secrets: SecretsManagerClient;
  const create = async (suffix: string, value: string) =>
    (await secrets.send(new CreateSecretCommand({ Name: `podreach-cloud-${process.pid}-${suffix}`, SecretString: value }))).ARN ?? '';

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    secrets = new SecretsManagerClient(awsClientConfig(aws.endpoint, aws.region));
  });

  afterAll(async () => {
    secrets?.destroy();
    await aws?.stop();
  });

  it('reads the credentials a secret holds, and "{}" as none', async () => {
    // Prepare
    const filled = await create('filled', JSON.stringify(full));
    const empty = await create('empty', '{}');

    // Act
    const fromFilled = await cachedCloudCredentials({ secretId: filled, client: secrets })();
    const fromEmpty = await cachedCloudCredentials({ secretId: empty, clientConfig: awsClientConfig(aws.endpoint, aws.region) })();

    // Assess
    expect(fromFilled).toEqual(full);
    expect(fromEmpty).toEqual({});
  });

  it('fails on a secret that is not JSON, or of the wrong shape, naming the field without echoing a value', async () => {
    // Prepare
    const notJson = await create('not-json', 'AKIDraw:s3cret-raw');
    const wrongShape = await create('wrong-shape', JSON.stringify({ alibaba: { accessKeyId: 'LTAIleaky', accessKeySecret: 12345 } }));

    // Act (each awaited at once: a rejection left pending across other awaits is reported as unhandled under load)
    const fromNotJson = await cachedCloudCredentials({ secretId: notJson, client: secrets })().catch((error: unknown) => error);
    const fromWrongShape = await cachedCloudCredentials({ secretId: wrongShape, client: secrets })().catch((error: unknown) => error);

    // Assess
    expect(fromNotJson).toMatchObject({ name: 'InvalidInputError', field: 'cloudCredentials' });
    expect(String((fromNotJson as Error).message)).toMatch(/^(?!.*(AKIDraw|s3cret-raw))/s);
    expect(fromWrongShape).toMatchObject({ name: 'InvalidInputError', field: 'cloudCredentials.alibaba.accessKeySecret' });
    expect(String((fromWrongShape as Error).message)).toMatch(/^(?!.*(LTAIleaky|12345))/s);
  });

  it('says NotFoundError for a secret that does not exist', async () => {
    // Act
    const result = cachedCloudCredentials({ secretId: `podreach-cloud-${process.pid}-missing`, client: secrets })();

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  describe('Function: lambdaDeps', () => {
    let server: TencentContractServer;
    let saved: NodeJS.ProcessEnv;

    beforeAll(async () => {
      server = await startTencentContractServer();
      server.seedRouteTable(ROUTE_TABLE, { vpcId: 'vpc-credentials01' });
      saved = { ...process.env };
    });

    afterAll(async () => {
      process.env = saved;
      await server?.stop();
    });

    it('loads the secret named by CLOUD_CREDENTIALS_SECRET_ARN and signs Tencent calls with it', async () => {
      // Prepare: the environment a deployed plan-flow / apply-change has, pointed at moto and the contract server.
      const secretArn = await create('lambda', JSON.stringify({ tencent: { secretId: 'AKIDlambdasecret', secretKey: 'k' } }));
      Object.assign(process.env, {
        TABLE_NAME: 'podreach-unused',
        AWS_REGION: aws.region,
        AWS_ENDPOINT_URL: aws.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        CLOUD_CREDENTIALS_SECRET_ARN: secretArn,
        PODREACH_TENCENT_ENDPOINT: server.endpoint,
        TENCENTCLOUD_SECRET_ID: 'AKIDfromenvironment',
        TENCENTCLOUD_SECRET_KEY: 'k-env',
      });

      // Act
      const deps = await lambdaDeps();
      await deps.providers.get('tencent', REGION).listEntries('route', ROUTE_TABLE);

      // Assess
      expect(signers(server)).toEqual(['AKIDlambdasecret']);
    });
  });
});
