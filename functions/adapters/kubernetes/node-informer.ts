// The informer on Node objects: @kubernetes/client-node's ListWatch (list, then watch from the list's
// resourceVersion; on a watch that ends it watches again from the last resourceVersion it saw, on 410 Gone it
// relists and reports the nodes that vanished as deletions). What ListWatch leaves to its caller is added here:
// - bookmarks: ListWatch does not ask for them; the path carries allowWatchBookmarks=true (the Watch keeps the
//   query of the path), so a quiet cluster still advances the resourceVersion and a reconnect rarely meets 410;
// - backoff: ListWatch stops on any other error (it calls the error callbacks and returns); start() again resumes
//   from its resourceVersion, after an exponential delay with jitter;
// - resume across restarts: ListWatch always lists first, so the first "list" hands back the nodes and the
//   resourceVersion saved by the previous run; the watch then resumes from there, and a 410 relists for real.
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
}

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
    this.#listWatch = new ListWatch<V1Node>(`${NODES_PATH}?allowWatchBookmarks=true`, new Watch(options.kubeConfig), list, false);
    for (const verb of ['add', 'update', 'delete'] as const) this.#listWatch.on(verb, () => options.onChange());
    this.#listWatch.on('connect', () => options.onConnect?.());
    this.#listWatch.on('error', (error) => this.#failed(error));
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
    if (this.#stopped) return;
    const random = this.#options.random ?? Math.random;
    const delay = backoffDelay(this.#attempt, this.#options.backoff ?? { baseMs: 500, maxMs: 30_000 }, random());
    this.#attempt += 1;
    this.#options.onError?.(error, delay);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
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
    this.#onSynced?.(false);
    this.#onSynced = undefined;
    await this.#listWatch.stop();
  }
}
