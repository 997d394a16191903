// The approval policy's table share (maxTablePercent): a target's size is read where the target is, its account
// included, so a peer account's table is judged by its own entries.
import { approvalReasons } from '../../../functions/domain/approval.js';
import type { Change } from '../../../functions/domain/model.js';
import { targetKey } from '../../../functions/domain/planner/identity.js';
import type { TargetRef } from '../../../functions/domain/planner/types.js';

const route = (index: number, account?: string): Change => ({
  id: `chg-${index}`,
  clusterId: 'cls-a',
  flow: 'peering',
  action: 'create',
  provider: 'aws',
  region: 'eu-west-1',
  ...(account ? { account } : {}),
  status: 'planned',
  kind: 'route',
  target: 'rtb-peer',
  cidr: `172.16.${index}.0/24`,
  nextHop: 'pcx-1',
});

const POLICY = { deletes: false, enableConflicting: false, timeoutMinutes: 60, maxTablePercent: 10 };

describe('Function: approvalReasons (maxTablePercent)', () => {
  it("judges a table in a named account by that account's entries", () => {
    // Prepare: 2 changes to a table of 100 entries in account 222233334444, and to the same id in the default account
    const sizes = new Map([[targetKey({ provider: 'aws', region: 'eu-west-1', account: '222233334444', kind: 'route', target: 'rtb-peer' }), 100]]);
    const tableSize = (ref: TargetRef) => sizes.get(targetKey(ref)) ?? 0;
    // Act
    const inAccount = approvalReasons([route(1, '222233334444'), route(2, '222233334444')], POLICY, tableSize);
    const elsewhere = approvalReasons([route(1), route(2)], POLICY, tableSize);
    // Assess: 2% of the peer account's table needs nobody; the default account's empty table is held
    expect(inAccount.size).toBe(0);
    expect([...elsewhere.values()]).toEqual(['2 changes to rtb-peer, 200% of its 0 entries (more than 10%)', '2 changes to rtb-peer, 200% of its 0 entries (more than 10%)']);
  });
});
