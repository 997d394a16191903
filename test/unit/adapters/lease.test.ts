// The kit's lease: a lease whose holder process is gone is taken over at once (locally); a live holder is waited for,
// saying what is waited for and until when, and then LeaseHeldError (retryable).
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { holderGone, withLease } from '../../../functions/adapters/kit/lease.js';
import { LeaseHeldError } from '../../../functions/domain/errors.js';
import { MemoryStateStore } from '../../support/memory-store.js';

/** A pid that has just exited (no process has it). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('Function: withLease', () => {
  const who = { clusterId: 'cls-a', changeId: 'chg-1' };
  const now = () => new Date('2026-11-20T08:00:00Z');

  it('takes over at once a lease whose holder process on this host is gone', async () => {
    // Prepare: a killed run's lease, valid for another 30 s
    const store = new MemoryStateStore();
    const dead = `${hostname()}:${deadPid()}/cls-b/chg-9/abcd`;
    await store.acquireLease('sandbox#vpn-selector#vpnx-1', dead, 30, now());
    const waits: string[] = [];

    // Act
    const result = await withLease(store, 'sandbox#vpn-selector#vpnx-1', who, async () => 'done', { takeOverDeadLocalHolders: true, onWait: (m) => waits.push(m), now });

    // Assess
    expect(holderGone(dead)).toBe(true);
    expect(result).toBe('done');
    expect(waits).toEqual([]);
    expect(await store.getLease('sandbox#vpn-selector#vpnx-1')).toBeUndefined();
  });

  it('waits for a live holder, saying for what and until when, then gives up retryably', async () => {
    // Prepare: held by this very host's parent process (alive)
    const store = new MemoryStateStore();
    await store.acquireLease('sandbox#whitelist-entry#redis:dcs-1', `${hostname()}:${process.ppid}/cls-b/chg-9/abcd`, 30, now());
    const waits: string[] = [];
    let slept = 0;

    // Act
    const attempt = withLease(store, 'sandbox#whitelist-entry#redis:dcs-1', who, async () => 'never', {
      takeOverDeadLocalHolders: true,
      waitMs: 1000,
      onWait: (m) => waits.push(m),
      now: () => new Date(now().getTime() + slept),
      sleep: async (ms) => {
        slept += ms;
      },
    });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(LeaseHeldError);
    expect(waits).toEqual([expect.stringMatching(new RegExp(`^waiting for sandbox#whitelist-entry#redis:dcs-1: held by process ${process.ppid} on .* \\(cluster cls-b, chg-9\\) until 2026-11-20T08:00:30.000Z \\(waiting at most 1 s\\)$`))]);
  });

  it('does not take over a dead holder unless asked (in Lambda pids say nothing)', async () => {
    const store = new MemoryStateStore();
    await store.acquireLease('r', `${hostname()}:${deadPid()}/cls-b/chg-9/abcd`, 30, now());
    await expect(withLease(store, 'r', who, async () => 'never', { now })).rejects.toBeInstanceOf(LeaseHeldError);
  });
});
