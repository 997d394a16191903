// Whether the built CLI (dist/cli, made by `npm run build`) is older than the sources it was built from.
// Plain JavaScript: bin/podreach.js checks this before it decides to load the bundle or the TypeScript sources.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Written last by a successful build (path in the repository root): { startedAt }, ms since epoch, when the build read its inputs. */
export const BUILD_STAMP = join('dist', 'build-stamp.json');

/** Folders whose TypeScript the CLI bundle and the generated flow definitions are made from. */
const SOURCE_FOLDERS = ['functions', 'events', 'infra'];
/** Single files that change the build too (dependencies, build settings). */
const SOURCE_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'cdk.json', 'scripts/build.ts', 'bin/build-state.js'];

/** The newest modification time among the build's inputs (~3 ms for ~120 files). */
export function newestSourceMtimeMs(root = repoRoot) {
  let newest = 0;
  const consider = (file) => {
    const { mtimeMs } = statSync(file);
    if (mtimeMs > newest) newest = mtimeMs;
  };
  for (const folder of SOURCE_FOLDERS) {
    for (const entry of readdirSync(join(root, folder), { recursive: true })) {
      if (entry.endsWith('.ts')) consider(join(root, folder, entry));
    }
  }
  for (const file of SOURCE_FILES) consider(join(root, file));
  return newest;
}

/** When the last successful build started, or undefined when there is none. */
export function lastBuildStartedAt(root = repoRoot) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, BUILD_STAMP), 'utf8'));
    return typeof stamp.startedAt === 'number' ? stamp.startedAt : undefined;
  } catch {
    return undefined;
  }
}

/** True when a build exists and no input changed after it started. */
export function buildIsCurrent(root = repoRoot) {
  const startedAt = lastBuildStartedAt(root);
  return startedAt !== undefined && newestSourceMtimeMs(root) <= startedAt;
}
