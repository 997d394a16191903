// The embedded default: the state store on in-process dynalite (data under --state DIR), the sandbox provider
// (or another adapter with --provider), and the flow state machines synthesized from infra/ running in-process
// on aws-local-stepfunctions, each Task resolved to the same handler code Lambda runs.
import '../adapters/flow-runner/polyfills.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalDynamo } from '../adapters/dynamodb/local-dynamo.js';
import { synthesizeFlowDefinitions } from '../adapters/flow-runner/synthesize-flow-definitions.js';
import { LocalFlowRunner } from '../adapters/flow-runner/local-flow-runner.js';
import { createProviderRegistry, type ProviderRegistryOptions } from '../adapters/provider-registry.js';
import { parseSandboxFile, seedSandbox } from '../adapters/sandbox/sandbox-file.js';
import { createNotifier, webhookUrlFromEnvironment } from '../adapters/slack/slack-notifier.js';
import type { AppDeps } from '../application/deps.js';
import { parseProfileText } from '../application/profile-text.js';
import { CollectingNotifier, mergeSummaries, postSummary, summarizeExecution } from '../application/summarize.js';
import { InvalidInputError } from '../domain/errors.js';
import type { Artifact, Flow, ProviderName } from '../domain/model.js';
import { PROVIDER_NAMES } from '../domain/model.js';
import { createApplyChangeHandler } from '../handlers/apply-change.js';
import { createLoadPageHandler } from '../handlers/load-page.js';
import { createNotifyHandler } from '../handlers/notify.js';
import { createPlanFlowHandler } from '../handlers/plan-flow.js';
import { createRecordFailureHandler } from '../handlers/record-failure.js';
import { createLogger } from '../handlers/middleware.js';
import type { FlowRunner } from '../ports/flow-runner.js';

export interface LocalOptions {
  stateDir: string;
  provider?: string;
  profileFile?: string;
  sandboxFile?: string;
  /** Endpoint overrides for the cloud adapters (contract servers in tests); default from the environment. */
  endpoints?: ProviderRegistryOptions['endpoints'];
}

export interface LocalRuntime {
  deps: AppDeps;
  /** Posts one notification for a whole local run (all its flows); failures become warnings. */
  notifyRun(runId: string): Promise<string[]>;
  runner: FlowRunner;
  stateDir: string;
  /**
   * Writes a flow's artifacts under DIR/artifacts/<cluster>/<flow>/ and returns their paths. With `prune`, the
   * files of that flow it no longer produces are removed (a plan only adds; a completed run prunes).
   */
  writeArtifacts(clusterId: string, flow: Flow, artifacts: readonly Artifact[], options: { prune: boolean }): string[];
  close(): Promise<void>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function readTextFile(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError(field, `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function providerOption(value: string | undefined): ProviderName | undefined {
  if (value === undefined) return 'sandbox';
  if (value === 'event') return undefined;
  if (!(PROVIDER_NAMES as readonly string[]).includes(value)) {
    throw new InvalidInputError('--provider', `unknown provider "${value}" (expected one of: ${PROVIDER_NAMES.join(', ')}, or "event")`);
  }
  return value as ProviderName;
}

/** Parses the files a command names before anything starts, so bad input changes nothing. */
export function readInputs(options: LocalOptions) {
  return {
    profile: options.profileFile ? parseProfileText(readTextFile(options.profileFile, '--profile'), options.profileFile) : undefined,
    sandbox: options.sandboxFile ? parseSandboxFile(readTextFile(options.sandboxFile, '--sandbox'), options.sandboxFile) : undefined,
    provider: providerOption(options.provider),
  };
}

const lambdaContext = (name: string) => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: `podreach-${name}`,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:podreach-${name}`,
  memoryLimitInMB: '512',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/podreach-${name}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

export async function openLocalRuntime(localOptions: LocalOptions): Promise<LocalRuntime> {
  const options = localOptions;
  const inputs = readInputs(options);
  const stateDir = resolve(options.stateDir);
  mkdirSync(stateDir, { recursive: true });
  const local = await startLocalDynamo(stateDir);
  try {
    const store = local.store;
    if (inputs.sandbox) await seedSandbox(store, inputs.sandbox);
    if (inputs.profile) await store.putProfile(inputs.profile);
    const collector = new CollectingNotifier();
    const notifier = createNotifier(webhookUrlFromEnvironment());
    const deps: AppDeps = {
      store,
      providers: await createProviderRegistry({
        store,
        ...(inputs.provider ? { override: inputs.provider } : {}),
        ...(localOptions.endpoints ? { endpoints: localOptions.endpoints } : {}),
        // One process holds a --state directory: a lease still held is a killed run's, taken over at once.
        sandbox: { lease: { takeOverDeadLocalHolders: true, onWait: (message) => process.stderr.write(`… ${message}\n`) } },
      }),
      // The flows' Notify steps hand their summaries to the collector; the run posts one message at its end.
      notifier: collector,
      now: () => new Date(),
      // LevelDB locks the --state directory: no other process can be applying, so a row left 'applying' by
      // another execution was interrupted and is resumed at once.
      applyingLeaseMs: 0,
    };
    const silent = process.env.PODREACH_LOG !== 'debug';
    const handlerOptions = (name: string) => ({ deps: async () => deps, logger: createLogger(name, silent) });
    const asLocal = (name: string, handler: (event: never, context: never) => Promise<unknown>) => (event: unknown) => handler(event as never, lambdaContext(name) as never);
    const handlers = {
      'plan-flow': asLocal('plan-flow', createPlanFlowHandler(handlerOptions('plan-flow'))),
      'load-page': asLocal('load-page', createLoadPageHandler(handlerOptions('load-page'))),
      'apply-change': asLocal('apply-change', createApplyChangeHandler(handlerOptions('apply-change'))),
      'record-failure': asLocal('record-failure', createRecordFailureHandler(handlerOptions('record-failure'))),
      notify: asLocal('notify', createNotifyHandler(handlerOptions('notify'))),
    };
    const definitions = await synthesizeFlowDefinitions({ cacheDir: join(repoRoot, 'node_modules', '.cache', 'podreach') });
    const runner = new LocalFlowRunner({ handlers, definitions, summarize: (input, error) => summarizeExecution({ ...input, ...(error ? { error } : {}) }, deps) });
    return {
      deps,
      runner,
      async notifyRun(runId) {
        const merged = mergeSummaries(runId, collector.drain());
        if (!merged) return [];
        const before = merged.warnings.length;
        const posted = await postSummary(merged, { ...deps, notifier });
        return posted.warnings.slice(before);
      },
      stateDir,
      writeArtifacts(clusterId, flow, artifacts, { prune }) {
        const folder = join(stateDir, 'artifacts', clusterId, flow);
        mkdirSync(folder, { recursive: true });
        const written = artifacts.map((artifact) => {
          const extension = artifact.mediaType === 'application/json' ? 'json' : artifact.mediaType === 'application/yaml' ? 'yaml' : 'txt';
          const fileName = artifact.name.endsWith(`.${extension}`) ? artifact.name : `${artifact.name}.${extension}`;
          writeFileSync(join(folder, fileName), artifact.content);
          return fileName;
        });
        if (prune) for (const file of readdirSync(folder)) if (!written.includes(file)) rmSync(join(folder, file), { force: true });
        return written.map((fileName) => join(folder, fileName));
      },
      close: () => local.close(),
    };
  } catch (error) {
    await local.close();
    throw error;
  }
}
