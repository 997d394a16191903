// How each Lambda function's code is bundled (esbuild): functions/handlers/<id>.ts and only what its imports reach,
// as ESM split at every dynamic import, so a cloud's adapter and SDK are a chunk loaded on that cloud's first use,
// not at init. PodreachFunction bundles with this during `cdk synth`; scripts/lambda-bundles.ts builds the same
// bundles to measure their size and init time. Run directly (`tsx infra/lambda-bundle.ts ID OUTDIR`) it bundles one.
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, BuildResult, Plugin } from 'esbuild';
import { HANDLER_IDS, type HandlerId } from './handler-ids.js';
import { repoRoot } from './paths.js';

/** The file Lambda loads (handler `index.handler`); chunks go to chunks/ beside it. */
export const LAMBDA_ENTRY_FILE = 'index.mjs';

// ESM bundles still contain CommonJS dependencies that call require(); this gives them one.
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __podreachCreateRequire } from 'node:module'; const require = __podreachCreateRequire(import.meta.url);";

/**
 * `import { z } from 'zod'` makes esbuild keep all of zod 4 (~450 KB minified, every locale included): it cannot
 * tree-shake a namespace that is re-exported as a binding. `import * as z from 'zod'` is the same namespace and
 * shakes to what is used (~85 KB). This rewrites that one import line in our own sources while bundling.
 */
export const zodNamespaceImports: Plugin = {
  name: 'zod-namespace-imports',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      return { contents: source.replace(/^import \{ z \} from 'zod';$/gm, "import * as z from 'zod';"), loader: 'ts' };
    });
  },
};

export interface LambdaBundleOptions {
  /** Write .map files beside the code. Off as deployed: see docs/infra.md "Bundles and source maps". */
  sourceMap?: boolean;
}

export function lambdaBuildOptions(handlerId: HandlerId, outdir: string, options: LambdaBundleOptions = {}): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: repoRoot,
    entryPoints: { index: path.join(repoRoot, 'functions', 'handlers', `${handlerId}.ts`) },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    // The runtime's built-in SDK lags behind; bundling ours keeps the versions the tests ran against.
    external: [],
    plugins: [zodNamespaceImports],
    minify: true,
    // Step Functions ErrorEquals matches error names; a stack trace names real functions.
    keepNames: true,
    sourcemap: options.sourceMap ? 'linked' : false,
    legalComments: 'none',
    banner: { js: ESM_REQUIRE_BANNER },
    metafile: true,
    logLevel: 'error',
  };
}

/** Bundles one handler into outdir. */
export async function bundleHandler(handlerId: HandlerId, outdir: string, options: LambdaBundleOptions = {}): Promise<BuildResult<{ metafile: true }>> {
  const esbuild = await import('esbuild');
  return esbuild.build(lambdaBuildOptions(handlerId, outdir, options));
}

const thisFile = fileURLToPath(import.meta.url);

/**
 * Bundles one handler into outdir and waits for it: CDK's local bundling hook is synchronous and esbuild runs
 * plugins only in its asynchronous API, so the bundle is made by a child process running this file.
 */
export function bundleHandlerSync(handlerId: HandlerId, outdir: string, options: LambdaBundleOptions = {}): void {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', thisFile, handlerId, outdir, ...(options.sourceMap ? ['--source-map'] : [])],
    { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  if (result.status !== 0) {
    throw new Error(`bundling ${handlerId} failed (exit ${result.status ?? result.signal}): ${result.stderr || result.error?.message}`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === thisFile) {
  const [handlerId, outdir] = process.argv.slice(2);
  if (!(HANDLER_IDS as readonly string[]).includes(handlerId ?? '') || !outdir) {
    process.stderr.write(`usage: tsx infra/lambda-bundle.ts <${HANDLER_IDS.join('|')}> OUTDIR [--source-map]\n`);
    process.exit(2);
  }
  await bundleHandler(handlerId as HandlerId, path.resolve(outdir), { sourceMap: process.argv.includes('--source-map') });
}
