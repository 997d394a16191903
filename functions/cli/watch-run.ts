// `podreach watch` at run time (flags: watch-command.ts).
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { EVENT_SOURCE, type ClusterEvent } from '../../events/schemas.js';
import { InvalidInputError } from '../domain/errors.js';
import { parseWatchConfig, resolveIdentity, type ClusterIdentity, type WatchConfig } from '../domain/node-watch.js';
import { startHealthServer } from '../adapters/kubernetes/health-server.js';
import { LeaseLeaderElector } from '../adapters/kubernetes/leader-election.js';
import { NodeWatcher, type EventSink } from '../adapters/kubernetes/node-watcher.js';
import { readTextFile } from './read-text-file.js';
import type { WatchFlags } from './watch-command.js';

function integerFlag(value: string, flag: string, minimum = 0): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < minimum) throw new InvalidInputError(flag, `expected an integer >= ${minimum}, got "${value}"`);
  return number;
}

function readConfig(path: string): WatchConfig {
  const text = readTextFile(path, '--config');
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new InvalidInputError('--config', `${path}: not YAML or JSON (${(error as Error).message})`);
  }
  return parseWatchConfig(value, path);
}

/** Everything the command needs, validated before anything starts (bad input: exit 2, nothing sent). */
export function resolveWatchInputs(flags: WatchFlags) {
  const config = flags.config ? readConfig(flags.config) : undefined;
  const identity: ClusterIdentity = resolveIdentity(
    config?.cluster,
    {
      clusterId: flags.clusterId,
      provider: flags.provider,
      region: flags.region,
      vpcId: flags.vpcId,
      networkModel: flags.networkModel,
      podCidrs: flags.podCidr,
      serviceCidr: flags.serviceCidr,
      profile: flags.profileName,
    },
  );
  const outputs = [flags.bus !== undefined, flags.state !== undefined, flags.dryRun === true].filter(Boolean).length;
  if (outputs !== 1) throw new InvalidInputError('--bus | --state | --dry-run', 'choose exactly one output');
  const quietMs = flags.batchQuiet !== undefined ? integerFlag(flags.batchQuiet, '--batch-quiet') : (config?.batch?.quietMs ?? 5000);
  const maxDelayMs = flags.batchMax !== undefined ? integerFlag(flags.batchMax, '--batch-max') : (config?.batch?.maxDelayMs ?? 30_000);
  const labelKeys = flags.labelKey ?? config?.labelKeys;
  const fileName = `${identity.clusterId.replace(/[^A-Za-z0-9._-]/g, '_')}.json`;
  const stateFile = flags.watchState
    ? resolve(flags.watchState)
    : flags.state !== undefined
      ? join(resolve(flags.state), 'watch', fileName)
      : flags.bus !== undefined
        ? resolve('.podreach', 'watch', fileName)
        : undefined;
  return {
    identity,
    selection: labelKeys ? { labelKeys } : {},
    timing: { quietMs, maxDelayMs },
    stateFile,
    healthPort: integerFlag(flags.healthPort, '--health-port'),
    ...(flags.watchTimeout !== undefined ? { watchTimeoutSeconds: integerFlag(flags.watchTimeout, '--watch-timeout', 1) } : {}),
  };
}

function loadKubeConfig(flags: WatchFlags): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (flags.kubeconfig) kubeConfig.loadFromFile(flags.kubeconfig);
    else kubeConfig.loadFromDefault();
    if (flags.context) kubeConfig.setCurrentContext(flags.context);
  } catch (error) {
    throw new InvalidInputError('--kubeconfig', (error as Error).message);
  }
  if (!kubeConfig.getCurrentCluster()) throw new InvalidInputError('--kubeconfig', 'no current cluster (pass --kubeconfig or --context, or run in a pod)');
  return kubeConfig;
}

/** The EventBridge envelope of an event, as `podreach emit` reads it. */
export function toEnvelope(event: ClusterEvent) {
  return { source: EVENT_SOURCE, 'detail-type': event.detailType, detail: event.detail };
}

const log = (message: string) => process.stderr.write(`podreach watch: ${message}\n`);

