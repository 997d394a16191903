// Writes a flow's artifacts under <state>/artifacts/<cluster>/<flow>/. Every part of a path is reduced to a
// safe file name, and each folder on the way must be a real folder (not a link), so no cluster id, peer name or
// gateway id, nor a link someone placed, can put a file anywhere else; two artifacts with one file name are a
// bug, never a silent overwrite.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PodreachError } from '../domain/errors.js';
import type { Artifact, Flow } from '../domain/model.js';

const SAFE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_PART = 200;

export class ArtifactPathError extends PodreachError {
  override name = 'ArtifactPathError';
}

/** `text` when it is a safe file name already; else its safe characters plus a hash of the whole (distinct stays distinct). */
export function safeFileName(text: string): string {
  if (SAFE.test(text) && text.length <= MAX_PART && !text.includes('..')) return text;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  const kept = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.{2,}/g, '_').replace(/_+/g, '_').replace(/^[._-]+/, '').slice(0, MAX_PART - 11);
  return `${kept || 'artifact'}-${hash}`;
}

function extensionOf(artifact: Artifact): string {
  return artifact.mediaType === 'application/json' ? 'json' : artifact.mediaType === 'application/yaml' ? 'yaml' : 'txt';
}

/** The file name of an artifact: its name with the extension of its media type. */
export function artifactFileName(artifact: Artifact): string {
  const extension = extensionOf(artifact);
  const base = artifact.name.endsWith(`.${extension}`) ? artifact.name.slice(0, -extension.length - 1) : artifact.name;
  return `${safeFileName(base)}.${extension}`;
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Creates (or finds) `base/parts...` one folder at a time, refusing a link or a file on the way. */
function ensureFolder(base: string, parts: readonly string[]): string {
  let current = base;
  for (const part of parts) {
    current = join(current, part);
    let stats;
    try {
      stats = lstatSync(current);
    } catch {
      mkdirSync(current);
      continue;
    }
    if (stats.isSymbolicLink() || !stats.isDirectory()) {
      throw new ArtifactPathError(`${current} is a ${stats.isSymbolicLink() ? 'link' : 'file'}, not a folder podreach made: artifacts are written only inside ${join(base, 'artifacts')}`);
    }
  }
  return current;
}

/**
 * Writes the artifacts and returns their paths. With `prune`, the regular files of that folder it no longer
 * produces are removed (a plan only adds; a completed run prunes).
 */
export function writeArtifactFiles(stateDir: string, clusterId: string, flow: Flow, artifacts: readonly Artifact[], options: { prune: boolean }): string[] {
  const state = resolve(stateDir);
  const root = join(state, 'artifacts');
  const parts = [safeFileName(clusterId), safeFileName(flow)];
  const planned = join(root, ...parts);
  if (!inside(root, planned)) throw new ArtifactPathError(`artifact folder ${planned} is outside ${root}`);
  const names = artifacts.map(artifactFileName);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice !== undefined) throw new ArtifactPathError(`two artifacts of flow ${flow} would both be written to ${twice}`);
  mkdirSync(state, { recursive: true });
  const folder = ensureFolder(state, ['artifacts', ...parts]);
  names.forEach((name, index) => {
    const path = join(folder, name);
    // never write through a link someone placed there
    try {
      if (lstatSync(path).isSymbolicLink()) rmSync(path);
    } catch {
      // not there yet
    }
    writeFileSync(path, artifacts[index]!.content);
  });
  if (options.prune) {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isFile() && !names.includes(entry.name)) rmSync(join(folder, entry.name), { force: true });
    }
  }
  return names.map((name) => join(folder, name));
}
