// The pure rules of shared ownership: settling an intent a dead execution left, live intents, migrating ledger rows
// of earlier versions, and the diff's claim / release decisions.
import { intentIsLive, legacyHoldings, settleIntent } from '../../../functions/domain/holdings.js';
import type { Holding, LedgerEntry, ProviderEntry } from '../../../functions/domain/model.js';
import { holdingIdentity } from '../../../functions/domain/planner/identity.js';
import { applyPlan, plan, spec, tkeFacts, type World } from './planner/fixtures.js';

const entry = { kind: 'route' as const, target: 'rtb-main', cidr: '10.20.0.0/16', nextHop: 'vpngw-1' };
const intent = { action: 'create' as const, clusterId: 'cls-a', flow: 'vpn' as const, changeId: 'chg-00000000000000aa', executionId: 'ex-dead', attempt: 1, at: '2026-11-20T08:00:00Z' };
const holding = (overrides: Partial<Holding> = {}): Holding => ({
  provider: 'tencent',
  region: 'ap-guangzhou',
  kind: 'route',
  target: 'rtb-main',
  identity: holdingIdentity(entry),
  entry,
  state: 'creating',
  claims: [{ clusterId: 'cls-a', flow: 'vpn', changeId: intent.changeId, since: intent.at }],
  intent,
  createdBy: { clusterId: 'cls-a', changeId: intent.changeId },
  since: intent.at,
  version: 3,
  ...overrides,
});
const current = (overrides: Partial<ProviderEntry> = {}): ProviderEntry => ({ ...entry, owner: 'podreach', ...overrides });

describe('Function: settleIntent', () => {
  it('adopts an entry a dead create made (its mark, or the value asked for)', () => {
    const adopted = settleIntent(holding(), current({ description: 'podreach:cls-a:chg-00000000000000aa' }));
    expect(adopted).toMatchObject({ state: 'present' });
    expect(adopted).not.toHaveProperty('intent');
    expect(settleIntent(holding(), { ...entry })).toMatchObject({ state: 'present' });
  });

  it('forgets a create that did not happen, or whose place someone else took', () => {
    expect(settleIntent(holding(), undefined)).toBeUndefined();
    expect(settleIntent(holding(), current({ nextHop: 'pcx-9', owner: 'foreign', description: 'made by hand' }))).toBeUndefined();
  });

  it('keeps an entry a dead delete did not remove, with its claims; forgets one it did', () => {
    const deleting = holding({ state: 'deleting', intent: { ...intent, action: 'delete' } });
    expect(settleIntent(deleting, current())).toMatchObject({ state: 'present', claims: deleting.claims });
    expect(settleIntent(deleting, undefined)).toBeUndefined();
  });

  it('takes the new value of an update that happened, keeps the old one of one that did not', () => {
    const updating = holding({ state: 'updating', intent: { ...intent, action: 'update', entry: { ...entry, nextHop: 'vpngw-2' } } });
    expect(settleIntent(updating, current({ nextHop: 'vpngw-2' }))?.entry.nextHop).toBe('vpngw-2');
    expect(settleIntent(updating, current())?.entry.nextHop).toBe('vpngw-1');
  });
});

describe('Function: intentIsLive', () => {
  const now = Date.parse('2026-11-20T08:05:00Z');
  it('is live for another execution within the lease, dead after it, when abandoned, and never for the same execution', () => {
    expect(intentIsLive(intent, 'ex-other', now, 15 * 60_000)).toBe(true);
    expect(intentIsLive(intent, 'ex-other', now, 60_000)).toBe(false);
    expect(intentIsLive({ ...intent, abandoned: true }, 'ex-other', now, 15 * 60_000)).toBe(false);
    expect(intentIsLive(intent, 'ex-dead', now, 15 * 60_000)).toBe(false);
  });
});