export async function watchCommand(flags: WatchFlags): Promise<number> {
  const inputs = resolveWatchInputs(flags);
  const kubeConfig = loadKubeConfig(flags);
  const cleanups: Array<() => Promise<void>> = [];
  let sink: EventSink;
  if (flags.dryRun) {
    sink = {
      send: async (events) => {
        for (const event of events) process.stdout.write(`${JSON.stringify(toEnvelope(event))}\n`);
      },
    };
  } else if (flags.bus !== undefined) {
    const busName = flags.bus;
    const { EventBridgeClient } = await import('@aws-sdk/client-eventbridge');
    const { EventEmitter } = await import('../adapters/eventbridge/emitter.js');
    const { awsPreflight } = await import('./aws-commands.js');
    // as `podreach emit`: region, credentials and the endpoint are checked before anything is watched (exit 2)
    const client = new EventBridgeClient(await awsPreflight('events', { ...(flags.busRegion ? { region: flags.busRegion } : {}), ...(flags.awsProfile ? { awsProfile: flags.awsProfile } : {}) }));
    const emitter = new EventEmitter({ client });
    cleanups.push(async () => client.destroy());
    sink = {
      send: async (events) => {
        for (const event of events) await emitter.put(event, busName);
      },
    };
  } else {
    // only --state runs the local pipeline: --bus and --dry-run do not load it
    const [{ ingestEvent }, { exitCodeOf, runEventReport }, { openLocalRuntime }, { renderTable }] = await Promise.all([
      import('../application/ingest-event.js'),
      import('./commands.js'),
      import('./local-runtime.js'),
      import('./report.js'),
    ]);
    const runtime = await openLocalRuntime({
      stateDir: flags.state ?? '.podreach',
      ...(flags.adapter ? { provider: flags.adapter } : {}),
      ...(flags.profile ? { profileFile: flags.profile } : {}),
      ...(flags.sandbox ? { sandboxFile: flags.sandbox } : {}),
    });
    cleanups.push(() => runtime.close());
    sink = {
      // One run per batch: the batch's events are folded into the facts first, and the flows run once, with
      // the last event, on the facts they all made (`podreach run` of each event would run them per event).
      send: async (events) => {
        const last = events.at(-1);
        if (!last) return;
        for (const event of events.slice(0, -1)) await ingestEvent(event, runtime.deps);
        const report = await runEventReport(runtime, last, flags.json);
        process.stdout.write(`${flags.json ? JSON.stringify(report) : renderTable(report)}\n`);
        if (exitCodeOf(report) !== 0) log(`the batch's run reported failures (recorded; the next run resumes them)`);
      },
    };
  }

  let elector: LeaseLeaderElector | undefined;
  let watcher: NodeWatcher | undefined;
  let stopping = false;
  let exitCode = 0;
  const stopSignal = new AbortController();
  const stopped = new Promise<void>((resolveStopped) => stopSignal.signal.addEventListener('abort', () => resolveStopped(), { once: true }));
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    stopSignal.abort();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    stop(0);
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  const health = await startHealthServer({
    host: flags.healthAddress,
    port: inputs.healthPort,
    status: () => {
      const status = watcher?.status();
      const leading = elector ? elector.leading : true;
      // A standby candidate is ready: it takes over when the leader goes.
      const ready = !leading ? true : Boolean(status?.synced && status.sent);
      return { live: !stopping, ready, leader: leading, ...(status ?? { synced: false }) };
    },
  });
  log(`health on ${health.url} (/healthz, /readyz)`);

  try {
    if (flags.leaderElect) {
      elector = new LeaseLeaderElector({
        kubeConfig,
        namespace: flags.leaseNamespace ?? process.env.POD_NAMESPACE ?? (kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace || 'default'),
        name: flags.leaseName,
        identity: flags.leaseIdentity ?? process.env.POD_NAME ?? hostname(),
        log,
      });
      if (!(await elector.acquire(stopSignal.signal))) return 0;
      log(`leading (lease ${flags.leaseName})`);
      elector.keepRenewing((reason) => {
        log(`lost leadership: ${reason}`);
        stop(1);
      });
    }
    watcher = new NodeWatcher({
      kubeConfig,
      identity: inputs.identity,
      selection: inputs.selection,
      timing: inputs.timing,
      sink,
      ...(inputs.stateFile ? { stateFile: inputs.stateFile } : {}),
      ...(inputs.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: inputs.watchTimeoutSeconds } : {}),
      log,
    });
    log(`watching the nodes of cluster ${inputs.identity.clusterId} on ${kubeConfig.getCurrentCluster()?.server ?? '?'}`);
    await Promise.race([watcher.start(), stopped]);
    if (!stopping) log('synced');
    await stopped;
    return exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    await watcher?.stop().catch((error: unknown) => log(`final batch not sent: ${(error as Error).message}`));
    await elector?.release();
    await health.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}
