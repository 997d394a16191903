// The conformance suite every NetworkProvider adapter must pass (sandbox, aws, tencent, alibaba, huawei).
// An adapter's test file calls `runProviderConformance(name, setup)`; setup builds the adapter against its
// real backend (the sandbox store, moto_server, a contract server) and says which resources to use.
import type { ChangeKind, NetworkEntry, NextHopType, ProviderEntry } from '../../functions/domain/model.js';
import { EntryConflictError, InvalidInputError } from '../../functions/domain/errors.js';
import type { EntryContext, NetworkProvider } from '../../functions/ports/network-provider.js';

export interface ConformanceFixture {
  provider: NetworkProvider;
  /** A route table (or the cloud's equivalent) the suite may change, and two next hops valid in it. */
  routeTableId: string;
  nextHop: { id: string; type: NextHopType };
  otherNextHop: { id: string; type: NextHopType };
  /** Puts an entry into the account behind podreach's back (a foreign entry), through the backend directly. */
  seedForeign(entry: NetworkEntry): Promise<void>;
  /**
   * A replace-style list (whole-list API: SPD selectors, whitelists) when the provider has one: its kind, target,
   * and distinct entries for index i.
   */
  replaceList?: { kind: ChangeKind; target: string; entry(index: number): NetworkEntry };
  /** A security group (or equivalent) for rule tests, when the provider has one. */
  securityGroupId?: string;
  /**
   * Puts a private address into the account behind podreach's back (a network interface, or port, in the
   * security group `securityGroupId`); returns its IP and the groups a read must report.
   */
  seedAddress(): Promise<{ ip: string; securityGroups: string[] }>;
  /** Calls the backend has received that change something (every call but reads): diagnose must make none. */
  mutatingCalls(): number;
  /** Stops servers, deletes temp data. */
  cleanup(): Promise<void>;
}

const context: EntryContext = { clusterId: 'cls-conformance', changeId: 'chg-conformance' };

function sameEntry(a: ProviderEntry, b: NetworkEntry): boolean {
  return a.kind === b.kind && a.target === b.target && a.cidr === b.cidr && (a.peerCidr ?? '') === (b.peerCidr ?? '') && (a.port ?? '') === (b.port ?? '');
}

