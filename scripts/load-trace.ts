// What a `podreach` command loads: runs bin/podreach.js with a module-load trace (scripts/load-trace/register.mjs)
// and names the packages and source folders behind every file it loaded. For the CLI bundle, a loaded chunk counts
// for every package esbuild put in it (dist/cli/meta.json).
//   npx tsx scripts/load-trace.ts run events/samples/cluster-created.json --state /tmp/x   prints them, largest first
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../bin/build-state.js';

export interface LoadTrace {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Package name (or repository folder, e.g. functions/cli) -> bytes of it loaded (0 when not known: files outside the bundle). */
  loaded: Map<string, number>;
}

interface Metafile {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
}

/** `@scope/name` or `name` for a path inside node_modules; the top two folders for a repository file. */
export function ownerOf(file: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (match?.[1]) return match[1];
  return path.relative(repoRoot, file).split(path.sep).slice(0, 2).join('/');
}

function add(loaded: Map<string, number>, owner: string, bytes: number): void {
  loaded.set(owner, (loaded.get(owner) ?? 0) + bytes);
}

export async function traceLoads(args: string[], env: NodeJS.ProcessEnv = {}): Promise<LoadTrace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'podreach-load-trace-'));
  const traceFile = path.join(dir, 'trace.txt');
  try {
    const register = pathToFileURL(path.join(repoRoot, 'scripts', 'load-trace', 'register.mjs')).href;
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', register, path.join(repoRoot, 'bin', 'podreach.js'), ...args], {
        cwd: repoRoot,
        env: { ...process.env, SLACK_WEBHOOK_URL: '', ...env, PODREACH_LOAD_TRACE: traceFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const files = new Set(
      (await readFile(traceFile, 'utf8').catch(() => ''))
        .split('\n')
        .filter((line) => line.startsWith('file:') || line.startsWith('/'))
        .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line)),
    );
    const bundleDir = path.join(repoRoot, 'dist', 'cli') + path.sep;
    const meta = [...files].some((file) => file.startsWith(bundleDir))
      ? (JSON.parse(await readFile(path.join(bundleDir, 'meta.json'), 'utf8')) as Metafile)
      : undefined;
    const loaded = new Map<string, number>();
    for (const file of files) {
      if (meta && file.startsWith(bundleDir)) {
        const output = meta.outputs[path.relative(repoRoot, file).split(path.sep).join('/')];
        for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) add(loaded, ownerOf(path.join(repoRoot, input)), bytesInOutput);
      } else {
        add(loaded, ownerOf(file), 0);
      }
    }
    return { ...result, loaded };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const trace = await traceLoads(process.argv.slice(2));
  process.stderr.write(trace.stderr);
  const rows = [...trace.loaded].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  for (const [owner, bytes] of rows) process.stdout.write(`${bytes ? `${(bytes / 1024).toFixed(0)} KB`.padStart(9) : '    files'}  ${owner}\n`);
  process.stdout.write(`exit ${trace.code}: ${rows.length} packages and folders loaded\n`);
}
