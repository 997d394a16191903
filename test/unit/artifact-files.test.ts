// Artifact files: every path built from sanitised parts, inside <state>/artifacts, never through a link.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ArtifactPathError, artifactFileName, safeFileName, writeArtifactFiles } from '../../functions/cli/artifact-files.js';
import type { Artifact } from '../../functions/domain/model.js';

const artifact = (name: string, content = 'x'): Artifact => ({ kind: 'bgp-peer', name, flow: 'bgp-edge', mediaType: 'application/yaml', content });

describe('Module: artifact-files', () => {
  let root: string;
  let state: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'podreach-artifacts-'));
    state = join(root, 'state');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps safe names and turns the others into distinct safe ones', () => {
    expect(safeFileName('cls-demo')).toBe('cls-demo');
    for (const name of ['../escape', 'a/b', '..', 'x\0y', '.hidden', 'a\nb']) {
      const safe = safeFileName(name);
      expect(safe).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
      expect(safe).not.toContain('..');
    }
    expect(safeFileName('a/b')).not.toBe(safeFileName('a_b'));
    expect(safeFileName('x'.repeat(500)).length).toBeLessThanOrEqual(200);
    expect(artifactFileName(artifact('bgp-peer-x/../../../escaped.yaml'))).toMatch(/^bgp-peer-x_escaped-[0-9a-f]{10}\.yaml$/);
  });

  it('writes every file inside <state>/artifacts/<cluster>/<flow>, whatever the cluster id and names say', () => {
    const written = writeArtifactFiles(state, '../../escape', 'bgp-edge', [artifact('../../../outside.yaml'), artifact('bgp-peer-a.yaml')], { prune: true });
    for (const path of written) expect(path.startsWith(join(state, 'artifacts') + '/')).toBe(true);
    expect(readdirSync(root)).toEqual(['state']);
    expect(written.map((path) => readFileSync(path, 'utf8'))).toEqual(['x', 'x']);
  });

  it('refuses two artifacts with one file name instead of letting one replace the other', () => {
    expect(() => writeArtifactFiles(state, 'cls-demo', 'bgp-edge', [artifact('bgp-peer-a.yaml', '1'), artifact('bgp-peer-a', '2')], { prune: false })).toThrow(ArtifactPathError);
  });

  it('refuses a cluster folder that is a link to elsewhere, and writes nothing there', () => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    mkdirSync(join(state, 'artifacts'), { recursive: true });
    symlinkSync(outside, join(state, 'artifacts', 'cls-demo'));
    expect(() => writeArtifactFiles(state, 'cls-demo', 'bgp-edge', [artifact('bgp-peer-a.yaml')], { prune: true })).toThrow(/is a link, not a folder podreach made/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('replaces a link placed where an artifact goes instead of writing through it', () => {
    const target = join(root, 'target.txt');
    writeFileSync(target, 'keep');
    const folder = join(state, 'artifacts', 'cls-demo', 'bgp-edge');
    mkdirSync(folder, { recursive: true });
    symlinkSync(target, join(folder, 'bgp-peer-a.yaml'));
    writeArtifactFiles(state, 'cls-demo', 'bgp-edge', [artifact('bgp-peer-a.yaml', 'new')], { prune: false });
    expect(readFileSync(target, 'utf8')).toBe('keep');
    expect(readFileSync(join(folder, 'bgp-peer-a.yaml'), 'utf8')).toBe('new');
  });

  it('prunes only the files of that flow it no longer produces', () => {
    writeArtifactFiles(state, 'cls-demo', 'bgp-edge', [artifact('a.yaml'), artifact('b.yaml')], { prune: true });
    const [kept] = writeArtifactFiles(state, 'cls-demo', 'bgp-edge', [artifact('a.yaml')], { prune: true });
    expect(readdirSync(dirname(kept!))).toEqual(['a.yaml']);
    expect(existsSync(join(state, 'artifacts', 'cls-demo'))).toBe(true);
  });
});