export function runProviderConformance(name: string, setup: () => Promise<ConformanceFixture>): void {
  describe(`Conformance: ${name} provider`, () => {
    let fixture: ConformanceFixture;
    let cidrCounter = 0;
    // Each test uses its own destination so the tests stay independent on one backend.
    const nextCidr = () => `10.${200 + Math.floor(cidrCounter / 250)}.${cidrCounter++ % 250}.0/24`;

    beforeAll(async () => {
      fixture = await setup();
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    const route = (cidr: string, hop = fixture.nextHop): NetworkEntry => ({
      kind: 'route',
      target: fixture.routeTableId,
      cidr,
      nextHop: hop.id,
      nextHopType: hop.type,
    });

    it('creating the same route twice leaves one entry', async () => {
      const entry = route(nextCidr());
      await fixture.provider.createEntry(entry, context);
      const second = await fixture.provider.createEntry(entry, context);
      expect(second.nextHop).toBe(entry.nextHop);
      const entries = await fixture.provider.listEntries('route', fixture.routeTableId);
      expect(entries.filter((e) => sameEntry(e, entry))).toHaveLength(1);
    });

    it('deleting a missing route succeeds', async () => {
      const entry = route(nextCidr());
      await expect(fixture.provider.deleteEntry(entry, context)).resolves.toBeUndefined();
      const entries = await fixture.provider.listEntries('route', fixture.routeTableId);
      expect(entries.filter((e) => sameEntry(e, entry))).toHaveLength(0);
    });

    it('deleting a route removes it and nothing else', async () => {
      const mine = route(nextCidr());
      const foreign = route(nextCidr(), fixture.otherNextHop);
      await fixture.seedForeign(foreign);
      await fixture.provider.createEntry(mine, context);
      await fixture.provider.deleteEntry(mine, context);
      const entries = await fixture.provider.listEntries('route', fixture.routeTableId);
      expect(entries.filter((e) => sameEntry(e, mine))).toHaveLength(0);
      expect(entries.filter((e) => sameEntry(e, foreign)).map((e) => e.nextHop)).toEqual([foreign.nextHop]);
    });

    it('a foreign route with the same destination is a conflict and stays untouched', async () => {
      const cidr = nextCidr();
      const foreign = route(cidr, fixture.otherNextHop);
      await fixture.seedForeign(foreign);
      await expect(fixture.provider.createEntry(route(cidr), context)).rejects.toBeInstanceOf(EntryConflictError);
      const entries = await fixture.provider.listEntries('route', fixture.routeTableId);
      const same = entries.filter((e) => e.cidr === cidr);
      expect(same).toHaveLength(1);
      expect(same[0]?.nextHop).toBe(fixture.otherNextHop.id);
    });

    it('listing a route table reports the entries it holds with their next hops', async () => {
      const entry = route(nextCidr());
      await fixture.provider.createEntry(entry, context);
      const entries = await fixture.provider.listEntries('route', fixture.routeTableId);
      const found = entries.find((e) => sameEntry(e, entry));
      expect(found).toMatchObject({ kind: 'route', target: fixture.routeTableId, cidr: entry.cidr, nextHop: entry.nextHop });
    });

    it('a replace-style list keeps the entries it did not add', async () => {
      const list = fixture.replaceList;
      if (!list) {
        // The provider has no replace-style API: nothing to check, and the test says so by its assertion.
        expect(fixture.replaceList).toBeUndefined();
        return;
      }
      const foreignA = list.entry(1);
      const foreignB = list.entry(2);
      const mine = list.entry(3);
      await fixture.seedForeign(foreignA);
      await fixture.seedForeign(foreignB);
      await fixture.provider.createEntry(mine, context);
      await fixture.provider.createEntry(mine, context);
      let entries = await fixture.provider.listEntries(list.kind, list.target);
      expect(entries.filter((e) => sameEntry(e, foreignA))).toHaveLength(1);
      expect(entries.filter((e) => sameEntry(e, foreignB))).toHaveLength(1);
      expect(entries.filter((e) => sameEntry(e, mine))).toHaveLength(1);
      await fixture.provider.deleteEntry(mine, context);
      entries = await fixture.provider.listEntries(list.kind, list.target);
      expect(entries.filter((e) => sameEntry(e, mine))).toHaveLength(0);
      expect(entries.filter((e) => sameEntry(e, foreignA))).toHaveLength(1);
      expect(entries.filter((e) => sameEntry(e, foreignB))).toHaveLength(1);
    });

    it('finds who holds an address and its security groups, read-only; an address nobody holds (a suffix of one included) is undefined', async () => {
      // Prepare
      const seeded = await fixture.seedAddress();
      const findAddress = fixture.provider.findAddress?.bind(fixture.provider);
      expect(findAddress).toBeDefined();
      const before = fixture.mutatingCalls();
      // Act
      const found = await findAddress?.(seeded.ip);
      const suffix = await findAddress?.(seeded.ip.slice(1));
      const nobody = await findAddress?.('10.254.254.254');
      // Assess
      expect(found).toMatchObject({ ip: seeded.ip, securityGroups: [...seeded.securityGroups].sort() });
      expect(suffix).toBeUndefined();
      expect(nobody).toBeUndefined();
      await expect(findAddress?.('not-an-address')).rejects.toBeInstanceOf(InvalidInputError);
      expect(fixture.mutatingCalls() - before).toBe(0);
    });

    it('an ingress rule created twice is one rule, and deleting it twice succeeds', async () => {
      const groupId = fixture.securityGroupId;
      if (!groupId) {
        expect(fixture.provider.supports('sg-rule')).toBe(false);
        return;
      }
      const rule: NetworkEntry = { kind: 'sg-rule', target: groupId, cidr: nextCidr(), port: 'tcp:22' };
      await fixture.provider.createEntry(rule, context);
      await fixture.provider.createEntry(rule, context);
      let entries = await fixture.provider.listEntries('sg-rule', groupId);
      expect(entries.filter((e) => sameEntry(e, rule))).toHaveLength(1);
      await fixture.provider.deleteEntry(rule, context);
      await fixture.provider.deleteEntry(rule, context);
      entries = await fixture.provider.listEntries('sg-rule', groupId);
      expect(entries.filter((e) => sameEntry(e, rule))).toHaveLength(0);
    });
  });
}
