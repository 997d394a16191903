// The informer on Node objects: @kubernetes/client-node's ListWatch (list, then watch from the list's
// resourceVersion; on a watch that ends it watches again from the last resourceVersion it saw, on 410 Gone it
// relists and reports the nodes that vanished as deletions). What ListWatch leaves to its caller is added here:
// - bookmarks: ListWatch does not ask for them; the path carries allowWatchBookmarks=true (the Watch keeps the
//   query of the path), so a quiet cluster still advances the resourceVersion and a reconnect rarely meets 410;
// - backoff: ListWatch stops on any other error (it calls the error callbacks and returns); start() again resumes
//   from its resourceVersion, after an exponential delay with jitter;
// - resume across restarts: ListWatch always lists first, so the first "list" hands back the nodes and the
//   resourceVersion saved by the previous run; the watch then resumes from there, and a 410 relists for real;
// - a dead connection: each watch asks the server to end it after `timeoutSeconds` (a random 5–10 minutes by
//   default, as client-go's reflector does), and ListWatch watches again when it ends. A connection that stays open
//   but silent (a peer gone without a FIN, a stalled proxy) would otherwise hold the informer forever: when neither
//   an event, a bookmark nor a new watch came within the timeout and a grace, the watch is aborted and resumed from
//   its resourceVersion after the usual backoff (no relist). Watch's own 30 s TCP keep-alive applies only where the
//   kubeconfig sets an agent, and its request timeout is overwritten in @kubernetes/client-node 1.4.
import { CoreV1Api, KubeConfig, ListWatch, Watch, type KubernetesListObject, type V1Node } from '@kubernetes/client-node';
import { backoffDelay, type NodeObject } from '../../domain/node-watch.js';

export const NODES_PATH = '/api/v1/nodes';

export interface ResumePoint {
  resourceVersion: string;
  nodes: NodeObject[];
}

export interface NodeInformerOptions {
  kubeConfig: KubeConfig;
  /** What a previous run saw last; undefined: list. */
  resume?: ResumePoint;
  /** Called on every add / update / delete the informer reports (the caller recomputes its view). */
  onChange: () => void;
  /** Each list + watch (re)connection. */
  onConnect?: () => void;
  /** An error the informer stopped on; it restarts after `retryInMs`. */
  onError?: (error: unknown, retryInMs: number) => void;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  /** What each watch asks the server (timeoutSeconds); default a random 300–599 s. */
  watchTimeoutSeconds?: number;
}

/** The watch connection stayed silent past its timeout and grace: it is taken as dead and restarted. */
export class WatchStalledError extends Error {
  override readonly name = 'WatchStalledError';
}

/** How long past the watch's timeout a connection may stay silent: half the timeout, at most 30 s. */
export function stallGraceMs(timeoutSeconds: number): number {
  return Math.min(30_000, timeoutSeconds * 500);
}

/** A Watch that reports every line it receives (events and bookmarks alike) as a sign of life. */
class HeardWatch extends Watch {
  constructor(
    kubeConfig: KubeConfig,
    private readonly heard: () => void,
  ) {
    super(kubeConfig);
  }

  override watch(...[path, query, callback, done]: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    return super.watch(path, query, (phase, object, raw) => {
      this.heard();
      callback(phase, object, raw);
    }, done);
  }
}

const isAbort = (error: unknown) => error instanceof Error && error.name === 'AbortError';

export class NodeInformer {
  readonly #listWatch: ListWatch<V1Node>;
  readonly #options: NodeInformerOptions;
  #resume: ResumePoint | undefined;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #connected = false;
  #lists = 0;
  #onSynced: ((synced: boolean) => void) | undefined;
  readonly #timeoutSeconds: number;
  #watchdog: NodeJS.Timeout | undefined;
  /** A restart is scheduled: the abort of the watch it replaces is not another failure. */
  #restarting = false;

