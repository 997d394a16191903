// Plain values for planner tests: the Tencent TKE guide's networks (cluster VPC 192.168.0.0/16, container
// CIDRs 172.16.0.0/16 and 172.20.0.0/16, the IDC 10.0.0.0/16 over Direct Connect, 10.20.0.0/16 behind the VPN),
// and a tiny in-memory provider state that records outcomes the way the application layer does.
import type { ChangeKind, ClusterFacts, Flow, FlowPlan, Holding, LedgerEntry, ProviderEntry, ProviderName } from '../../../../functions/domain/model.js';
import { entryOf, hasClaim, legacyHoldings, otherClaims, withClaim } from '../../../../functions/domain/holdings.js';
import { profileSpecSchema, type ProfileSpec } from '../../../../functions/domain/profile.js';
import { planFlow, requiredTargets, targetKey, targetRef, type PlanContext } from '../../../../functions/domain/planner/index.js';
import type { ProviderQuotas } from '../../../../functions/ports/network-provider.js';
import { holdingIdentity, identityKey } from '../../../../functions/domain/planner/identity.js';

export const QUOTAS: ProviderQuotas = {
  routesPerTable: 50,
  rulesPerSecurityGroup: 60,
  prefixesPerDxGateway: 20,
  selectorsPerConnection: 100,
  whitelistEntries: 100,
};

export function tkeFacts(overrides: Partial<ClusterFacts> = {}): ClusterFacts {
  return {
    clusterId: 'cls-tke',
    provider: 'tencent',
    region: 'ap-guangzhou',
    vpcId: 'vpc-tke',
    networkModel: 'vpc-router',
    podCidrs: ['172.16.0.0/16', '172.20.0.0/16'],
    nodeSubnets: [{ subnetId: 'subnet-a', cidr: '192.168.1.0/24' }],
    nodes: {},
    deleted: false,
    seen: { created: '2026-01-01T00:00:00Z', podCidrs: '2026-01-01T00:00:00Z', nodes: {} },
    ...overrides,
  };
}

export function spec(input: Record<string, unknown>): ProfileSpec {
  return profileSpecSchema.parse({ vpc: { id: 'vpc-tke', cidr: '192.168.0.0/16' }, ...input });
}

export const DX_BGP = { gatewayId: 'dcg-1', routing: 'bgp', idcCidrs: ['10.0.0.0/16'], routeTableIds: ['rtb-main'] };
export const DX_STATIC = { ...DX_BGP, routing: 'static' };
export const VPN_MANAGED = {
  connectionId: 'vpnx-1',
  gatewayId: 'vpngw-1',
  remoteCidrs: ['10.20.0.0/16'],
  routeTableIds: ['rtb-main'],
  subnetIds: ['subnet-a'],
  opposite: { provider: 'tencent', region: 'ap-shanghai', connectionId: 'vpnx-2', gatewayId: 'vpngw-2', routeTableIds: ['rtb-far'] },
};
export const VPN_UNMANAGED = { connectionId: 'vpnx-1', gatewayId: 'vpngw-1', remoteCidrs: ['10.20.0.0/16'], routeTableIds: ['rtb-main'], subnetIds: ['subnet-a'] };

/** What a provider account holds: entries with the account they live in. */
export type Held = ProviderEntry & { provider: ProviderName; region: string; account?: string };

export interface World {
  held: Held[];
  ledger: LedgerEntry[];
  /** podreach's holdings (which entries it made, who claims them); none when absent. */
  holdings?: Holding[];
  unsupported?: ReadonlyArray<[ProviderName, ChangeKind]>;
  quotas?: Partial<ProviderQuotas>;
}

export function contextFor(world: World, facts: ClusterFacts, profile: ProfileSpec, flow: Flow): PlanContext {
  const snapshot = new Map<string, ProviderEntry[]>();
  for (const ref of requiredTargets(facts, profile, flow, world.ledger)) snapshot.set(targetKey(ref), []);
  for (const entry of world.held) {
    const list = snapshot.get(targetKey(entry));
    if (list) list.push(entry);
  }
  const holdings = new Map<string, Map<string, Holding>>();
  const add = (holding: Holding) => {
    const key = targetKey(holding);
    if (!snapshot.has(key)) return;
    if (!holdings.has(key)) holdings.set(key, new Map());
    holdings.get(key)!.set(holding.identity, holding);
  };
  for (const holding of world.holdings ?? []) add(holding);
  // rows of earlier versions (owned, no holding) are migrated as the plan step does
  const current = (row: LedgerEntry) => (snapshot.get(targetKey(row)) ?? []).find((entry) => identityKey(entry) === identityKey(row));
  for (const holding of legacyHoldings(world.ledger.filter((row) => row.flow === flow && row.clusterId === facts.clusterId), holdings, current, '2026-01-01T00:00:00Z')) add(holding);
  return {
    facts,
    profile,
    flow,
    ledger: world.ledger,
    snapshot,
    holdings,
    quotas: () => ({ ...QUOTAS, ...world.quotas }),
    supports: (provider, kind) => !(world.unsupported ?? []).some(([p, k]) => p === provider && k === kind),
  };
}

