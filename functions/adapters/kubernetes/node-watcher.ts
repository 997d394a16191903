// `podreach watch` at run time: the node informer feeds a batch timer; each batch recomputes the cluster view
// from the informer's cache, sends the events that take podreach from the last sent view to it (nothing when
// nothing podreach uses changed), and saves the resume point. What to send and when is decided by the pure
// functions of functions/domain/node-watch.ts; this class only holds the timers, the informer and the files.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterEvent } from '../../../events/schemas.js';
import {
  backoffDelay,
  buildView,
  diffViews,
  flushAt,
  noteChange,
  type BatchTiming,
  type ClusterIdentity,
  type ClusterView,
  type NodeObject,
  type NodeSelection,
  type PendingChanges,
} from '../../domain/node-watch.js';
import { NodeInformer } from './node-informer.js';
import { readWatchState, writeWatchState } from './watch-state.js';

/** Where a batch of events goes: the bus, the local pipeline, or stdout. */
export interface EventSink {
  /** Sends the events in order; throws when they were not (all) taken, and the batch is retried. */
  send(events: ClusterEvent[]): Promise<void>;
}

export interface NodeWatcherOptions {
  kubeConfig: KubeConfig;
  identity: ClusterIdentity;
  selection?: NodeSelection;
  timing: BatchTiming;
  sink: EventSink;
  /** Resume point and last sent view; undefined: nothing is kept (every start sends the whole view once). */
  stateFile?: string;
  now?: () => Date;
  log?: (message: string) => void;
  informerBackoff?: { baseMs: number; maxMs: number };
  sendBackoff?: { baseMs: number; maxMs: number };
  /** What each watch asks the API server to end it after; a watch silent past it (and a grace) is restarted. */
  watchTimeoutSeconds?: number;
}

export interface WatcherStatus {
  clusterId: string;
  synced: boolean;
  connected: boolean;
  /** The last batch was sent (or needed nothing). */
  sent: boolean;
  resourceVersion: string;
  nodes: number;
  batches: number;
  eventsSent: number;
  lists: number;
  waiting?: string;
  lastError?: string;
}

export class NodeWatcher {
  readonly #options: NodeWatcherOptions;
  readonly #now: () => Date;
  readonly #log: (message: string) => void;
  #informer: NodeInformer | undefined;
  #emitted: ClusterView | undefined;
  #pending: PendingChanges | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #sendAttempt = 0;
  #synced = false;
  #sent = true;
  #stopped = false;
  #batches = 0;
  #eventsSent = 0;
  #waiting: string | undefined;
  #lastError: string | undefined;

  constructor(options: NodeWatcherOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? (() => undefined);
  }

