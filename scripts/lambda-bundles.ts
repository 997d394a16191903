// The Lambda bundles as `cdk synth` makes them (infra/lambda-bundle.ts), measured: size of the code (entry and
// chunks; source maps apart), module init (a fresh node process imports the entry with a Lambda-like environment and
// times the import) and, for plan-flow and apply-change, what loading each cloud's chunk costs on its first use.
//   npx tsx scripts/lambda-bundles.ts [--runs N] [--source-maps]   prints the table (also part of `npm run bench`)
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HANDLER_IDS, type HandlerId } from '../infra/handler-ids.js';
import { bundleHandler, LAMBDA_ENTRY_FILE } from '../infra/lambda-bundle.js';

export const PROVIDER_CHUNKS = {
  aws: 'functions/adapters/aws/aws-provider.ts',
  tencent: 'functions/adapters/tencent/tencent-provider.ts',
  alibaba: 'functions/adapters/alibaba/alibaba-provider.ts',
  huawei: 'functions/adapters/huawei/huawei-provider.ts',
} as const;
type ProviderChunk = keyof typeof PROVIDER_CHUNKS;

export interface LambdaBundleFigures {
  handlerId: HandlerId;
  /** index.mjs */
  entryBytes: number;
  /** every .mjs file of the asset (what Lambda unpacks), source maps not counted */
  codeBytes: number;
  mapBytes: number;
  /** median module init, ms */
  initMs: number;
  /** median ms to load each cloud's chunk after init (its first use), for the functions that have one */
  providerLoadMs: Partial<Record<ProviderChunk, number>>;
  providerBytes: Partial<Record<ProviderChunk, number>>;
}

