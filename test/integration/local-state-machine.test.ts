// The flow state machines that run locally are the ones `cdk synth` produces, and they behave as designed on
// aws-local-stepfunctions: Map order, Retry, Catch -> record-failure, Notify, failure -> FlowFailed.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import { ApprovalPendingError, EntryConflictError, ThrottlingError } from '../../functions/domain/errors.js';
import { FLOWS, type Flow } from '../../functions/domain/model.js';
import type { FlowInput } from '../../functions/ports/flow-runner.js';
import type { ExecutionSummary } from '../../functions/ports/notifier.js';
import { flowDefinitionsFromTemplate, type LocalFlowDefinition } from '../../functions/adapters/flow-runner/flow-definitions.js';
import {
  GENERATED_FLOW_DEFINITIONS_PATH,
  loadFlowDefinitions,
  readGeneratedFlowDefinitions,
  type GeneratedFlowDefinitions,
} from '../../functions/adapters/flow-runner/generated-flow-definitions.js';
import { LocalFlowRunner, type LocalHandler } from '../../functions/adapters/flow-runner/local-flow-runner.js';
import { flowSourcesKey } from '../../functions/adapters/flow-runner/synthesize-flow-definitions.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

let generated: GeneratedFlowDefinitions | undefined;
let definitions: Record<Flow, LocalFlowDefinition>;

beforeAll(async () => {
  // What the CLI reads: made by `npm run build` (npm ci's prepare; the Jest global setup rebuilds it when stale).
  generated = await readGeneratedFlowDefinitions(path.join(repoRoot, GENERATED_FLOW_DEFINITIONS_PATH));
  definitions = await loadFlowDefinitions();
}, 120_000);

