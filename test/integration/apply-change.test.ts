// The apply-change use case: idempotent apply, verification, blocked vs failed, resume after a retryable error.
// The store is the real DynamoDB store on dynalite; the provider is a small fake of our own port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { applyChange } from '../../functions/application/apply-change.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { recordFailure } from '../../functions/application/record-failure.js';
import { EntryConflictError, ThrottlingError } from '../../functions/domain/errors.js';
import type { ChangeKind, LedgerEntry, NetworkEntry, ProviderEntry } from '../../functions/domain/model.js';
import type { NetworkProvider } from '../../functions/ports/network-provider.js';

class FakeProvider implements NetworkProvider {
  readonly name = 'sandbox' as const;
  entries: ProviderEntry[] = [];
  calls: string[] = [];
  failNext: Error[] = [];
  /** When set, create reports success but stores this entry instead (e.g. a covering selector). */
  storeInstead?: ProviderEntry;
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
    const stored = this.storeInstead ?? { ...entry, owner: 'podreach' as const };
    this.entries.push(stored);
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

  it('fails verification when the entry is not there after applying', async () => {
    const row = await planned();
    provider.storeInstead = { kind: 'route', target: 'rtb-other', cidr: row.cidr!, nextHop: 'vpngw-1' };
    await expect(applyChange({ clusterId: row.clusterId, executionId: 'ex-4', changeId: row.id }, deps)).rejects.toMatchObject({ name: 'VerificationError' });
    const failed = await recordFailure({ clusterId: row.clusterId, executionId: 'ex-4', changeId: row.id, error: { Error: 'VerificationError', Cause: '{"errorMessage":"not there"}' } }, deps);
    expect(failed).toMatchObject({ status: 'failed', reason: 'VerificationError: not there' });
    // a re-run resumes from failed
    provider.storeInstead = undefined;
    expect((await applyChange({ clusterId: row.clusterId, executionId: 'ex-5', changeId: row.id }, deps)).status).toBe('applied');
  });

  it('accepts a traffic selector covered by a wider selector pair', async () => {
    const row = await planned({ kind: 'vpn-selector', target: 'vpn-1', cidr: '172.16.0.0/16', peerCidr: '10.20.0.0/16', nextHop: undefined });
    provider.storeInstead = { kind: 'vpn-selector', target: 'vpn-1', cidr: '172.16.0.0/12', peerCidr: '10.0.0.0/8' };
    expect((await applyChange({ clusterId: row.clusterId, executionId: 'ex-6', changeId: row.id }, deps)).status).toBe('applied');
  });

  it('records a cloud-connect route registered disabled beside a rival as blocked with its reason', async () => {
    const row = await planned({ flow: 'cloud-connect', kind: 'cloud-connect-route', target: 'ccn-1', nextHop: 'vpc-demo', enabled: false, reason: 'overlaps 172.16.0.0/12 of vpc-other in ccn-1: registered disabled' });
    const result = await applyChange({ clusterId: row.clusterId, executionId: 'ex-7', changeId: row.id }, deps);
    expect(result).toMatchObject({ status: 'blocked', reason: expect.stringContaining('vpc-other') });
    expect(provider.entries).toHaveLength(1);
    expect((await local.store.getChange(row.clusterId, row.id))?.owned).toBe(true);
  });

  it('deletes an owned entry and releases ownership', async () => {
    provider.entries.push({ kind: 'route', target: 'rtb-main', cidr: '10.250.0.0/16', nextHop: 'vpngw-1', owner: 'podreach' });
    const row = await planned({ action: 'delete', cidr: '10.250.0.0/16', owned: true });
    expect((await applyChange({ clusterId: row.clusterId, executionId: 'ex-8', changeId: row.id }, deps)).status).toBe('applied');
    expect(provider.entries).toHaveLength(0);
    expect((await local.store.getChange(row.clusterId, row.id))?.owned).toBe(false);
  });
});
