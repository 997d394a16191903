// The embedded default: the state store on in-process dynalite (data under --state DIR), the sandbox provider
// (or another adapter with --provider), and the flow state machines synthesized from infra/ running in-process
// on aws-local-stepfunctions, each Task resolved to the same handler code Lambda runs.
import '../adapters/flow-runner/polyfills.js';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { startLocalDynamo } from '../adapters/dynamodb/local-dynamo.js';
import { loadFlowDefinitions } from '../adapters/flow-runner/generated-flow-definitions.js';
import { LocalFlowRunner } from '../adapters/flow-runner/local-flow-runner.js';
import { parseCloudCredentialsFile, type CloudCredentials } from '../adapters/cloud-credentials-schema.js';
import { createProviderRegistry, type ProviderRegistryOptions } from '../adapters/provider-registry.js';
import { parseSandboxFile, seedSandbox } from '../adapters/sandbox/sandbox-file.js';
import { NullNotifier } from '../adapters/slack/null-notifier.js';
import type { AppDeps } from '../application/deps.js';
import { parseProfileText } from '../application/profile-text.js';
import { CollectingNotifier, mergeSummaries, postSummary, summarizeExecution } from '../application/summarize.js';
import { InvalidInputError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import type { Artifact, Flow, ProviderName } from '../domain/model.js';
import { PROVIDER_NAMES } from '../domain/model.js';
import { createApplyChangeHandler } from '../handlers/apply-change.js';
import { createLoadPageHandler } from '../handlers/load-page.js';
import { createApprovalHandler } from '../handlers/approval.js';
import { createNotifyHandler } from '../handlers/notify.js';
import { createPlanFlowHandler } from '../handlers/plan-flow.js';
import { createRecordFailureHandler } from '../handlers/record-failure.js';
import { createLogger } from '../handlers/middleware.js';
import type { FlowRunner } from '../ports/flow-runner.js';
import type { Notifier } from '../ports/notifier.js';
import type { StateStore } from '../ports/state-store.js';
import { readTextFile } from './read-text-file.js';
import { writeArtifactFiles } from './artifact-files.js';
import { noteCreated, stateDirectory } from './state-dir.js';

export interface LocalOptions {
  stateDir: string;
  provider?: string;
  profileFile?: string;
  sandboxFile?: string;
  /**
   * Credentials per cloud and account (`--credentials FILE`, else PODREACH_CREDENTIALS_FILE): the cloud credentials
   * secret's JSON, or the same in YAML (docs/deploy.md). Without it every adapter keeps its own chain.
   */
  credentialsFile?: string;
  /** Endpoint overrides for the cloud adapters (contract servers in tests); default from the environment. */
  endpoints?: ProviderRegistryOptions['endpoints'];
  /**
   * Checks against the opened store before anything is written (the profile, the seed): a refusal closes the
   * store and removes the directories this call created, so a refused run leaves --state as it was.
   */
  check?: (store: StateStore, inputs: LocalInputs) => Promise<void>;
}

export type LocalInputs = ReturnType<typeof readInputs>;

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

export function providerOption(value: string | undefined): ProviderName | undefined {
  if (value === undefined) return 'sandbox';
  if (value === 'event') return undefined;
  if (!(PROVIDER_NAMES as readonly string[]).includes(value)) {
    throw new InvalidInputError('--provider', `unknown provider "${value}" (expected one of: ${PROVIDER_NAMES.join(', ')}, or "event")`);
  }
  return value as ProviderName;
}

/** Parses the files a command names before anything starts, so bad input changes nothing. */
export function readInputs(options: Omit<LocalOptions, 'check'>) {
  return {
    provider: providerOption(options.provider),
    profile: options.profileFile ? parseProfileText(readTextFile(options.profileFile, '--profile', LIMITS.profileBytes), options.profileFile) : undefined,
    sandbox: options.sandboxFile ? parseSandboxFile(readTextFile(options.sandboxFile, '--sandbox', LIMITS.sandboxBytes), options.sandboxFile) : undefined,
    credentials: credentialsOption(options.credentialsFile),
  };
}

/** The credentials file a command names (`--credentials`), else PODREACH_CREDENTIALS_FILE; undefined without either. */
export function credentialsOption(file: string | undefined): CloudCredentials | undefined {
  return credentialsFrom(file ?? process.env.PODREACH_CREDENTIALS_FILE, file ? '--credentials' : 'PODREACH_CREDENTIALS_FILE');
}

function credentialsFrom(file: string | undefined, field: string): CloudCredentials | undefined {
  if (!file) return undefined;
  return parseCloudCredentialsFile(readTextFile(file, field));
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

/** SLACK_WEBHOOK_URL's notifier. The Slack client is imported only when it is set: a run without it never loads it. */
async function notifierFromEnvironment(): Promise<Notifier> {
  if (!process.env.SLACK_WEBHOOK_URL?.trim()) return new NullNotifier();
  const slack = await import('../adapters/slack/slack-notifier.js');
  return slack.createNotifier(slack.webhookUrlFromEnvironment());
}

export async function openLocalRuntime(localOptions: LocalOptions): Promise<LocalRuntime> {
  const options = localOptions;
  const inputs = readInputs(options);
  const stateDir = stateDirectory(options.stateDir);
  const undoCreated = noteCreated(stateDir);
  mkdirSync(stateDir, { recursive: true });
  let local;
  try {
    local = await startLocalDynamo(stateDir);
  } catch (error) {
    undoCreated();
    throw error;
  }
  try {
    const store = local.store;
    if (options.check) {
      try {
        await options.check(store, inputs);
      } catch (error) {
        await local.close();
        undoCreated();
        throw error;
      }
    }
    if (inputs.sandbox) await seedSandbox(store, inputs.sandbox);
    if (inputs.profile) await store.putProfile(inputs.profile);
    const collector = new CollectingNotifier();
    const notifier = await notifierFromEnvironment();
    const deps: AppDeps = {
      store,
      providers: await createProviderRegistry({
        store,
        ...(inputs.provider ? { override: inputs.provider } : {}),
        ...(localOptions.endpoints ? { endpoints: localOptions.endpoints } : {}),
        ...(inputs.credentials ? { credentials: inputs.credentials } : {}),
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
      // locally the approval gate stops the run (the changes stay awaiting approval); `podreach approve` continues
      approval: asLocal('approval', createApprovalHandler({ ...handlerOptions('approval'), stopLocally: true })),
    };
    const definitions = await loadFlowDefinitions();
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
      writeArtifacts: (clusterId, flow, artifacts, { prune }) => writeArtifactFiles(stateDir, clusterId, flow, artifacts, { prune }),
      close: () => local.close(),
    };
  } catch (error) {
    await local.close();
    throw error;
  }
}
