// One process at a time uses a --state directory. The lock is a file created exclusively (O_EXCL) holding the
// holder's pid, host and command: a second process is refused at once with the holder's pid (exit 2 "in use"),
// and a lock whose process is gone (a run killed with kill -9) is taken over at once. LevelDB's own lock on the
// store stays the last guard (local-dynamo.ts).
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { InvalidInputError } from '../../domain/errors.js';
import { processAlive } from '../kit/lease.js';

export const LOCK_FILE = 'podreach.lock';
const TAKEOVER_FILE = 'podreach.lock.takeover';
/** A takeover file older than this was left by a process that died taking over (a window of microseconds). */
const STALE_TAKEOVER_MS = 10_000;

interface LockHolder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export interface StateLock {
  release(): void;
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return undefined;
    return { pid: parsed.pid, host: parsed.host, since: String(parsed.since ?? '?'), command: String(parsed.command ?? '?') };
  } catch {
    return undefined;
  }
}

/** Creates `file` only if it does not exist; false when it does. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function gone(holder: LockHolder): boolean {
  return holder.host === hostname() && holder.pid !== process.pid && !processAlive(holder.pid);
}

function inUse(dir: string, holder: LockHolder | undefined): InvalidInputError {
  const who = holder ? `podreach process ${holder.pid}${holder.host === hostname() ? '' : ` on ${holder.host}`} (since ${holder.since}: ${holder.command})` : 'another podreach process';
  return new InvalidInputError('--state', `${dir} is in use by ${who}; wait for it to finish, or use another --state directory`);
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Takes the lock of a state directory or throws InvalidInputError ("in use", naming the holder). A lock left by a
 * process of this host that no longer runs is taken over: under a second exclusive file, so that two starters
 * that both found the same dead holder cannot both take it over.
 */
export function acquireStateLock(dir: string, command = process.argv.slice(2).join(' ')): StateLock {
  const file = path.join(dir, LOCK_FILE);
  const takeover = path.join(dir, TAKEOVER_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), command: command || 'podreach' };
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(file, content)) return { release: () => releaseIfMine(file) };
    const holder = readHolder(file);
    // a holder still writing its file reads as undefined for a moment: look again
    if (!holder) {
      sleep(10);
      continue;
    }
    if (!gone(holder)) throw inUse(dir, holder);
    if (!createExclusive(takeover, content)) {
      const other = readHolder(takeover);
      const stale = other === undefined || gone(other) || Date.now() - Date.parse(other.since) > STALE_TAKEOVER_MS;
      if (stale) rmSync(takeover, { force: true });
      sleep(10);
      continue;
    }
    try {
      // under the takeover file, the lock is still the dead holder's only if nobody took it over before us
      const still = readHolder(file);
      if (still && still.pid === holder.pid && still.since === holder.since) rmSync(file, { force: true });
    } finally {
      rmSync(takeover, { force: true });
    }
  }
  throw inUse(dir, readHolder(file));
}

function releaseIfMine(file: string): void {
  const holder = readHolder(file);
  if (holder && holder.pid === process.pid && holder.host === hostname()) rmSync(file, { force: true });
}
