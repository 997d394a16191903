// The Lambda bundles `cdk synth` deploys (infra/lambda-bundle.ts): each holds only what its function calls, the
// cloud adapters are chunks loaded on first use, and the bundled code runs as Lambda runs it (import index.mjs,
// call `handler`) against dynalite. Init times are figures, not assertions: `npm run bench` prints them.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { HANDLER_IDS, type HandlerId } from '../../infra/handler-ids.js';
import { bundleHandler, LAMBDA_ENTRY_FILE } from '../../infra/lambda-bundle.js';

const run = promisify(execFile);

// Every function but these two never calls a provider (a new handler is checked as soon as it is in HANDLER_IDS).
const WITH_PROVIDERS: readonly HandlerId[] = ['plan-flow', 'apply-change'];
const WITHOUT_PROVIDERS = HANDLER_IDS.filter((handlerId) => !WITH_PROVIDERS.includes(handlerId));
// eks-lifecycle reads the cluster's subnets itself (EC2 DescribeSubnets, not through a provider): the EC2 client is
// its job, and with it its code is over 1 MB. The others hold no cloud SDK at all.
const READS_EC2: readonly HandlerId[] = ['eks-lifecycle'];
const NO_CLOUD_SDK = WITHOUT_PROVIDERS.filter((handlerId) => !READS_EC2.includes(handlerId));
const OTHER_CLOUD_SDKS = /node_modules\/(tencentcloud-sdk-nodejs|@alicloud\/|@huaweicloud\/|@darabonba\/)/;
const CLOUD_SDKS = /node_modules\/(@aws-sdk\/client-ec2|@aws-sdk\/client-direct-connect|tencentcloud-sdk-nodejs|@alicloud\/|@huaweicloud\/|@darabonba\/)/;
// The provider registry, the cloud adapters (NetworkProvider) and the kit they are built on.
const PROVIDER_ADAPTERS = /functions\/adapters\/(provider-registry\.ts|(aws|tencent|alibaba|huawei)\/[a-z-]*provider\.ts|kit\/)/;

let dir: string;
const bundles = new Map<HandlerId, { outdir: string; metafile: Metafile }>();

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'podreach-lambda-bundles-'));
  for (const handlerId of HANDLER_IDS) {
    const outdir = path.join(dir, handlerId);
    const { metafile } = await bundleHandler(handlerId, outdir);
    bundles.set(handlerId, { outdir, metafile });
  }
}, 180_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function bundle(handlerId: HandlerId) {
  const found = bundles.get(handlerId);
  if (!found) throw new Error(`no bundle for ${handlerId}`);
  return found;
}

/** Every source file in the bundle (any chunk). */
function inputsOf(handlerId: HandlerId): string[] {
  return Object.values(bundle(handlerId).metafile.outputs).flatMap((output) => Object.keys(output.inputs));
}

/** The source files of the entry and the chunks it imports statically: what module init evaluates. */
function initInputsOf(handlerId: HandlerId): string[] {
  const { outputs } = bundle(handlerId).metafile;
  const entry = Object.keys(outputs).find((file) => file.endsWith(`/${LAMBDA_ENTRY_FILE}`));
  const seen = new Set<string>();
  const pending = entry ? [entry] : [];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imported of outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) pending.push(imported.path);
  }
  return [...seen].flatMap((file) => Object.keys(outputs[file]?.inputs ?? {}));
}

