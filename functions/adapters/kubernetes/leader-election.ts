// Leader election on a coordination.k8s.io/v1 Lease, the way client-go's leaderelection does it: a candidate takes
// the Lease when it is free, or when its record has not changed for leaseDurationSeconds by the candidate's own
// clock (no trust in another node's clock); the leader renews it every retryPeriod and gives up leadership when
// it could not renew within renewDeadline. Writes carry the Lease's resourceVersion, so two candidates racing
// for it cannot both win (the loser gets 409 Conflict). @kubernetes/client-node has no elector of its own.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';

export interface LeaderElectionOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** This candidate (the pod name). */
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

export class LeaseLeaderElector {
  readonly #api: CoordinationV1Api;
  readonly #options: Required<Omit<LeaderElectionOptions, 'kubeConfig' | 'log'>> & { log: (message: string) => void };
  #observed: { record: string; at: number } | undefined;
  #renewTimer: NodeJS.Timeout | undefined;
  #lastRenew = 0;
  #leading = false;

  constructor(options: LeaderElectionOptions) {
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
    this.#options = {
      namespace: options.namespace,
      name: options.name,
      identity: options.identity,
      leaseDurationSeconds: options.leaseDurationSeconds ?? 15,
      renewDeadlineMs: options.renewDeadlineMs ?? 10_000,
      retryPeriodMs: options.retryPeriodMs ?? 2_000,
      now: options.now ?? (() => new Date()),
      log: options.log ?? (() => undefined),
    };
  }

  get leading(): boolean {
    return this.#leading;
  }

  /** Waits until this candidate holds the Lease (or `signal` aborts: then false). */
  async acquire(signal?: AbortSignal): Promise<boolean> {
    let announced = false;
    while (!signal?.aborted) {
      if (await this.#tryAcquireOrRenew()) {
        this.#leading = true;
        this.#lastRenew = Date.now();
        return true;
      }
      if (!announced) {
        this.#options.log(`waiting for the lease ${this.#options.namespace}/${this.#options.name}`);
        announced = true;
      }
      await sleep(this.#options.retryPeriodMs, signal);
    }
    return false;
  }

  /** Renews every retryPeriod; calls `onLost` once when renewing failed for longer than renewDeadline. */
  keepRenewing(onLost: (reason: string) => void): void {
    const tick = async () => {
      if (!this.#leading) return;
      const renewed = await this.#tryAcquireOrRenew().catch(() => false);
      if (renewed) this.#lastRenew = Date.now();
      else if (Date.now() - this.#lastRenew > this.#options.renewDeadlineMs) {
        this.#leading = false;
        clearInterval(this.#renewTimer);
        onLost(`could not renew the lease ${this.#options.namespace}/${this.#options.name} within ${this.#options.renewDeadlineMs} ms`);
      }
    };
    this.#renewTimer = setInterval(() => void tick(), this.#options.retryPeriodMs);
  }

  /** Stops renewing and hands the Lease back (holder cleared), so the next candidate need not wait it out. */
  async release(): Promise<void> {
    clearInterval(this.#renewTimer);
    if (!this.#leading) return;
    this.#leading = false;
    try {
      const lease = await this.#api.readNamespacedLease({ name: this.#options.name, namespace: this.#options.namespace });
      if (lease.spec?.holderIdentity !== this.#options.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime(this.#options.now().getTime()) };
      await this.#api.replaceNamespacedLease({ name: this.#options.name, namespace: this.#options.namespace, body: lease });
    } catch {
      // the Lease expires by itself
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationSeconds } = this.#options;
    const now = this.#options.now();
    const microNow = new V1MicroTime(now.getTime());
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (statusCode(error) !== 404) return false;
      try {
        await this.#api.createNamespacedLease({
          namespace,
          body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: microNow, renewTime: microNow, leaseTransitions: 0 } },
        });
        return true;
      } catch {
        return false;
      }
    }
    const spec = lease.spec ?? {};
    const record = JSON.stringify([spec.holderIdentity, spec.renewTime ? new Date(spec.renewTime).getTime() : undefined, spec.leaseDurationSeconds]);
    if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
    const holder = spec.holderIdentity ?? '';
    const heldByOther = holder !== '' && holder !== identity;
    const duration = (spec.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    if (heldByOther && Date.now() - this.#observed.at < duration) return false;
    const taking = holder !== identity;
    lease.spec = {
      ...spec,
      holderIdentity: identity,
      leaseDurationSeconds,
      renewTime: microNow,
      ...(taking ? { acquireTime: microNow, leaseTransitions: (spec.leaseTransitions ?? 0) + (holder === '' && !spec.acquireTime ? 0 : 1) } : {}),
    };
    try {
      await this.#api.replaceNamespacedLease({ name, namespace, body: lease });
      return true;
    } catch {
      // 409: someone else wrote first; anything else: try again next period
      return false;
    }
  }
}