  /** Loads the resume point, lists (or resumes) and watches; the first batch is sent at once, not after the window. */
  async start(): Promise<void> {
    const { identity, stateFile } = this.#options;
    const saved = stateFile ? readWatchState(stateFile, identity.clusterId) : undefined;
    this.#emitted = saved?.emitted;
    this.#informer = new NodeInformer({
      kubeConfig: this.#options.kubeConfig,
      ...(saved && saved.resourceVersion ? { resume: { resourceVersion: saved.resourceVersion, nodes: saved.nodes } } : {}),
      onChange: () => this.#changed(),
      onError: (error, retryInMs) => {
        this.#lastError = describe(error);
        this.#log(`watch error: ${this.#lastError}; retrying in ${retryInMs} ms`);
      },
      ...(this.#options.informerBackoff ? { backoff: this.#options.informerBackoff } : {}),
      ...(this.#options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: this.#options.watchTimeoutSeconds } : {}),
    });
    if (saved) this.#log(`resuming cluster ${identity.clusterId} from resourceVersion ${saved.resourceVersion || '(none)'}`);
    if (!(await this.#informer.start())) return;
    this.#synced = true;
    this.#pending = undefined;
    clearTimeout(this.#timer);
    await this.flush();
  }

  #changed(): void {
    if (!this.#synced || this.#stopped) return;
    this.#pending = noteChange(this.#pending, this.#now().getTime());
    this.#schedule(flushAt(this.#pending, this.#options.timing) - this.#now().getTime());
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.flush().catch((error: unknown) => {
        this.#lastError = describe(error);
        this.#log(`batch not built: ${this.#lastError}`);
      });
    }, Math.max(0, delayMs));
  }

  /** Sends what changed since the last batch (nothing when nothing podreach uses changed) and saves the resume point. */
  async flush(): Promise<void> {
    if (this.#flushing) {
      // A change during a send is picked up by the next batch.
      await this.#flushing;
      return;
    }
    this.#flushing = this.#flushOnce().finally(() => {
      this.#flushing = undefined;
    });
    await this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const informer = this.#informer;
    if (!informer) return;
    clearTimeout(this.#timer);
    this.#pending = undefined;
    // One synchronous snapshot: the nodes, their resourceVersion and the view agree.
    const nodes = informer.nodes().map((node) => node as NodeObject);
    const resourceVersion = informer.resourceVersion();
    const view = buildView(this.#options.identity, nodes, this.#options.selection);
    const occurredAt = this.#now().toISOString();
    const diff = diffViews(this.#emitted, view, occurredAt);
    if (diff.waiting !== this.#waiting && diff.waiting) this.#log(diff.waiting);
    this.#waiting = diff.waiting;
    if (diff.events.length > 0) {
      try {
        await this.#options.sink.send(diff.events);
      } catch (error) {
        this.#sent = false;
        this.#lastError = describe(error);
        const delay = backoffDelay(this.#sendAttempt, this.#options.sendBackoff ?? { baseMs: 1000, maxMs: 60_000 }, Math.random());
        this.#sendAttempt += 1;
        this.#log(`sending ${diff.events.length} event(s) failed: ${this.#lastError}; retrying in ${delay} ms`);
        // Keep the batch pending: the retry recomputes it from the cache, so later changes join it.
        this.#pending = noteChange(undefined, this.#now().getTime());
        if (!this.#stopped) this.#schedule(delay);
        return;
      }
      this.#batches += 1;
      this.#eventsSent += diff.events.length;
      this.#log(`sent ${diff.events.length} event(s): ${diff.events.map((event) => event.detailType).join(', ')}`);
    }
    this.#sendAttempt = 0;
    this.#sent = true;
    this.#emitted = diff.emitted;
    if (this.#options.stateFile) {
      writeWatchState(this.#options.stateFile, { clusterId: this.#options.identity.clusterId, resourceVersion, nodes, emitted: this.#emitted, savedAt: occurredAt });
    }
  }

  status(): WatcherStatus {
    return {
      clusterId: this.#options.identity.clusterId,
      synced: this.#synced,
      connected: this.#informer?.connected ?? false,
      sent: this.#sent,
      resourceVersion: this.#informer?.resourceVersion() ?? '',
      nodes: this.#informer?.nodes().length ?? 0,
      batches: this.#batches,
      eventsSent: this.#eventsSent,
      lists: this.#informer?.lists ?? 0,
      ...(this.#waiting ? { waiting: this.#waiting } : {}),
      ...(this.#lastError ? { lastError: this.#lastError } : {}),
    };
  }

  /** Stops watching and sends what is still pending (one attempt), so a clean shutdown loses nothing it saw. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#informer?.stop();
    if (this.#flushing) await this.#flushing;
    if (this.#synced && (this.#pending || !this.#sent)) await this.flush();
    clearTimeout(this.#timer);
  }
}

/** One line: client-node's ApiException puts the whole response (body, headers) in its message. */
function describe(error: unknown): string {
  const api = error as { code?: unknown; body?: unknown };
  if (typeof api.code === 'number' && api.body !== undefined) {
    let reason = '';
    try {
      const status = JSON.parse(String(api.body)) as { message?: string; reason?: string };
      reason = [status.reason, status.message].filter(Boolean).join(': ');
    } catch {
      reason = String(api.body).slice(0, 200);
    }
    return `HTTP ${api.code}${reason ? ` ${reason}` : ''}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  const status = error as { code?: unknown; statusCode?: unknown };
  return `error ${String(status.code ?? status.statusCode ?? error)}`;
}