export function plan(world: World, facts: ClusterFacts, profile: ProfileSpec, flow: Flow): FlowPlan {
  return planFlow(contextFor(world, facts, profile, flow));
}

/** Applies the planned changes of a plan to the world, recording ledger rows and holdings as the application layer does. */
export function applyPlan(world: World, result: FlowPlan): World {
  let held = [...world.held];
  const ledger = new Map(world.ledger.map((row) => [row.id, row]));
  const holdings = new Map((world.holdings ?? []).map((holding) => [`${targetKey(holding)}#${holding.identity}`, holding]));
  for (const change of result.changes) {
    const key = `${targetKey(change)}#${holdingIdentity(change)}`;
    const holding = holdings.get(key);
    const claim = { clusterId: change.clusterId, flow: change.flow, changeId: change.id, since: '2026-01-01T00:00:00Z' };
    const same = (entry: Held) => entry.provider === change.provider && entry.region === change.region && entry.account === change.account && identityKey(entry) === identityKey(change);
    let status = change.status;
    if (change.status === 'planned' && change.action === 'delete') {
      const others = holding ? otherClaims(holding, change.clusterId, change.flow) : [];
      if (others.length > 0) holdings.set(key, { ...holding!, claims: others });
      else {
        held = held.filter((entry) => !same(entry));
        holdings.delete(key);
      }
      status = 'applied';
    } else if (change.status === 'planned') {
      held = held.filter((entry) => !same(entry));
      const { id: _id, clusterId: _c, flow: _f, action: _a, status: _s, reason: _r, ...entry } = change;
      held.push({ ...entry, owner: 'podreach' });
      // as apply-change does: a create makes the entry podreach's (a holding with this claim); an update of an
      // entry podreach holds changes its value; an update of one it does not hold leaves it the cloud's
      if (holding) holdings.set(key, { ...withClaim(holding, claim), entry: entryOf(change) });
      else if (change.action === 'create') {
        holdings.set(key, { ...targetRef(change), identity: holdingIdentity(change), entry: entryOf(change), state: 'present', claims: [claim], createdBy: { clusterId: change.clusterId, changeId: change.id }, since: claim.since, version: 1 });
      }
      status = 'applied';
    } else if (change.status === 'unchanged' && change.action === 'create' && holding && !hasClaim(holding, change.clusterId, change.flow)) {
      holdings.set(key, withClaim(holding, claim));
    } else if (change.status === 'unchanged' && change.action === 'delete' && holding && hasClaim(holding, change.clusterId, change.flow)) {
      const others = otherClaims(holding, change.clusterId, change.flow);
      if (others.length > 0) holdings.set(key, { ...holding, claims: others });
      else holdings.delete(key);
    }
    const after = holdings.get(key);
    const owned = after !== undefined && hasClaim(after, change.clusterId, change.flow);
    ledger.set(change.id, { ...change, status, owned, viaHolding: true, attempts: 1, updatedAt: '2026-01-01T00:00:00Z' });
  }
  return { ...world, held, ledger: [...ledger.values()], holdings: [...holdings.values()] };
}

export function route(routeTableId: string, cidr: string, nextHop: string, extra: Partial<Held> = {}): Held {
  return { provider: 'tencent', region: 'ap-guangzhou', kind: 'route', target: routeTableId, cidr, nextHop, ...extra };
}

export function summary(result: FlowPlan): string[] {
  return result.changes.map(
    (c) => `${c.action} ${c.status} ${c.provider}/${c.region} ${c.kind} ${c.target} ${c.cidr ?? '-'}${c.peerCidr ? ` <-> ${c.peerCidr}` : ''}${c.nextHop ? ` -> ${c.nextHop}` : ''}`,
  );
}
