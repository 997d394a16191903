// The short profile of the ownership fuzz (issue 9) in `npm test`: a few dozen generated sequences with faults and
// crashes; `npm run fuzz -- --sequences N [--seed S]` runs long ones. The seed is in the test's name, and a failure
// prints fast-check's seed, path and shrunk sequence: `PODREACH_FUZZ_SEED=<seed> npx jest test/fuzz` replays it.
import fc from 'fast-check';
import { describeSequence, sequenceArbitrary, sequenceProperty } from './ownership-model.js';

const seed = Number(process.env.PODREACH_FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
const runs = Number(process.env.PODREACH_FUZZ_RUNS) || 60;

describe('Model: shared ownership under faults, crashes, reordering and concurrency', () => {
  it(`holds for ${runs} generated sequences (seed ${seed})`, async () => {
    await fc.assert(sequenceProperty(), { seed, numRuns: runs, endOnFailure: false, reporter: (details) => {
      if (!details.failed) return;
      const example = details.counterexample?.[0];
      throw new Error(
        `ownership model failed (seed ${details.seed}, path ${details.counterexamplePath ?? '-'}):\n${example ? describeSequence(example) : ''}\n${String(details.errorInstance)}`,
      );
    } });
  }, 600_000);

  it('generates sequences that exercise every kind of event, reordering, duplicates, concurrency and crashes', () => {
    // the generator itself: over a sample, each feature appears (a model that never crashes would prove little)
    const sample = fc.sample(sequenceArbitrary, { numRuns: 300, seed: 42 });
    const kinds = new Set(sample.flatMap((s) => s.steps.map((step) => step.kind)));
    expect([...kinds].sort()).toEqual(['cidr', 'created', 'deleted', 'node-added', 'node-removed']);
    expect(sample.some((s) => s.delays.some((delay) => delay > 0))).toBe(true);
    expect(sample.some((s) => s.duplicates.length > 0)).toBe(true);
    expect(sample.some((s) => s.concurrent)).toBe(true);
    expect(sample.some((s) => s.crashRate > 0 && (s.faults.lostResponse ?? 0) > 0)).toBe(true);
  });
});
