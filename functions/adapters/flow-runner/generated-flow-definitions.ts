// The flow definitions generated at build time (`npm run build`, which `npm ci` runs through `prepare`) into
// dist/flow-definitions.json, with the key of the sources they came from. The CLI reads this file: no CDK at run time.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOWS, type Flow } from '../../domain/model.js';
import { FlowDefinitionError, type LocalFlowDefinition } from './flow-definitions.js';
import { flowSourcesKey, synthesizeFlowDefinitions } from './synthesize-flow-definitions.js';

export const GENERATED_FLOW_DEFINITIONS_PATH = path.join('dist', 'flow-definitions.json');

export interface GeneratedFlowDefinitions {
  /** flowSourcesKey() of the sources the definitions were synthesized from. */
  sourcesKey: string;
  definitions: Record<Flow, LocalFlowDefinition>;
}

const here = fileURLToPath(import.meta.url);

/**
 * The repository this module runs from: the nearest folder above it with a package.json. The same answer from the
 * sources (functions/adapters/flow-runner/) and from the CLI bundle (dist/cli/).
 */
export function packageRoot(from: string = here): string {
  let dir = path.dirname(from);
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new FlowDefinitionError(`no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}

/** True when this module runs from its TypeScript source (tsx, Jest), false inside the built CLI bundle. */
const runningFromSources = here.endsWith('.ts');

export function generatedFlowDefinitionsFile(root: string = packageRoot()): string {
  return path.join(root, GENERATED_FLOW_DEFINITIONS_PATH);
}

export async function readGeneratedFlowDefinitions(file: string = generatedFlowDefinitionsFile()): Promise<GeneratedFlowDefinitions | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<GeneratedFlowDefinitions>;
  // Our own build output: a shape check that names what is missing is enough.
  if (typeof parsed.sourcesKey !== 'string' || typeof parsed.definitions !== 'object' || parsed.definitions === null) {
    throw new FlowDefinitionError(`${file} is not a generated flow definitions file: run \`npm run build\``);
  }
  const missing = FLOWS.filter((flow) => !(flow in parsed.definitions!));
  if (missing.length > 0) throw new FlowDefinitionError(`${file} has no definition for ${missing.join(', ')}: run \`npm run build\``);
  return parsed as GeneratedFlowDefinitions;
}

/** Synthesizes the definitions from infra/ now and writes them (write-then-rename: readers see old or new, never half). */
export async function generateFlowDefinitions(root: string = packageRoot()): Promise<GeneratedFlowDefinitions> {
  const generated: GeneratedFlowDefinitions = { sourcesKey: await flowSourcesKey(root), definitions: await synthesizeFlowDefinitions() };
  const file = generatedFlowDefinitionsFile(root);
  await mkdir(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(generated, null, 1)}\n`);
  await rename(partial, file);
  return generated;
}

/**
 * The definitions a local run executes. The generated file is checked against the sources (~3 ms). When they differ
 * (infra/ edited since the build) a run from the sources regenerates it once; the built CLI cannot (its infra code
 * is the old one), but bin/podreach.js runs the sources whenever they are newer than the build, so it never sees that.
 */
export async function loadFlowDefinitions(): Promise<Record<Flow, LocalFlowDefinition>> {
  const root = packageRoot();
  const [generated, sourcesKey] = await Promise.all([readGeneratedFlowDefinitions(generatedFlowDefinitionsFile(root)), flowSourcesKey(root)]);
  if (generated?.sourcesKey === sourcesKey) return generated.definitions;
  if (!runningFromSources) {
    throw new FlowDefinitionError(
      `${GENERATED_FLOW_DEFINITIONS_PATH} is ${generated ? 'out of date with infra/' : 'missing'}: run \`npm run build\``,
    );
  }
  return (await generateFlowDefinitions(root)).definitions;
}
