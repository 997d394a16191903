// `npm run build` (and `prepare`, so `npm ci` runs it): what the podreach command runs.
//   dist/flow-definitions.json  the flow state machines synthesized from infra/ (skipped when its key still matches)
//   dist/cli/                   the CLI as one ESM bundle (esbuild), split at every dynamic import, so a command
//                               loads only what it uses (cloud adapters, AWS commands: separate chunks)
//   dist/build-stamp.json       when this build read its inputs; bin/podreach.js runs the sources instead when
//                               any input is newer (see bin/build-state.js)
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';
import { BUILD_STAMP, repoRoot } from '../bin/build-state.js';
import { ESM_REQUIRE_BANNER, zodNamespaceImports } from '../infra/lambda-bundle.js';
import {
  generateFlowDefinitions,
  generatedFlowDefinitionsFile,
  readGeneratedFlowDefinitions,
} from '../functions/adapters/flow-runner/generated-flow-definitions.js';
import { flowSourcesKey } from '../functions/adapters/flow-runner/synthesize-flow-definitions.js';

const distDir = path.join(repoRoot, 'dist');
export const CLI_OUT_DIR = path.join(distDir, 'cli');

/**
 * Left out of the CLI bundle and loaded from node_modules when used: dynalite requires its action modules by
 * computed names and classic-level loads a native addon from its own folder; the cloud SDKs and the Kubernetes
 * client are loaded only by the commands that use them (bundling them would more than double the bundle and its
 * build time, and gain nothing on such runs); synthesizing (aws-cdk-lib) is the build's job, reached at run time only
 * from the sources.
 */
export const CLI_EXTERNAL = [
  'dynalite',
  'classic-level',
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-direct-connect',
  'tencentcloud-sdk-nodejs',
  '@alicloud/*',
  '@darabonba/*',
  '@huaweicloud/*',
  '@kubernetes/client-node',
  'aws-cdk-lib',
  'tsx',
  'esbuild',
];

const externalSynthesis: esbuild.Plugin = {
  name: 'external-synthesis',
  setup(build) {
    build.onResolve({ filter: /synthesize-stateless-template\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/** esbuild options of the CLI bundle. dist/cli sits two folders below the root, like functions/cli. */
export function cliBuildOptions(outdir: string = CLI_OUT_DIR): esbuild.BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: { podreach: 'functions/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: CLI_EXTERNAL,
    plugins: [externalSynthesis, zodNamespaceImports],
    banner: { js: ESM_REQUIRE_BANNER },
    // Error names are what exit codes and Step Functions match on; keep them and readable stack traces.
    keepNames: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  };
}

async function buildDefinitions(): Promise<string> {
  const existing = await readGeneratedFlowDefinitions(generatedFlowDefinitionsFile(repoRoot)).catch(() => undefined);
  if (existing && existing.sourcesKey === (await flowSourcesKey(repoRoot))) return 'unchanged';
  await generateFlowDefinitions(repoRoot);
  return 'synthesized';
}

async function buildCli(): Promise<esbuild.Metafile> {
  const result = await esbuild.build(cliBuildOptions());
  // Chunk names carry a content hash: remove the previous build's chunks this one no longer writes.
  const written = new Set(Object.keys(result.metafile.outputs).map((file) => path.resolve(repoRoot, file)));
  for (const file of await readdir(CLI_OUT_DIR)) {
    const full = path.join(CLI_OUT_DIR, file);
    if (file !== 'meta.json' && !written.has(full)) await rm(full, { force: true });
  }
  await writeFile(path.join(CLI_OUT_DIR, 'meta.json'), JSON.stringify(result.metafile));
  return result.metafile;
}

export async function build(): Promise<void> {
  const startedAt = Date.now();
  const started = performance.now();
  await mkdir(distDir, { recursive: true });
  // A failed build leaves no stamp, so the command keeps running the sources.
  await rm(path.join(repoRoot, BUILD_STAMP), { force: true });
  const definitions = await buildDefinitions();
  const afterDefinitions = performance.now();
  const metafile = await buildCli();
  const bytes = Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .reduce((sum, [, output]) => sum + output.bytes, 0);
  await writeFile(path.join(repoRoot, BUILD_STAMP), `${JSON.stringify({ startedAt })}\n`);
  const ms = (from: number, to: number) => `${Math.round(to - from)} ms`;
  process.stdout.write(
    `podreach build: flow definitions ${definitions} (${ms(started, afterDefinitions)}), CLI bundle ${(bytes / 1024 / 1024).toFixed(1)} MB (${ms(afterDefinitions, performance.now())})\n`,
  );
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(repoRoot, 'scripts', 'build.ts')) {
  await build();
}
