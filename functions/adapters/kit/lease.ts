// Leases for whole-list APIs (VPN selectors, whitelists, DX prefix lists): read-modify-write happens under a
// per-resource lease in the state store, so two writers never replace each other's lists. One definition for
// every adapter.
//
// A holder names its host and process ("host:pid/cluster/change/nonce"). A lease whose holder process is gone —
// a run killed mid-apply — is taken over at once where that can be told (local runs: the same host, pid no
// longer alive); otherwise the caller waits, saying what it waits for and until when, or gets LeaseHeldError
// (retryable: Step Functions retries it).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { LeaseHeldError } from '../../domain/errors.js';
import type { StateStore } from '../../ports/state-store.js';

export type LeaseStore = Pick<StateStore, 'acquireLease' | 'releaseLease' | 'getLease'>;

export interface LeaseOptions {
  /** How long a lease lasts if its holder never releases it. Default 60 s. */
  ttlSeconds?: number;
  /** How long to keep trying before LeaseHeldError. Default 0: fail at once and let the caller retry. */
  waitMs?: number;
  /**
   * Take over at once a lease whose holder process on this host is gone. Only where one host's processes are
   * the only holders (a local --state directory); in Lambda, pids say nothing across containers.
   */
  takeOverDeadLocalHolders?: boolean;
  /** Told once when the lease is held by someone else and the caller waits. */
  onWait?: (message: string) => void;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface LeaseHolderOf {
  clusterId: string;
  changeId: string;
}

const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'host';
const HOLDER_PATTERN = /^([A-Za-z0-9.-]+):(\d+)\/(.*)$/;

/** A holder id unique to this call: host, pid, what it is for, a nonce. */
export function leaseHolder(of: LeaseHolderOf): string {
  return `${HOST}:${process.pid}/${of.clusterId}/${of.changeId}/${randomBytes(4).toString('hex')}`;
}

/** Whether a process of this host runs (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** true when the holder is a process of this host that no longer runs. */
export function holderGone(holder: string): boolean {
  const match = HOLDER_PATTERN.exec(holder);
  if (!match || match[1] !== HOST) return false;
  const pid = Number(match[2]);
  return pid !== process.pid && !processAlive(pid);
}

function describeHolder(holder: string): string {
  const match = HOLDER_PATTERN.exec(holder);
  if (!match) return holder;
  const [, host, pid, rest] = match;
  const [clusterId, changeId] = (rest ?? '').split('/');
  return `process ${pid} on ${host}${clusterId ? ` (cluster ${clusterId}${changeId ? `, ${changeId}` : ''})` : ''}`;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` under the lease on `resourceKey`; always releases it. */
export async function withLease<T>(store: LeaseStore, resourceKey: string, of: LeaseHolderOf, work: () => Promise<T>, options: LeaseOptions = {}): Promise<T> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const ttlSeconds = options.ttlSeconds ?? 60;
  const holder = leaseHolder(of);
  const deadline = now().getTime() + (options.waitMs ?? 0);
  let announced = false;
  for (;;) {
    if (await store.acquireLease(resourceKey, holder, ttlSeconds, now())) break;
    const current = await store.getLease(resourceKey);
    if (!current) continue; // released between our two reads
    if (options.takeOverDeadLocalHolders && holderGone(current.holder)) {
      // conditional on that holder: only the dead process's lease is removed
      await store.releaseLease(resourceKey, current.holder);
      continue;
    }
    const remaining = deadline - now().getTime();
    const until = new Date(current.leaseUntilMs).toISOString();
    if (remaining <= 0) {
      throw new LeaseHeldError(`${resourceKey} is being changed by ${describeHolder(current.holder)} (its lease runs until ${until})`);
    }
    if (!announced) {
      announced = true;
      options.onWait?.(`waiting for ${resourceKey}: held by ${describeHolder(current.holder)} until ${until} (waiting at most ${Math.ceil(remaining / 1000)} s)`);
    }
    await sleep(Math.min(remaining, 50 + Math.floor(Math.random() * 200)));
  }
  try {
    return await work();
  } finally {
    await store.releaseLease(resourceKey, holder);
  }
}