  constructor(options: NodeInformerOptions) {
    this.#options = options;
    this.#resume = options.resume;
    const core = options.kubeConfig.makeApiClient(CoreV1Api);
    const list = async (): Promise<KubernetesListObject<V1Node>> => {
      const resume = this.#resume;
      this.#resume = undefined;
      if (resume) return { apiVersion: 'v1', kind: 'NodeList', metadata: { resourceVersion: resume.resourceVersion }, items: resume.nodes as V1Node[] };
      this.#lists += 1;
      return core.listNode();
    };
    this.#timeoutSeconds = options.watchTimeoutSeconds ?? 300 + Math.floor((options.random ?? Math.random)() * 300);
    const path = `${NODES_PATH}?allowWatchBookmarks=true&timeoutSeconds=${this.#timeoutSeconds}`;
    this.#listWatch = new ListWatch<V1Node>(path, new HeardWatch(options.kubeConfig, () => this.#arm()), list, false);
    for (const verb of ['add', 'update', 'delete'] as const) this.#listWatch.on(verb, () => options.onChange());
    this.#listWatch.on('connect', () => {
      this.#arm();
      options.onConnect?.();
    });
    this.#listWatch.on('error', (error) => {
      if (this.#restarting && isAbort(error)) return;
      this.#failed(error);
    });
  }

  /** What each watch asks the server to end it after (seconds). */
  get watchTimeoutSeconds(): number {
    return this.#timeoutSeconds;
  }

  /** Something was heard (a new watch, an event, a bookmark): the connection is alive for another timeout + grace. */
  #arm(): void {
    clearTimeout(this.#watchdog);
    if (this.#stopped) return;
    const silentMs = this.#timeoutSeconds * 1000 + stallGraceMs(this.#timeoutSeconds);
    this.#watchdog = setTimeout(() => {
      if (this.#stopped) return;
      const error = new WatchStalledError(`nothing heard for ${Math.round(silentMs / 1000)} s though the watch asked the server to end it after ${this.#timeoutSeconds} s: the connection is taken as dead`);
      this.#failed(error);
      void this.#listWatch.stop();
    }, silentMs);
    this.#watchdog.unref?.();
  }

  /**
   * Lists (or resumes) and starts watching. Resolves true once a list and a watch connection succeeded (failed
   * attempts are retried with backoff meanwhile), false when stop() came first: a view is never built from a
   * cache that was not filled.
   */
  async start(): Promise<boolean> {
    this.#stopped = false;
    const synced = new Promise<boolean>((resolve) => {
      this.#onSynced = resolve;
    });
    await this.#run();
    return synced;
  }

  async #run(): Promise<void> {
    let failed = false;
    const onError = () => {
      failed = true;
    };
    this.#listWatch.on('error', onError);
    try {
      await this.#listWatch.start();
    } finally {
      this.#listWatch.off('error', onError);
    }
    if (!failed && !this.#stopped) {
      this.#attempt = 0;
      this.#connected = true;
      this.#onSynced?.(true);
      this.#onSynced = undefined;
    }
  }

  #failed(error: unknown): void {
    this.#connected = false;
    clearTimeout(this.#watchdog);
    if (this.#stopped) return;
    const random = this.#options.random ?? Math.random;
    const backoff = backoffDelay(this.#attempt, this.#options.backoff ?? { baseMs: 500, maxMs: 30_000 }, random());
    // The aborted watch reports its end a moment later, and ListWatch's handler of that end aborts whatever request
    // is current: restart after it, never before.
    const delay = error instanceof WatchStalledError ? Math.max(1000, backoff) : backoff;
    this.#attempt += 1;
    this.#options.onError?.(error, delay);
    clearTimeout(this.#timer);
    this.#restarting = true;
    this.#timer = setTimeout(() => {
      this.#restarting = false;
      if (!this.#stopped) void this.#run();
    }, delay);
  }

  /** The nodes the informer holds now. */
  nodes(): readonly V1Node[] {
    return this.#listWatch.list();
  }

  /** The resourceVersion of the last list, watch event or bookmark ('' before the first list). */
  resourceVersion(): string {
    return this.#listWatch.latestResourceVersion();
  }

  /** true after a successful list + watch connection, until an error. */
  get connected(): boolean {
    return this.#connected;
  }

  /** Real lists made against the API server (not the resume of a saved state). */
  get lists(): number {
    return this.#lists;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#connected = false;
    clearTimeout(this.#timer);
    clearTimeout(this.#watchdog);
    this.#onSynced?.(false);
    this.#onSynced = undefined;
    await this.#listWatch.stop();
  }
}
