// `npm run bench`: every timing figure podreach has goals for, as tables (prints figures, asserts nothing):
//   - the planner against 100,000 and 1,000,000 existing routes, each size in its own process with its peak RSS,
//     and the naive pairwise conflict check beside it (scripts/bench-planner.ts);
//   - the command, the Lambda bundles and, with --synth, `cdk synth` (scripts/bench-runtime.ts).
// `npm run bench -- --runs N --synth --source-maps --planner-only`
import { loadavg } from 'node:os';
import { measurePlannerApart, plannerTable } from './bench-planner.js';

const argv = process.argv.slice(2);
const runsIndex = argv.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(argv[runsIndex + 1]) : 5;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs needs a positive integer');

const sizes = [];
for (const routes of [100_000, 1_000_000]) sizes.push(await measurePlannerApart(routes, runs));
process.stdout.write(`${plannerTable(sizes).join('\n')}\nload average: ${loadavg().map((value) => value.toFixed(1)).join(' ')}\n`);

if (!argv.includes('--planner-only')) {
  const { benchRuntime } = await import('./bench-runtime.js');
  await benchRuntime({ runs, synth: argv.includes('--synth'), sourceMaps: argv.includes('--source-maps') });
}
