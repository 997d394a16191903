// The apply-change use case: idempotent apply, blocked vs failed, resume after a retryable error, and the holding
// each entry podreach makes (intent before the call, claims, release, settling a dead execution's intent).
// The store is the real DynamoDB store on dynalite; the provider is a small fake of our own port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { applyChange } from '../../functions/application/apply-change.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { recordFailure } from '../../functions/application/record-failure.js';
import { EntryConflictError, LeaseHeldError, ThrottlingError, VerificationError } from '../../functions/domain/errors.js';
import { holdingIdentity } from '../../functions/domain/planner/identity.js';
import type { ChangeKind, Holding, LedgerEntry, NetworkEntry, ProviderEntry } from '../../functions/domain/model.js';
import type { NetworkProvider } from '../../functions/ports/network-provider.js';

class FakeProvider implements NetworkProvider {
  readonly name = 'sandbox' as const;
  entries: ProviderEntry[] = [];
  calls: string[] = [];
  failNext: Error[] = [];
  /** Fails after the entry was stored (a lost response). */
  failAfterNext: Error[] = [];
  supports(): boolean {
    return true;
  }
  quotas() {
    return { routesPerTable: 50, rulesPerSecurityGroup: 60, prefixesPerDxGateway: 20, selectorsPerConnection: 10, whitelistEntries: 100 };
  }
  async listEntries(kind: ChangeKind, target: string): Promise<ProviderEntry[]> {
    return this.entries.filter((e) => e.kind === kind && e.target === target);
  }
  async createEntry(entry: NetworkEntry): Promise<ProviderEntry> {
    this.calls.push(`create ${entry.cidr}`);
    const failure = this.failNext.shift();
    if (failure) throw failure;
    const stored = { ...entry, owner: 'podreach' as const };
    if (!this.entries.some((e) => e.kind === entry.kind && e.target === entry.target && e.cidr === entry.cidr)) this.entries.push(stored);
    const lost = this.failAfterNext.shift();
    if (lost) throw lost;
    return stored;
  }
  async updateEntry(entry: NetworkEntry): Promise<ProviderEntry> {
    this.calls.push(`update ${entry.cidr}`);
    this.entries = this.entries.filter((e) => !(e.kind === entry.kind && e.target === entry.target && e.cidr === entry.cidr));
    this.entries.push({ ...entry, owner: 'podreach' });
    return entry;
  }
  async deleteEntry(entry: NetworkEntry): Promise<void> {
    this.calls.push(`delete ${entry.cidr}`);
    this.entries = this.entries.filter((e) => !(e.kind === entry.kind && e.target === entry.target && e.cidr === entry.cidr));
  }
}

