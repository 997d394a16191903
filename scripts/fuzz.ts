// `npm run fuzz -- --sequences N [--seed S]`: the ownership model of test/fuzz (issue 9) over many generated
// sequences. Prints the rate; on failure, the seed and fast-check's path (to replay) and the shrunk sequence.
// Exit 0 when every sequence holds, 1 on a failure, 2 on bad arguments.
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { describeSequence, sequenceProperty, type Outcome } from '../test/fuzz/ownership-model.js';

function usage(message: string): never {
  process.stderr.write(`error: ${message}\nusage: npm run fuzz -- --sequences N [--seed S] [--path P]\n`);
  process.exit(2);
}

const { values } = parseArgs({ options: { sequences: { type: 'string', default: '1000' }, seed: { type: 'string' }, path: { type: 'string' } } });
const sequences = Number(values.sequences);
if (!Number.isInteger(sequences) || sequences < 1) usage(`--sequences must be a positive integer, got ${values.sequences}`);
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
if (!Number.isInteger(seed)) usage(`--seed must be an integer, got ${values.seed}`);

process.stdout.write(`ownership fuzz: ${sequences} sequences, seed ${seed}\n`);
const started = performance.now();
let done = 0;
let deliveries = 0;
let crashes = 0;
let lastReport = started;
const onRun = (outcome: Outcome) => {
  done += 1;
  deliveries += outcome.deliveries;
  crashes += outcome.crashes;
  const now = performance.now();
  if (now - lastReport > 10_000) {
    lastReport = now;
    process.stdout.write(`  ${done} sequences, ${(done / ((now - started) / 1000)).toFixed(1)}/s\n`);
  }
};

const details = await fc.check(sequenceProperty(onRun), { seed, numRuns: sequences, ...(values.path ? { path: values.path } : {}) });
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${details.numRuns} sequences in ${seconds.toFixed(1)} s: ${(details.numRuns / seconds).toFixed(1)} sequences/s (${deliveries} deliveries, ${crashes} simulated crashes, shrinking included)\n`,
);
if (details.failed) {
  const example = details.counterexample?.[0];
  process.stdout.write(
    `FAILED after ${details.numRuns} sequences (seed ${details.seed}, path ${details.counterexamplePath ?? '-'}; replay: npm run fuzz -- --sequences ${sequences} --seed ${details.seed} --path ${details.counterexamplePath ?? ''})\n`,
  );
  if (example) process.stdout.write(`shrunk sequence:\n${describeSequence(example)}\n`);
  process.stdout.write(`${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}\n`);
  process.exitCode = 1;
} else {
  process.stdout.write('every sequence held\n');
}
