// `npm start`: the sample events through the whole local pipeline against the sandbox, printing what was applied.
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseClusterEventJson } from '../../events/parse.js';
import { exitCodeOf, runEventReport } from './commands.js';
import { openLocalRuntime, readTextFile } from './local-runtime.js';
import { renderTable, type RunReport } from './report.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export const DEMO_STEPS = [
  { file: 'events/samples/cluster-created.json', note: 'a TKE cluster is created: Direct Connect and VPN entries for its container CIDRs' },
  { file: 'events/samples/node-added.json', note: 'a node joins' },
  { file: 'events/samples/cluster-cidr-changed.json', note: 'the container CIDRs change: 172.19.0.0/16 leaves, 172.18.0.0/16 arrives' },
  { file: 'events/samples/cluster-created.json', note: 'the first event again (a replay): nothing is applied twice' },
];

export async function runDemo(flags: { state: string; json?: boolean }): Promise<number> {
  const stateDir = resolve(flags.state);
  rmSync(stateDir, { recursive: true, force: true });
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