async function codeBytes(outdir: string): Promise<number> {
  const files = (await readdir(outdir, { recursive: true })) as string[];
  const sizes = await Promise.all(files.filter((file) => file.endsWith('.mjs')).map(async (file) => (await stat(path.join(outdir, file))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Imports a bundle in a fresh node process with a Lambda-like environment and calls its handler once. */
async function invoke(handlerId: HandlerId, event: unknown, env: NodeJS.ProcessEnv): Promise<{ result?: unknown; error?: { name: string; message: string } }> {
  const entry = pathToFileURL(path.join(bundle(handlerId).outdir, LAMBDA_ENTRY_FILE)).href;
  const script = `
    const { handler } = await import(${JSON.stringify(entry)});
    const context = { awsRequestId: 'test', functionName: 'podreach-${handlerId}', getRemainingTimeInMillis: () => 30000 };
    try {
      process.stdout.write(JSON.stringify({ result: await handler(${JSON.stringify(event)}, context) }));
    } catch (error) {
      process.stdout.write(JSON.stringify({ error: { name: error.name, message: error.message } }));
    }`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: {
      PATH: process.env.PATH,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_LAMBDA_FUNCTION_NAME: `podreach-${handlerId}`,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      PODREACH_HANDLER: handlerId,
      ...env,
    },
  });
  return JSON.parse(stdout) as { result?: unknown; error?: { name: string; message: string } };
}

describe('Lambda bundles', () => {
  it.each(WITHOUT_PROVIDERS)('%s holds no provider adapter, no registry and no other cloud than AWS', (handlerId) => {
    // Act
    const inputs = inputsOf(handlerId);

    // Assess
    expect(inputs.filter((input) => OTHER_CLOUD_SDKS.test(input) || PROVIDER_ADAPTERS.test(input))).toEqual([]);
  });

  it.each(NO_CLOUD_SDK)('%s holds no cloud SDK (EC2, Direct Connect included) and at most 1 MB of code', async (handlerId) => {
    // Act
    const inputs = inputsOf(handlerId);

    // Assess
    expect(inputs.filter((input) => CLOUD_SDKS.test(input))).toEqual([]);
    expect(await codeBytes(bundle(handlerId).outdir)).toBeLessThanOrEqual(1_000_000);
  });

  it.each(['plan-flow', 'apply-change'] as const)('%s loads each cloud adapter and SDK from a chunk of its own, not at init', (handlerId) => {
    // Act
    const all = inputsOf(handlerId);
    const atInit = initInputsOf(handlerId);

    // Assess: the adapters are in the bundle, and none of them (nor any cloud SDK) is evaluated at init; only each
    // cloud's kinds table (what it supports, its quotas: constants) is.
    for (const adapter of ['aws/aws-provider.ts', 'tencent/tencent-provider.ts', 'alibaba/alibaba-provider.ts', 'huawei/huawei-provider.ts']) {
      expect(all).toContain(`functions/adapters/${adapter}`);
    }
    const cloudCode = atInit.filter((input) => CLOUD_SDKS.test(input) || /functions\/adapters\/(aws|tencent|alibaba|huawei)\//.test(input));
    expect(cloudCode.filter((input) => !/functions\/adapters\/(aws|tencent|alibaba|huawei)\/kinds\.ts$/.test(input))).toEqual([]);
  });

  it('keeps zod to what is used (the namespace-import rewrite), not its every locale', () => {
    expect(inputsOf('ingest-event').filter((input) => input.includes('node_modules/zod/v4/locales/'))).toEqual(['node_modules/zod/v4/locales/en.js']);
  });

  describe('run as Lambda runs them', () => {
    let dynamo: LocalDynamo;
    let stateDir: string;

    beforeAll(async () => {
      stateDir = await mkdtemp(path.join(tmpdir(), 'podreach-lambda-dynamo-'));
      dynamo = await startLocalDynamo(stateDir);
    });

    afterAll(async () => {
      await dynamo?.close();
      await rm(stateDir, { recursive: true, force: true });
    });

    const awsEnv = () => ({ TABLE_NAME: dynamo.tableName, AWS_ENDPOINT_URL: dynamo.endpoint });

    it('record-failure reads the ledger in DynamoDB and reports the failure', async () => {
      // Act
      const outcome = await invoke(
        'record-failure',
        { clusterId: 'cls-bundle', executionId: 'exec-1', changeId: 'chg-unknown', error: { Error: 'ThrottlingError', Cause: 'Rate exceeded' } },
        awsEnv(),
      );

      // Assess
      expect(outcome).toEqual({ result: { changeId: 'chg-unknown', status: 'failed', reason: 'ThrottlingError: Rate exceeded' } });
    });

    it.each([
      ['ingest-event', { 'detail-type': 'Cluster Created', source: 'podreach.cluster', detail: { clusterId: 'cls-1' } }],
      ['plan-flow', { clusterId: 'cls-1', flow: 'no-such-flow', executionId: 'exec-1' }],
      ['apply-change', { clusterId: 'cls-1', flow: 'vpn', executionId: 'exec-1' }],
    ] as const)('%s refuses a bad input with InvalidInputError naming the field', async (handlerId, event) => {
      // Act
      const outcome = await invoke(handlerId, event, awsEnv());

      // Assess
      expect(outcome.error?.name).toBe('InvalidInputError');
      expect(outcome.error?.message).toMatch(handlerId === 'ingest-event' ? /detail\./ : handlerId === 'plan-flow' ? /flow/ : /changeId/);
    });
  });
});
