// Accounts: each entry a flow desires lives in the account the profile names for its resource (the peer VPC's, a
// network account's gateways, the cluster's route tables), and targets without one keep the keys they always had.
import { profileSpecSchema } from '../../../../functions/domain/profile.js';
import { requiredTargets, targetKey, targetRef } from '../../../../functions/domain/planner/index.js';
import { applyPlan, DX_BGP, plan, spec, tkeFacts, VPN_MANAGED, type World } from './fixtures.js';

const empty = (): World => ({ held: [], ledger: [] });
const PEERING = { connectionId: 'pcx-1', peerVpc: { id: 'vpc-peer', cidr: '10.1.0.0/16', account: '222222222222' }, peerRouteTableIds: ['rtb-peer'] };

describe('Function: targetKey', () => {
  it('keeps the key of a target without an account exactly as before (existing stores keep matching)', () => {
    expect(targetKey({ provider: 'aws', region: 'us-east-1', kind: 'route', target: 'rtb-1' })).toBe('aws|us-east-1|route|rtb-1');
  });

  it('tells the same target id in two accounts apart', () => {
    const ours = targetKey({ provider: 'aws', region: 'us-east-1', kind: 'route', target: 'rtb-1' });
    const peer = targetKey({ provider: 'aws', region: 'us-east-1', account: '222222222222', kind: 'route', target: 'rtb-1' });
    expect(peer).toBe('aws|us-east-1@222222222222|route|rtb-1');
    expect(peer).not.toBe(ours);
  });

  it('targetRef copies the account only when there is one', () => {
    expect(targetRef({ provider: 'aws', region: 'r', kind: 'route', target: 't', account: undefined })).toEqual({ provider: 'aws', region: 'r', kind: 'route', target: 't' });
    expect(Object.keys(targetRef({ provider: 'aws', region: 'r', kind: 'route', target: 't', account: '1' }))).toContain('account');
  });
});

describe('Class: planners with accounts', () => {
  it('peering: routes are planned in the peer VPC\'s account, which the plan reads', () => {
    // Prepare
    const facts = tkeFacts({ provider: 'aws', region: 'us-east-1' });
    const profile = spec({ peering: [PEERING] });

    // Act
    const result = plan(empty(), facts, profile, 'peering');
    const targets = requiredTargets(facts, profile, 'peering', []);

    // Assess
    expect(result.changes.length).toBeGreaterThan(0);
    expect(result.changes.every((change) => change.account === '222222222222' && change.target === 'rtb-peer')).toBe(true);
    expect(targets).toEqual([{ provider: 'aws', region: 'us-east-1', account: '222222222222', kind: 'route', target: 'rtb-peer' }]);
  });

  it('plans no account field at all when the profile names none (plans and keys as before)', () => {
    const result = plan(empty(), tkeFacts(), spec({ peering: [{ ...PEERING, peerVpc: { id: 'vpc-peer', cidr: '10.1.0.0/16' } }], directConnect: [DX_BGP] }), 'peering');
    expect(result.changes.length).toBeGreaterThan(0);
    expect(result.changes.some((change) => 'account' in change)).toBe(false);
  });

  it('direct connect: the gateway\'s prefixes in the network account, the IDC routes in the cluster\'s route tables', () => {
    const profile = spec({ accounts: { cluster: '111111111111', network: '333333333333' }, directConnect: [DX_BGP] });
    const result = plan(empty(), tkeFacts(), profile, 'direct-connect');
    const where = new Set(result.changes.map((change) => `${change.kind} ${change.target} @${change.account ?? '-'}`));
    expect([...where].sort()).toEqual(['dx-prefix dcg-1 @333333333333', 'route rtb-main @111111111111']);
  });

  it('an attachment\'s own account wins over accounts.network', () => {
    const profile = spec({ accounts: { network: '333333333333' }, directConnect: [{ ...DX_BGP, account: '444444444444' }], cloudConnect: [{ id: 'ccn-1' }] });
    expect(plan(empty(), tkeFacts(), profile, 'direct-connect').changes.filter((c) => c.kind === 'dx-prefix').every((c) => c.account === '444444444444')).toBe(true);
    expect(plan(empty(), tkeFacts(), profile, 'cloud-connect').changes.every((c) => c.account === '333333333333')).toBe(true);
  });

  it('vpn: the connection\'s selectors in its account, the cluster\'s routes and subnets in the cluster\'s, the managed far side in its own', () => {
    const profile = spec({ accounts: { cluster: '111111111111' }, vpn: [{ ...VPN_MANAGED, account: '555555555555', opposite: { ...VPN_MANAGED.opposite, account: '666666666666' } }] });
    const result = plan(empty(), tkeFacts(), profile, 'vpn');
    const where = [...new Set(result.changes.map((change) => `${change.kind} ${change.target} @${change.account ?? '-'}`))].sort();
    expect(where).toEqual([
      'route rtb-far @666666666666',
      'route rtb-main @111111111111',
      'subnet-association subnet-a @111111111111',
      'vpn-selector vpnx-1 @555555555555',
      'vpn-selector vpnx-2 @666666666666',
    ]);
  });

  it('a replay in the peer account applies nothing twice, and a removal deletes there', () => {
    // Prepare
    const facts = tkeFacts({ provider: 'aws', region: 'us-east-1' });
    const profile = spec({ peering: [PEERING] });
    const applied = applyPlan(empty(), plan(empty(), facts, profile, 'peering'));

    // Act
    const replay = plan(applied, facts, profile, 'peering');
    const removal = plan(applied, { ...facts, deleted: true }, profile, 'peering');

    // Assess
    expect(replay.changes.every((change) => change.status === 'unchanged')).toBe(true);
    expect(removal.changes.length).toBe(replay.changes.length);
    expect(removal.changes.every((change) => change.action === 'delete' && change.status === 'planned' && change.account === '222222222222')).toBe(true);
  });

  it('refuses an account that is not an id or name, naming the field', () => {
    const parsed = profileSpecSchema.safeParse({ peering: [{ ...PEERING, peerVpc: { ...PEERING.peerVpc, account: 'arn:aws:iam::1:role/x' } }] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['peering', 0, 'peerVpc', 'account']);
  });
});
