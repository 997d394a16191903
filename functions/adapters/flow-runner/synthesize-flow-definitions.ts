// The flow definitions the local runner executes, synthesized from infra/ and cached on disk keyed by a hash of
// everything that shapes them, so a warm run never imports aws-cdk-lib.
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Flow } from '../../domain/model.js';
import { flowDefinitionsFromTemplate, type LocalFlowDefinition } from './flow-definitions.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const CACHE_FORMAT = 1;

export interface SynthesizeOptions {
  /** Where cached definitions live. Default node_modules/.cache/podreach in the repository. */
  cacheDir?: string;
}

/** Files that change the synthesized flows besides infra/**: the flow and detail-type lists, and the resolver. */
const EXTRA_SOURCES = [
  'cdk.json',
  'functions/domain/model.ts',
  'functions/domain/errors.ts',
  'events/schemas.ts',
  'functions/adapters/flow-runner/flow-definitions.ts',
  'functions/adapters/flow-runner/synthesize-stateless-template.ts',
];

async function sourcesKey(): Promise<string> {
  const infraFiles = (await readdir(path.join(repoRoot, 'infra'), { recursive: true }))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join('infra', file));
  const files = [...infraFiles, ...EXTRA_SOURCES].sort();
  const cdkPackage: unknown = JSON.parse(
    await readFile(createRequire(import.meta.url).resolve('aws-cdk-lib/package.json'), 'utf8'),
  );
  const cdkVersion = typeof cdkPackage === 'object' && cdkPackage !== null && 'version' in cdkPackage ? String(cdkPackage.version) : '';
  const hash = createHash('sha256').update(`format ${CACHE_FORMAT}\naws-cdk-lib ${cdkVersion}\n`);
  const contents = await Promise.all(files.map((file) => readFile(path.join(repoRoot, file))));
  files.forEach((file, index) => hash.update(`${file}\0`).update(contents[index] ?? '').update('\0'));
  return hash.digest('hex').slice(0, 32);
}

async function readCache(file: string): Promise<Record<Flow, LocalFlowDefinition> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<Flow, LocalFlowDefinition>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Every flow's state machine as infra/ synthesizes it. A cache miss synthesizes in-process without bundling
 * Lambda code (a few seconds); a hit reads one JSON file.
 */
export async function synthesizeFlowDefinitions(options: SynthesizeOptions = {}): Promise<Record<Flow, LocalFlowDefinition>> {
  const cacheDir = options.cacheDir ?? path.join(repoRoot, 'node_modules', '.cache', 'podreach');
  const cacheFile = path.join(cacheDir, `flow-definitions-${await sourcesKey()}.json`);
  const cached = await readCache(cacheFile);
  if (cached) return cached;

  const { synthesizeStatelessTemplate } = await import('./synthesize-stateless-template.js');
  const definitions = flowDefinitionsFromTemplate(await synthesizeStatelessTemplate());
  await mkdir(cacheDir, { recursive: true });
  // Write-then-rename: a concurrent reader sees the old state or the whole file, never half of it.
  const partial = `${cacheFile}.${process.pid}.tmp`;
  await writeFile(partial, JSON.stringify(definitions));
  await rename(partial, cacheFile);
  return definitions;
}
