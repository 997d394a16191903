// `npm start`: the sample events through the whole local pipeline against the sandbox, printing what was applied.
// Its --state directory is emptied first, so demo works only in a directory it made itself (it leaves a mark
// there), a new one, or an empty one: `--state .` or a live state directory is refused, never emptied.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterEventJson } from '../../events/parse.js';
import { exitCodeOf, runEventReport } from './commands.js';
import { InvalidInputError } from '../domain/errors.js';
import { openLocalRuntime } from './local-runtime.js';
import { readTextFile } from './read-text-file.js';
import { renderTable, type RunReport } from './report.js';
import { stateDirectory } from './state-dir.js';

/** The file demo leaves in a directory it created: only such a directory (or an empty one) is emptied. */
export const DEMO_MARK = '.podreach-demo';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const DEMO_STEPS = [
  { file: 'events/samples/cluster-created.json', note: 'a TKE cluster is created: Direct Connect and VPN entries for its container CIDRs' },
  { file: 'events/samples/node-added.json', note: 'a node joins' },
  { file: 'events/samples/cluster-cidr-changed.json', note: 'the container CIDRs change: 172.19.0.0/16 leaves, 172.18.0.0/16 arrives' },
  { file: 'events/samples/cluster-created.json', note: 'the first event again (a replay): nothing is applied twice' },
];

/** Empties `dir` for the demo when the demo made it (or it is new or empty) and marks it; refuses anything else. */
export function prepareDemoDirectory(path: string): string {
  const dir = stateDirectory(path);
  if (existsSync(dir)) {
    const entries = readdirSync(dir);
    if (entries.length > 0 && !entries.includes(DEMO_MARK)) {
      throw new InvalidInputError(
        '--state',
        `${path} is not empty and was not created by podreach demo: demo empties its directory first, so give it a new or empty one ` +
          `(a demo directory made before demo marked its directories has no mark: remove it once yourself)`,
      );
    }
    // only what the demo itself wrote is there: the mark says so
    for (const entry of entries) rmSync(join(dir, entry), { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, DEMO_MARK), 'Created by `podreach demo`, which empties this directory each time it runs.\n');
  return dir;
}

export async function runDemo(flags: { state: string; json?: boolean }): Promise<number> {
  const stateDir = prepareDemoDirectory(flags.state);
  const runtime = await openLocalRuntime({
    stateDir,
    profileFile: join(repoRoot, 'examples/profiles/demo.yaml'),
    sandboxFile: join(repoRoot, 'examples/sandbox/demo.yaml'),
  });
  const reports: RunReport[] = [];
  try {
    for (const [index, step] of DEMO_STEPS.entries()) {
      const event = parseClusterEventJson(readTextFile(join(repoRoot, step.file), 'event-file'), step.file);
      const report = await runEventReport(runtime, event, true);
      reports.push(report);
      if (!flags.json) {
        process.stdout.write(`\n== ${index + 1}/${DEMO_STEPS.length} ${event.detailType} (${step.file}): ${step.note}\n`);
        process.stdout.write(`${renderTable(report)}\n`);
      }
    }
  } finally {
    await runtime.close();
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else process.stdout.write(`\nstate kept in ${stateDir} (try: npx podreach state --state ${flags.state})\n`);
  return Math.max(0, ...reports.map(exitCodeOf));
}
