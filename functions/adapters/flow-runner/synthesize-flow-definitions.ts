// The flow definitions the local runner executes, synthesized from infra/ (in-process CDK, no Lambda bundling), and
// the key that says which sources they were synthesized from. The build runs this once and writes the result where
// the CLI reads it (generated-flow-definitions.ts); a run never imports aws-cdk-lib.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Flow } from '../../domain/model.js';
import { flowDefinitionsFromTemplate, type LocalFlowDefinition } from './flow-definitions.js';

/** Bump when the shape of what is generated changes, so older generated files count as stale. */
const FORMAT = 2;

/** Files that change the synthesized flows besides infra/**: the flow and detail-type lists, and the resolver. */
const EXTRA_SOURCES = [
  'cdk.json',
  'functions/domain/model.ts',
  'functions/domain/errors.ts',
  'events/schemas.ts',
  'functions/adapters/flow-runner/flow-definitions.ts',
  'functions/adapters/flow-runner/synthesize-flow-definitions.ts',
  'functions/adapters/flow-runner/synthesize-stateless-template.ts',
];

/**
 * A hash of everything that shapes the definitions: infra/**\/*.ts, the files above and the aws-cdk-lib version.
 * Reads ~20 small files (a few ms), so a run can check the generated file against the sources it runs with.
 */
export async function flowSourcesKey(repoRoot: string): Promise<string> {
  const infraFiles = (await readdir(path.join(repoRoot, 'infra'), { recursive: true }))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join('infra', file));
  const files = [...infraFiles, ...EXTRA_SOURCES].sort();
  const cdkPackage: unknown = JSON.parse(
    await readFile(createRequire(path.join(repoRoot, 'package.json')).resolve('aws-cdk-lib/package.json'), 'utf8'),
  );
  const cdkVersion = typeof cdkPackage === 'object' && cdkPackage !== null && 'version' in cdkPackage ? String(cdkPackage.version) : '';
  const hash = createHash('sha256').update(`format ${FORMAT}\naws-cdk-lib ${cdkVersion}\n`);
  const contents = await Promise.all(files.map((file) => readFile(path.join(repoRoot, file))));
  files.forEach((file, index) => hash.update(`${file.split(path.sep).join('/')}\0`).update(contents[index] ?? '').update('\0'));
  return hash.digest('hex').slice(0, 32);
}

/** Every flow's state machine as infra/ synthesizes it now (in-process, 2-4 s: it imports aws-cdk-lib). */
export async function synthesizeFlowDefinitions(): Promise<Record<Flow, LocalFlowDefinition>> {
  const { synthesizeStatelessTemplate } = await import('./synthesize-stateless-template.js');
  return flowDefinitionsFromTemplate(await synthesizeStatelessTemplate());
}