describe('Use case: applyChange', () => {
  let dir: string;
  let local: LocalDynamo;
  let provider: FakeProvider;
  let deps: AppDeps;
  let counter = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-apply-'));
    local = await startLocalDynamo(dir);
  });
  afterAll(async () => {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    provider = new FakeProvider();
    deps = { store: local.store, providers: { get: () => provider }, notifier: { notify: async () => undefined }, now: () => new Date('2026-11-20T08:00:00Z') };
  });

  async function planned(overrides: Partial<LedgerEntry> = {}): Promise<LedgerEntry> {
    const row: LedgerEntry = {
      id: `chg-${++counter}`,
      clusterId: 'cls-apply',
      flow: 'vpn',
      kind: 'route',
      action: 'create',
      target: 'rtb-main',
      cidr: `10.${counter}.0.0/16`,
      nextHop: 'vpngw-1',
      provider: 'sandbox',
      region: 'local',
      status: 'planned',
      owned: false,
      attempts: 0,
      updatedAt: '2026-11-20T08:00:00Z',
      ...overrides,
    };
    await local.store.putChange(row);
    return row;
  }

  it('applies a planned create once, marks it owned, and a replay of the task changes nothing', async () => {
    const row = await planned();
    const first = await applyChange({ clusterId: row.clusterId, executionId: 'ex-1', changeId: row.id }, deps);
    const again = await applyChange({ clusterId: row.clusterId, executionId: 'ex-1', changeId: row.id }, deps);
    expect(first.status).toBe('applied');
    expect(again.status).toBe('applied');
    expect(provider.calls).toEqual([`create ${row.cidr}`]);
    const stored = await local.store.getChange(row.clusterId, row.id);
    expect(stored).toMatchObject({ status: 'applied', owned: true, attempts: 1, executionId: 'ex-1' });
  });

  it('records a conflict found at apply time as blocked with the reason, not as a failure', async () => {
    const row = await planned();
    provider.failNext.push(new EntryConflictError('rtb-main already routes it to pcx-9, not created by podreach'));
    const result = await applyChange({ clusterId: row.clusterId, executionId: 'ex-2', changeId: row.id }, deps);
    expect(result).toMatchObject({ status: 'blocked', reason: expect.stringContaining('pcx-9') });
    expect((await local.store.getChange(row.clusterId, row.id))?.owned).toBe(false);
  });

  it('rethrows a retryable error and resumes on the retry without applying twice', async () => {
    const row = await planned();
    provider.failNext.push(new ThrottlingError('slow down'));
    await expect(applyChange({ clusterId: row.clusterId, executionId: 'ex-3', changeId: row.id }, deps)).rejects.toBeInstanceOf(ThrottlingError);
    expect((await local.store.getChange(row.clusterId, row.id))?.status).toBe('applying');
    const retried = await applyChange({ clusterId: row.clusterId, executionId: 'ex-3', changeId: row.id }, deps);
    expect(retried.status).toBe('applied');
    expect(provider.entries.filter((e) => e.cidr === row.cidr)).toHaveLength(1);
    expect((await local.store.getChange(row.clusterId, row.id))?.attempts).toBe(2);
  });

  it('records a VerificationError from the adapter as a failure, and a re-run resumes', async () => {
    const row = await planned();
    provider.failNext.push(new VerificationError('not there after creating it'));
    await expect(applyChange({ clusterId: row.clusterId, executionId: 'ex-4', changeId: row.id }, deps)).rejects.toMatchObject({ name: 'VerificationError' });
    const failed = await recordFailure({ clusterId: row.clusterId, executionId: 'ex-4', changeId: row.id, error: { Error: 'VerificationError', Cause: '{"errorMessage":"not there"}' } }, deps);
    expect(failed).toMatchObject({ status: 'failed', reason: 'VerificationError: not there' });
    // a re-run resumes from failed (another execution: the first one's intent is dead and settled first)
    expect((await applyChange({ clusterId: row.clusterId, executionId: 'ex-5', changeId: row.id }, deps)).status).toBe('applied');
  });

  it('records a cloud-connect route registered disabled beside a rival as blocked with its reason', async () => {
    const row = await planned({ flow: 'cloud-connect', kind: 'cloud-connect-route', target: 'ccn-1', nextHop: 'vpc-demo', enabled: false, reason: 'overlaps 172.16.0.0/12 of vpc-other in ccn-1: registered disabled' });
    const result = await applyChange({ clusterId: row.clusterId, executionId: 'ex-7', changeId: row.id }, deps);
    expect(result).toMatchObject({ status: 'blocked', reason: expect.stringContaining('vpc-other') });
    expect(provider.entries).toHaveLength(1);
    expect((await local.store.getChange(row.clusterId, row.id))?.owned).toBe(true);
  });

  const ref = { provider: 'sandbox' as const, region: 'local', kind: 'route' as const, target: 'rtb-main' };
  const holdingOf = (cidr: string) => local.store.getHolding(ref, holdingIdentity({ kind: 'route', target: 'rtb-main', cidr }));
  async function held(cidr: string, claims: Holding['claims'], extra: Partial<Holding> = {}): Promise<void> {
    const entry = { kind: 'route' as const, target: 'rtb-main', cidr, nextHop: 'vpngw-1' };
    provider.entries.push({ ...entry, owner: 'podreach' });
    await local.store.putHolding(
      { ...ref, identity: holdingIdentity(entry), entry, state: 'present', claims, createdBy: { clusterId: claims[0]!.clusterId, changeId: claims[0]!.changeId }, since: '2026-11-20T07:00:00Z', version: 0, ...extra },
      undefined,
    );
  }
  const claim = (clusterId: string, changeId: string) => ({ clusterId, flow: 'vpn' as const, changeId, since: '2026-11-20T07:00:00Z' });

  it('deletes an entry whose last claim is this one, and closes its holding', async () => {
    const row = await planned({ action: 'delete', cidr: '10.250.0.0/16', owned: true });
    await held('10.250.0.0/16', [claim('cls-apply', row.id)]);
    expect((await applyChange({ clusterId: row.clusterId, executionId: 'ex-8', changeId: row.id }, deps)).status).toBe('applied');
    expect(provider.entries).toHaveLength(0);
    expect((await local.store.getChange(row.clusterId, row.id))?.owned).toBe(false);
    expect(await holdingOf('10.250.0.0/16')).toBeUndefined();
  });

  it('only releases the claim of an entry another cluster still needs: no provider call', async () => {
    const row = await planned({ action: 'delete', cidr: '10.251.0.0/16', owned: true });
    await held('10.251.0.0/16', [claim('cls-apply', row.id), claim('cls-other', 'chg-other')]);
    const result = await applyChange({ clusterId: row.clusterId, executionId: 'ex-9', changeId: row.id }, deps);
    expect(result).toMatchObject({ status: 'unchanged', reason: 'released: still needed by cls-other (vpn)' });
    expect(provider.calls).toEqual([]);
    expect((await holdingOf('10.251.0.0/16'))?.claims.map((c) => c.clusterId)).toEqual(['cls-other']);
  });

  it('writes the intent before the provider call: a lost response leaves it open, and the next execution adopts the entry', async () => {
    // Prepare: the create takes effect, then the task dies (the response was lost and nothing else ran)
    const row = await planned({ cidr: '10.252.0.0/16' });
    provider.failAfterNext.push(new Error('socket hang up'));
    await expect(applyChange({ clusterId: row.clusterId, executionId: 'ex-10', changeId: row.id }, deps)).rejects.toThrow('socket hang up');
    const open = await holdingOf('10.252.0.0/16');
    expect(open).toMatchObject({ state: 'creating', intent: { executionId: 'ex-10', changeId: row.id, attempt: 1 } });

    // Act: a later execution resumes the row (the first one is gone: locally any other execution's intent is dead)
    const resumed = await applyChange({ clusterId: row.clusterId, executionId: 'ex-11', changeId: row.id }, { ...deps, applyingLeaseMs: 0 });

    // Assess: settled (adopted), then made idempotently: one entry, held, claimed by this flow
    expect(resumed.status).toBe('applied');
    expect(provider.entries.filter((e) => e.cidr === '10.252.0.0/16')).toHaveLength(1);
    expect(await holdingOf('10.252.0.0/16')).toMatchObject({ state: 'present', claims: [expect.objectContaining({ clusterId: 'cls-apply' })] });
    expect((await holdingOf('10.252.0.0/16'))?.intent).toBeUndefined();
  });

  it('waits (LeaseHeldError, retried) while another live execution is changing the entry', async () => {
    const row = await planned({ cidr: '10.253.0.0/16' });
    await held('10.253.0.0/16', [claim('cls-other', 'chg-other')], {
      state: 'deleting',
      intent: { action: 'delete', clusterId: 'cls-other', flow: 'vpn', changeId: 'chg-other', executionId: 'ex-live', attempt: 1, at: '2026-11-20T07:59:00Z' },
    });
    await expect(applyChange({ clusterId: row.clusterId, executionId: 'ex-12', changeId: row.id }, deps)).rejects.toBeInstanceOf(LeaseHeldError);
    expect(provider.calls).toEqual([]);
  });
});
