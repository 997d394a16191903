// The --state directory: what it may be, whether it holds a podreach store, and undoing what a refused run
// created in it (a refused run leaves the directory as it found it).
import { existsSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../domain/errors.js';

/** The folder of the local DynamoDB table (dynalite on LevelDB) inside a --state directory. */
export const STORE_FOLDER = 'dynamodb';

/** The absolute --state directory; refused when it is a file or anything else but a directory. */
export function stateDirectory(path: string, field = '--state'): string {
  const dir = resolve(path);
  let stats;
  try {
    stats = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return dir;
    throw new InvalidInputError(field, `cannot use ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!stats.isDirectory()) throw new InvalidInputError(field, `${path} is a file, not a directory: --state names the directory podreach keeps its state in`);
  return dir;
}

/** true when `dir` holds a podreach store (LevelDB writes CURRENT when it creates one). */
export function holdsStore(dir: string): boolean {
  return existsSync(join(dir, STORE_FOLDER, 'CURRENT'));
}

/** For commands that only read: the directory must hold a store; nothing is created. */
export function existingStateDirectory(path: string): string {
  const dir = stateDirectory(path);
  if (!holdsStore(dir)) throw new InvalidInputError('--state', `no podreach state in ${path} (run an event with --state ${path} first)`);
  return dir;
}

/**
 * Remembers which of the directory and its store folder did not exist before, so that a run refused after
 * opening the store can remove exactly those (and nothing else) again.
 */
export function noteCreated(dir: string): () => void {
  const created = [join(dir, STORE_FOLDER), dir].filter((path) => !existsSync(path));
  return () => {
    for (const path of created) rmSync(path, { recursive: true, force: true });
  };
}