describe('The generated flow definitions (dist/flow-definitions.json)', () => {
  it('were generated from the sources as they are now', async () => {
    // Act
    const sourcesKey = await flowSourcesKey(repoRoot);

    // Assess: a stale file (infra/ edited after the build) fails here; `npm run build` regenerates it.
    expect(generated?.sourcesKey).toBe(sourcesKey);
  });

  it('are exactly the definitions `npx cdk synth` writes to cdk.out, for every flow', async () => {
    // Prepare
    const outdir = await mkdtemp(path.join(tmpdir(), 'podreach-cdk-out-'));
    try {
      // Act
      await run('npx', ['cdk', 'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', outdir], {
        cwd: repoRoot,
        env: { ...process.env, CI: 'true' },
        maxBuffer: 64 * 1024 * 1024,
      });
      const template: unknown = JSON.parse(await readFile(path.join(outdir, 'PodreachStateless.template.json'), 'utf8'));
      const fromCli = flowDefinitionsFromTemplate(template);

      // Assess
      expect(Object.keys(generated?.definitions ?? {}).sort()).toEqual([...FLOWS].sort());
      for (const flow of FLOWS) {
        expect(generated?.definitions[flow]).toEqual(fromCli[flow]);
      }
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 300_000);

  it('are definitions aws-local-stepfunctions accepts, with placeholder function ARNs', () => {
    for (const flow of FLOWS) {
      // Act
      const construct = () =>
        new StateMachine(structuredClone(definitions[flow].definition) as ConstructorParameters<typeof StateMachine>[0], {
          validationOptions: { checkArn: false },
        });

      // Assess
      expect(construct).not.toThrow();
      expect(definitions[flow].taskHandlers).toEqual({
        Plan: 'plan-flow',
        LoadPage: 'load-page',
        ApplyChange: 'apply-change',
        AwaitApproval: 'approval',
        ExpireApproval: 'approval',
        RecordFailure: 'record-failure',
        Notify: 'notify',
      });
    }
  }, 60_000);
});

describe('Function: flowSourcesKey', () => {
  it('changes when a file under infra/ changes, so the generated file counts as stale', async () => {
    // Prepare: a copy of what the key reads (infra/, cdk.json, the flow sources) next to the real node_modules.
    const root = await mkdtemp(path.join(tmpdir(), 'podreach-sources-key-'));
    try {
      for (const entry of ['infra', 'cdk.json', 'package.json', 'functions/domain', 'functions/adapters/flow-runner', 'events']) {
        await cp(path.join(repoRoot, entry), path.join(root, entry), { recursive: true });
      }
      await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
      const before = await flowSourcesKey(root);
      const construct = path.join(root, 'infra', 'constructs', 'flow-state-machine.ts');

      // Act
      await writeFile(construct, `${await readFile(construct, 'utf8')}\n// an edit\n`);
      const after = await flowSourcesKey(root);

      // Assess
      expect(before).toBe(await flowSourcesKey(repoRoot));
      expect(after).not.toBe(before);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

interface FakeFlow {
  handlers: Record<'plan-flow' | 'load-page' | 'apply-change' | 'record-failure' | 'notify' | 'approval', LocalHandler>;
  approvalRequests: unknown[];
  applied: string[];
  recordedFailures: unknown[];
  notifyInputs: unknown[];
}

type ChangeBehaviour = 'ok' | 'throttle-once' | 'conflict';

/** Changes per page in the fakes: small, so a few changes already make several pages. */
const FAKE_PAGE = 2;

/** Small stand-ins for the Lambda handlers, speaking the flow's task contract (the outcomes kept, as the store does). */
function fakeFlow(changes: Record<string, ChangeBehaviour>, planError?: Error, planExtra: Record<string, unknown> = {}): FakeFlow {
  const applied: string[] = [];
  const approvalRequests: unknown[] = [];
  const recordedFailures: unknown[] = [];
  const notifyInputs: unknown[] = [];
  const throttled = new Set<string>();
  const outcomes = new Map<string, string>();
  const ids = Object.keys(changes);
  const handlers: FakeFlow['handlers'] = {
    'plan-flow': async (event) => {
      if (planError) throw planError;
      const input = event as FlowInput;
      const lanes = ids.length > 0 ? [{ lane: 0, pages: Math.ceil(ids.length / FAKE_PAGE) }] : [];
      return { clusterId: input.clusterId, flow: input.flow, executionId: input.executionId, lanes, changes: ids.length, approval: { changes: 0, timeoutSeconds: 60 }, ...planExtra };
    },
    approval: async (event) => {
      approvalRequests.push(event);
      throw new ApprovalPendingError('1 change awaits approval');
    },
    'load-page': async (event) => {
      const page = event as FlowInput & { lane: number; page: number; pages: number };
      const changeIds = ids.slice(page.page * FAKE_PAGE, (page.page + 1) * FAKE_PAGE);
      return { ...page, changeIds, next: page.page + 1 < page.pages ? page.page + 1 : -1 };
    },
    'apply-change': async (event) => {
      const { changeId } = event as { changeId: string };
      applied.push(changeId);
      const behaviour = changes[changeId];
      if (behaviour === 'throttle-once' && !throttled.has(changeId)) {
        throttled.add(changeId);
        throw new ThrottlingError('Rate exceeded');
      }
      if (behaviour === 'conflict') throw new EntryConflictError(`route for ${changeId} points elsewhere`);
      outcomes.set(changeId, 'applied');
      return { changeId, status: 'applied' };
    },
    'record-failure': async (event) => {
      recordedFailures.push(event);
      outcomes.set((event as { changeId: string }).changeId, 'failed');
      return { changeId: (event as { changeId: string }).changeId, status: 'failed' };
    },
    notify: async (event) => {
      notifyInputs.push(event);
      const input = event as FlowInput & { error?: { Error: string; Cause: string } };
      const failed = [...outcomes.values()].filter((status) => status === 'failed').length;
      const applied = [...outcomes.values()].filter((status) => status === 'applied').length;
      const summary: ExecutionSummary = {
        clusterId: input.clusterId,
        flow: input.flow,
        executionId: input.executionId,
        outcome: failed > 0 || input.error ? 'failed' : 'succeeded',
        changes: [],
        counts: { applied, unchanged: 0, blocked: 0, failed },
        artifacts: [],
        warnings: [],
        ...(input.error ? { error: `${input.error.Error}: ${input.error.Cause}` } : {}),
      };
      return summary;
    },
  };
  return { handlers, applied, recordedFailures, notifyInputs, approvalRequests };
}

const input: FlowInput = { clusterId: 'cls-demo', flow: 'vpn', executionId: 'exec-1' };

async function summarizeFallback(flowInput: FlowInput, error?: string): Promise<ExecutionSummary> {
  return {
    clusterId: flowInput.clusterId,
    flow: flowInput.flow,
    executionId: flowInput.executionId,
    outcome: 'failed',
    changes: [],
    counts: { applied: 0, unchanged: 0, blocked: 0, failed: 0 },
    artifacts: [],
    warnings: [],
    ...(error ? { error } : {}),
  };
}

describe('Class: LocalFlowRunner', () => {
  describe('Method: run', () => {
    it('applies changes one at a time in plan order, retries a throttled change, and succeeds', async () => {
      // Prepare
      const fake = fakeFlow({ 'chg-1': 'ok', 'chg-2': 'throttle-once', 'chg-3': 'ok' });
      const runner = new LocalFlowRunner({ handlers: fake.handlers, definitions, summarize: summarizeFallback });
      const entered: string[] = [];

      // Act
      const summary = await runner.run(input, (message) => entered.push(message));

      // Assess
      expect(fake.applied).toEqual(['chg-1', 'chg-2', 'chg-2', 'chg-3']);
      expect(fake.recordedFailures).toEqual([]);
      expect(summary.outcome).toBe('succeeded');
      expect(summary.counts.applied).toBe(3);
      // Notify gets the plan's small output: no list of changes or results travels through the states
      expect(fake.notifyInputs).toEqual([{ ...input, lanes: [{ lane: 0, pages: 2 }], changes: 3, approval: { changes: 0, timeoutSeconds: 60 } }]);
      expect(fake.approvalRequests).toEqual([]);
      expect(entered[0]).toBe('Plan');
      expect(entered).toContain('Notify');
      expect(entered.at(-1)).toBe('FlowSucceeded');
    });

    it('catches a failed change into record-failure, notifies, and ends the execution in FlowFailed', async () => {
      // Prepare
      const fake = fakeFlow({ 'chg-1': 'conflict', 'chg-2': 'ok' });
      const runner = new LocalFlowRunner({ handlers: fake.handlers, definitions, summarize: summarizeFallback });
      const entered: string[] = [];

      // Act
      const summary = await runner.run(input, (message) => entered.push(message));

      // Assess
      expect(fake.applied).toEqual(['chg-1', 'chg-2']);
      expect(fake.recordedFailures).toEqual([
        {
          ...input,
          changeId: 'chg-1',
          error: { Error: 'EntryConflictError', Cause: 'route for chg-1 points elsewhere' },
        },
      ]);
      expect(summary.outcome).toBe('failed');
      expect(summary.counts).toEqual({ applied: 1, unchanged: 0, blocked: 0, failed: 1 });
      expect(entered).toContain('RecordFailure #1');
      expect(entered.at(-1)).toBe('FlowFailed');
    });

    it('sends a plan that cannot be made straight to Notify with the error', async () => {
      // Prepare
      const fake = fakeFlow({}, new EntryConflictError('profile names an unknown VPN'));
      const runner = new LocalFlowRunner({ handlers: fake.handlers, definitions, summarize: summarizeFallback });

      // Act
      const summary = await runner.run({ ...input, flow: 'direct-connect' });

      // Assess
      expect(fake.applied).toEqual([]);
      expect(fake.notifyInputs).toEqual([
        {
          ...input,
          flow: 'direct-connect',
          error: { Error: 'EntryConflictError', Cause: 'profile names an unknown VPN' },
        },
      ]);
      expect(summary).toMatchObject({ outcome: 'failed', error: 'EntryConflictError: profile names an unknown VPN' });
    });

    it('returns the summarize fallback when the execution fails before Notify produced a summary', async () => {
      // Prepare
      const fake = fakeFlow({ 'chg-1': 'ok' });
      const failingNotify: LocalHandler = async () => {
        throw new Error('Slack webhook secret missing');
      };
      const runner = new LocalFlowRunner({
        handlers: { ...fake.handlers, notify: failingNotify },
        definitions,
        summarize: summarizeFallback,
      });

      const entered: string[] = [];

      // Act
      const summary = await runner.run(input, (message) => entered.push(message));

      // Assess
      expect(fake.applied).toEqual(['chg-1']);
      expect(summary.outcome).toBe('failed');
      expect(summary.error).toBe('Error: Slack webhook secret missing');
      expect(entered.at(-1)).toBe('NotifyFailed');
    });

    it('stops at the approval gate when the plan holds changes: the request carries a task token, then Notify', async () => {
      // Prepare
      const fake = fakeFlow({ 'chg-1': 'ok' }, undefined, { approval: { changes: 1, timeoutSeconds: 3600 } });
      const runner = new LocalFlowRunner({ handlers: fake.handlers, definitions, summarize: summarizeFallback });
      const entered: string[] = [];

      // Act
      const summary = await runner.run(input, (message) => entered.push(message));

      // Assess
      expect(fake.applied).toEqual(['chg-1']);
      expect(fake.approvalRequests).toEqual([{ action: 'request', clusterId: input.clusterId, flow: input.flow, executionId: input.executionId, taskToken: 'local:exec-1' }]);
      expect(entered).toEqual(expect.arrayContaining(['NeedsApproval', 'AwaitApproval', 'Notify']));
      expect(summary.outcome).toBe('succeeded');
    });

    it('fails like AWS (States.DataLimitExceeded) when a state passes the 256 KiB payload limit', async () => {
      // Prepare: a Plan whose output carries 300 KB
      const fake = fakeFlow({ 'chg-1': 'ok' }, undefined, { padding: 'x'.repeat(300 * 1024) });
      const runner = new LocalFlowRunner({ handlers: fake.handlers, definitions, summarize: summarizeFallback });

      // Act
      const summary = await runner.run(input);

      // Assess
      expect(summary.outcome).toBe('failed');
      expect(summary.error).toMatch(/^States\.DataLimitExceeded: the (output of state Plan|input of state ApplyLanes) is \d+ bytes/);
      expect(fake.applied).toEqual([]);
    });

    it('retries a throttled Notify and RecordFailure instead of failing the execution', async () => {
      // Prepare
      const fake = fakeFlow({ 'chg-1': 'conflict' });
      const throttleOnce = (handler: LocalHandler): { calls: number; handler: LocalHandler } => {
        const counted = {
          calls: 0,
          handler: async (event: unknown) => {
            counted.calls += 1;
            if (counted.calls === 1) throw new ThrottlingError('Rate exceeded');
            return handler(event);
          },
        };
        return counted;
      };
      const notify = throttleOnce(fake.handlers.notify);
      const recordFailure = throttleOnce(fake.handlers['record-failure']);
      const runner = new LocalFlowRunner({
        handlers: { ...fake.handlers, notify: notify.handler, 'record-failure': recordFailure.handler },
        definitions,
        summarize: summarizeFallback,
      });

      // Act
      const summary = await runner.run(input);

      // Assess
      expect([notify.calls, recordFailure.calls]).toEqual([2, 2]);
      expect(fake.recordedFailures).toHaveLength(1);
      expect(summary).toMatchObject({ outcome: 'failed', counts: { applied: 0, unchanged: 0, blocked: 0, failed: 1 } });
      expect(summary.error).toBeUndefined();
    });
  });
});