/** What Lambda sets, and what podreach's functions read at init or first call (values are placeholders). */
function lambdaEnvironment(handlerId: HandlerId, taskRoot: string, nodeOptions: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: nodeOptions,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: `podreach-${handlerId}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'ASIAPLACEHOLDER',
    AWS_SECRET_ACCESS_KEY: 'placeholder',
    AWS_SESSION_TOKEN: 'placeholder',
    LAMBDA_TASK_ROOT: taskRoot,
    _HANDLER: 'index.handler',
    PODREACH_HANDLER: handlerId,
    POWERTOOLS_SERVICE_NAME: 'podreach',
    TABLE_NAME: 'podreach',
    STATE_MACHINE_ARNS: JSON.stringify({ vpn: 'arn:aws:states:us-east-1:123456789012:stateMachine:podreach-vpn' }),
    SLACK_WEBHOOK_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack',
    CLOUD_CREDENTIALS_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:clouds',
  };
}

/** Runs in the fresh process: times the entry's import, then each chunk's, and prints JSON. */
const PROBE = `
const [entry, ...chunks] = JSON.parse(process.argv[1]);
const started = performance.now();
const module = await import(entry);
if (typeof module.handler !== 'function') throw new Error('no handler export');
const result = { initMs: performance.now() - started, chunkMs: [] };
for (const chunk of chunks) {
  const t = performance.now();
  await import(chunk);
  result.chunkMs.push(performance.now() - t);
}
process.stdout.write(JSON.stringify(result));
`;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function filesUnder(dir: string): Promise<Array<{ file: string; bytes: number }>> {
  const entries = (await readdir(dir, { recursive: true })) as string[];
  const files = await Promise.all(entries.map(async (entry) => ({ file: entry, stats: await stat(path.join(dir, entry)) })));
  return files.filter(({ stats }) => stats.isFile()).map(({ file, stats }) => ({ file, bytes: stats.size }));
}

export async function measureLambdaBundle(
  handlerId: HandlerId,
  options: { runs?: number; sourceMaps?: boolean } = {},
): Promise<LambdaBundleFigures> {
  const outdir = await mkdtemp(path.join(tmpdir(), `podreach-lambda-${handlerId}-`));
  try {
    const { metafile } = await bundleHandler(handlerId, outdir, { sourceMap: options.sourceMaps ?? false });
    const files = await filesUnder(outdir);
    const providerChunks = (Object.keys(PROVIDER_CHUNKS) as ProviderChunk[]).flatMap((provider) => {
      const output = Object.entries(metafile.outputs).find(([, out]) => out.entryPoint === PROVIDER_CHUNKS[provider]);
      return output ? [{ provider, file: path.resolve(output[0]), bytes: output[1].bytes }] : [];
    });
    const entry = path.join(outdir, LAMBDA_ENTRY_FILE);
    const env = lambdaEnvironment(handlerId, outdir, options.sourceMaps ? '--enable-source-maps' : '');
    const probe = (files: string[]) =>
      JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, JSON.stringify(files.map((file) => pathToFileURL(file).href))], {
          cwd: outdir,
          env,
          encoding: 'utf8',
        }),
      ) as { initMs: number; chunkMs: number[] };
    const initMs: number[] = [];
    const chunkMs: number[][] = providerChunks.map(() => []);
    for (let run = 0; run < (options.runs ?? 5); run++) {
      initMs.push(probe([entry]).initMs);
      // Each cloud's first use in a container of its own: no chunk another cloud already loaded is counted as free.
      providerChunks.forEach((chunk, index) => chunkMs[index]!.push(probe([entry, chunk.file]).chunkMs[0] ?? 0));
    }
    return {
      handlerId,
      entryBytes: files.find(({ file }) => file === LAMBDA_ENTRY_FILE)?.bytes ?? 0,
      codeBytes: files.filter(({ file }) => file.endsWith('.mjs')).reduce((sum, { bytes }) => sum + bytes, 0),
      mapBytes: files.filter(({ file }) => file.endsWith('.map')).reduce((sum, { bytes }) => sum + bytes, 0),
      initMs: median(initMs),
      providerLoadMs: Object.fromEntries(providerChunks.map((chunk, index) => [chunk.provider, median(chunkMs[index] ?? [])])),
      providerBytes: Object.fromEntries(providerChunks.map((chunk) => [chunk.provider, chunk.bytes])),
    };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export async function measureLambdaBundles(options: { runs?: number; sourceMaps?: boolean } = {}): Promise<LambdaBundleFigures[]> {
  const figures: LambdaBundleFigures[] = [];
  // One at a time: parallel builds and probes on a 2-core machine would time each other.
  for (const handlerId of HANDLER_IDS) figures.push(await measureLambdaBundle(handlerId, options));
  return figures;
}

export const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(2)} MB`;

export function lambdaTable(figures: LambdaBundleFigures[], sourceMaps: boolean): string[] {
  const rows = [
    `Lambda bundles (module init = median import time of index.mjs in a fresh node ${process.version} process${sourceMaps ? ', --enable-source-maps' : ''})`,
    `${'function'.padEnd(20)}${'index.mjs'.padStart(11)}${'all code'.padStart(11)}${sourceMaps ? 'maps'.padStart(11) : ''}${'init'.padStart(10)}   first use of a cloud (load its chunk)`,
  ];
  for (const row of figures) {
    const providers = Object.entries(row.providerLoadMs)
      .map(([provider, ms]) => `${provider} ${Math.round(ms)} ms (${megabytes(row.providerBytes[provider as ProviderChunk] ?? 0)})`)
      .join(', ');
    rows.push(
      `${row.handlerId.padEnd(20)}${megabytes(row.entryBytes).padStart(11)}${megabytes(row.codeBytes).padStart(11)}${sourceMaps ? megabytes(row.mapBytes).padStart(11) : ''}${`${Math.round(row.initMs)} ms`.padStart(10)}   ${providers || '-'}`,
    );
  }
  return rows;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const runsIndex = process.argv.indexOf('--runs');
  const runs = runsIndex > 0 ? Number(process.argv[runsIndex + 1]) : 5;
  const sourceMaps = process.argv.includes('--source-maps');
  process.stdout.write(`${lambdaTable(await measureLambdaBundles({ runs, sourceMaps }), sourceMaps).join('\n')}\n`);
}