describe('Function: legacyHoldings', () => {
  const row: LedgerEntry = { id: 'chg-00000000000000bb', clusterId: 'cls-a', flow: 'vpn', action: 'create', provider: 'tencent', region: 'ap-guangzhou', status: 'applied', ...entry, owned: true, attempts: 1, updatedAt: '2026-11-01T00:00:00Z' };
  it('makes a holding for an owned row of an earlier version whose entry is still there', () => {
    expect(legacyHoldings([row], new Map(), () => current(), 'now')).toEqual([
      expect.objectContaining({ state: 'present', claims: [expect.objectContaining({ clusterId: 'cls-a', flow: 'vpn' })], version: 0 }),
    ]);
  });
  it('makes none for a row whose entry is gone or changed, nor for rows holdings already track', () => {
    expect(legacyHoldings([row], new Map(), () => undefined, 'now')).toEqual([]);
    expect(legacyHoldings([row], new Map(), () => current({ nextHop: 'pcx-9' }), 'now')).toEqual([]);
    expect(legacyHoldings([{ ...row, viaHolding: true }], new Map(), () => current(), 'now')).toEqual([]);
  });
});

describe('Function: planFlow (shared ownership)', () => {
  const profile = spec({ vpn: [{ connectionId: 'vpnx-1', gatewayId: 'vpngw-1', remoteCidrs: ['10.20.0.0/16'], routeTableIds: ['rtb-main'] }] });
  const one = tkeFacts({ clusterId: 'cls-a', podCidrs: ['172.16.0.0/16'] });
  const two = tkeFacts({ clusterId: 'cls-b', podCidrs: ['172.24.0.0/16'] });
  const empty: World = { held: [], ledger: [] };

  it('claims, without a provider call, what podreach made for another cluster', () => {
    // Prepare
    const afterA = applyPlan(empty, plan(empty, one, profile, 'vpn'));

    // Act
    const forB = plan(afterA, two, profile, 'vpn');

    // Assess
    expect(forB.changes.find((c) => c.kind === 'route' && c.target === 'rtb-main')).toMatchObject({ status: 'unchanged', reason: 'claimed: podreach made it for cls-a (vpn)' });
  });

  it('releases, without a provider call, what another live cluster still claims; deletes with the last claim', () => {
    // Prepare
    const afterA = applyPlan(empty, plan(empty, one, profile, 'vpn'));
    const afterB = applyPlan(afterA, plan(afterA, two, profile, 'vpn'));

    // Act
    const deleteA = plan(afterB, { ...one, deleted: true }, profile, 'vpn');
    const afterDeleteA = applyPlan(afterB, deleteA);
    const deleteB = plan(afterDeleteA, { ...two, deleted: true }, profile, 'vpn');

    // Assess
    expect(deleteA.changes.find((c) => c.kind === 'route' && c.target === 'rtb-main')).toMatchObject({ action: 'delete', status: 'unchanged', reason: 'released: still needed by cls-b (vpn)' });
    expect(afterDeleteA.held.some((e) => e.target === 'rtb-main' && e.cidr === '10.20.0.0/16')).toBe(true);
    expect(deleteB.changes.find((c) => c.kind === 'route' && c.target === 'rtb-main')).toMatchObject({ action: 'delete', status: 'planned' });
  });

  it('never changes the value of an entry podreach holds for another cluster', () => {
    // Prepare: cluster A's route to vpngw-1; B's profile wants vpngw-9 for the same destination
    const afterA = applyPlan(empty, plan(empty, one, profile, 'vpn'));
    const other = spec({ vpn: [{ connectionId: 'vpnx-1', gatewayId: 'vpngw-9', remoteCidrs: ['10.20.0.0/16'], routeTableIds: ['rtb-main'] }] });

    // Act
    const forB = plan(afterA, two, other, 'vpn');

    // Assess
    expect(forB.changes.find((c) => c.kind === 'route' && c.target === 'rtb-main')).toMatchObject({
      status: 'blocked',
      reason: 'rtb-main already routes 10.20.0.0/16 to vpngw-1, created by podreach and needed by cls-a (vpn)',
    });
  });
});
