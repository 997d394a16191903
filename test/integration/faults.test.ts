// Faults in the sandbox (issue 9): with 20% throttling, 5% server errors and 5% lost responses on every simulated
// API call, the demo events still converge through the same Retry / Catch paths as in AWS — each run ends with
// exit 0 or 1, a re-run after 1 finishes the job, and the account ends as a run without faults leaves it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { FaultInjector, faultsSchema } from '../../functions/adapters/sandbox/faults.js';
import { exportSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { exitCodeOf, runEventReport } from '../../functions/cli/commands.js';
import { DEMO_STEPS } from '../../functions/cli/demo.js';
import { openLocalRuntime } from '../../functions/cli/local-runtime.js';

function seedWith(dir: string, faults: Record<string, unknown> | undefined): string {
  const seed = parseYaml(readFileSync('examples/sandbox/demo.yaml', 'utf8')) as { spec: Record<string, unknown> };
  if (faults) seed.spec.faults = faults;
  const file = join(dir, 'sandbox.yaml');
  writeFileSync(file, stringify(seed));
  return file;
}

/** Runs the demo events; after an exit 1 the same event runs again (as a person or EventBridge would). */
async function runDemo(faults: Record<string, unknown> | undefined) {
  const dir = mkdtempSync(join(tmpdir(), 'podreach-faults-'));
  const runtime = await openLocalRuntime({ stateDir: dir, profileFile: 'examples/profiles/demo.yaml', sandboxFile: seedWith(dir, faults) });
  const exits: number[] = [];
  try {
    for (const step of DEMO_STEPS) {
      const event = parseClusterEventJson(readFileSync(step.file, 'utf8'), step.file);
      let code = exitCodeOf(await runEventReport(runtime, event, true));
      exits.push(code);
      for (let rerun = 0; code === 1 && rerun < 3; rerun++) {
        code = exitCodeOf(await runEventReport(runtime, event, true));
        exits.push(code);
      }
    }
    const sandbox = runtime.deps.providers.get('sandbox', '');
    const injector = sandbox instanceof SandboxProvider ? await sandbox.cloud.injector() : undefined;
    return { account: await exportSandbox(runtime.deps.store), exits, counts: injector?.counts, rows: await runtime.deps.store.listChanges('cls-demo') };
  } finally {
    await runtime.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('Integration: sandbox faults (dynalite + local state machines + sandbox)', () => {
  it.each([1, 2, 3])('converges under 20%% throttling, 5%% 5xx and 5%% lost responses (seed %i)', async (seed) => {
    // Prepare
    const clean = await runDemo(undefined);

    // Act
    const faulty = await runDemo({ seed, throttle: 0.2, serverError: 0.05, lostResponse: 0.05 });

    // Assess: faults happened, every run exited 0 or 1, an exit 1 was followed by a run that finished the job
    expect((faulty.counts?.throttled ?? 0) + (faulty.counts?.lostResponses ?? 0)).toBeGreaterThan(0);
    expect(faulty.exits.every((code) => code === 0 || code === 1)).toBe(true);
    expect(faulty.exits[faulty.exits.length - 1]).toBe(0);
    expect(faulty.account).toEqual(clean.account);
    expect(faulty.rows.filter((row) => ['planned', 'applying', 'failed'].includes(row.status))).toEqual([]);
  });
});

describe('Class: FaultInjector', () => {
  it('draws the same faults for the same seed and calls, and others for another seed', async () => {
    // Prepare
    const outcomes = async (seed: number) => {
      const injector = new FaultInjector(faultsSchema.parse({ seed, throttle: 0.3, lostResponse: 0.3 }), () => undefined);
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        seen.push(await injector.run('CreateRoute', true, async () => 'ok').catch((error: Error) => error.message.split(':')[0] ?? ''));
      }
      return seen.join(',');
    };

    // Act / Assess
    expect(await outcomes(5)).toBe(await outcomes(5));
    expect(await outcomes(5)).not.toBe(await outcomes(6));
    expect(await outcomes(5)).toContain('Throttling');
  });

  it('lets a lost response take effect, and kills the process after the named call', async () => {
    // Prepare
    let killed = 0;
    let effects = 0;
    const injector = new FaultInjector(faultsSchema.parse({ lostResponse: 1, killAfter: { api: 'DeleteRoute', call: 2 } }), () => (killed += 1));

    // Act
    await expect(injector.run('CreateRoute', true, async () => (effects += 1))).rejects.toThrow('the response was lost');
    await injector.run('DeleteRoute', false, async () => undefined);
    await injector.run('DeleteRoute', false, async () => undefined);

    // Assess
    expect(effects).toBe(1);
    expect(killed).toBe(1);
  });
});
