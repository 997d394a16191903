// The command and the deployed code, timed (part of `npm run bench`; prints figures, asserts nothing):
//   - `podreach run` of a sample event on a new --state, its replay, and a refused bad event: wall time of
//     `node bin/podreach.js ...` as a child process (the built bundle; rebuilt first when stale), median of --runs
//   - each Lambda bundle's size and module init (scripts/lambda-bundles.ts); --source-maps adds the same with
//     --enable-source-maps and the maps shipped, for comparison
//   - `cdk synth` with --synth (once: it takes tens of seconds)
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildIsCurrent, repoRoot } from '../bin/build-state.js';
import { build } from './build.js';
import { lambdaTable, measureLambdaBundles, median } from './lambda-bundles.js';

interface Timed {
  ms: number;
  code: number | null;
  stderr: string;
}

function timedRun(command: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, SLACK_WEBHOOK_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, code, stderr }));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface CliCase {
  label: string;
  target: number;
  expectedCode: number;
  args: (stateDir: string) => string[];
}

const CLI_CASES: CliCase[] = [
  {
    label: 'podreach run, sample event, new --state',
    target: 1000,
    expectedCode: 0,
    args: (state) => ['run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', '--state', state],
  },
  { label: 'podreach run, replay (applies nothing)', target: 800, expectedCode: 0, args: (state) => ['run', 'events/samples/cluster-created.json', '--state', state] },
  { label: 'podreach run, refused bad event (exit 2)', target: 300, expectedCode: 2, args: (state) => ['run', 'events/samples/invalid/bad-cidr.json', '--state', state] },
];

async function benchCli(runs: number): Promise<string[]> {
  if (!buildIsCurrent()) await build();
  const samples = CLI_CASES.map((): number[] => []);
  for (let run = 0; run < runs; run++) {
    const state = await mkdtemp(path.join(tmpdir(), 'podreach-bench-'));
    try {
      // The three in turn on one state, so load from elsewhere on the machine hits all of them alike.
      for (const [index, cliCase] of CLI_CASES.entries()) {
        const result = await timedRun(process.execPath, [path.join(repoRoot, 'bin', 'podreach.js'), ...cliCase.args(state)]);
        if (result.code !== cliCase.expectedCode) throw new Error(`${cliCase.label}: exit ${result.code}, expected ${cliCase.expectedCode}\n${result.stderr}`);
        samples[index]!.push(result.ms);
      }
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  }
  return CLI_CASES.map((cliCase, index) => {
    const values = samples[index]!;
    return `${cliCase.label.padEnd(44)}${seconds(median(values)).padStart(9)}   ${`min ${seconds(Math.min(...values))}, max ${seconds(Math.max(...values))}`.padEnd(26)}${`target ≤ ${seconds(cliCase.target)}`}`;
  });
}

async function benchSynth(): Promise<string> {
  const outdir = await mkdtemp(path.join(tmpdir(), 'podreach-bench-synth-'));
  try {
    const result = await timedRun('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', outdir]);
    if (result.code !== 0) throw new Error(`cdk synth failed (exit ${result.code})\n${result.stderr}`);
    return `${'npx cdk synth (all bundles, cdk-nag, validation)'.padEnd(44)}${seconds(result.ms).padStart(9)}   ${'one run'.padEnd(26)}target ≤ 60.00 s`;
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

export async function benchRuntime({ runs, synth, sourceMaps }: { runs: number; synth: boolean; sourceMaps: boolean }): Promise<void> {
  // Other work on the machine moves every figure: say how busy it was.
  const load = () => loadavg().map((value) => value.toFixed(1)).join(' ');
  const lines = ['', `The command (median of ${runs}; wall time of node bin/podreach.js, node ${process.version}; load average ${load()})`];
  lines.push(...(await benchCli(runs)));
  if (synth) lines.push(await benchSynth());
  lines.push('', ...lambdaTable(await measureLambdaBundles({ runs }), false));
  lines.push('targets: every function but plan-flow, apply-change and eks-lifecycle (its EC2 client reads subnets) ≤ 1 MB of code; all but plan-flow and apply-change ≤ 150 ms init; those two ≤ 400 ms init');
  if (sourceMaps) lines.push('', ...lambdaTable(await measureLambdaBundles({ runs, sourceMaps: true }), true));
  lines.push(`load average at the end: ${load()}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
