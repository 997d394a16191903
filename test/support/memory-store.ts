// An in-memory StateStore (a fake of our own port) for fast model-based tests: the same conditional-write rules as
// the DynamoDB store (test/integration/store-contract.test.ts runs one contract against both), with every value
// copied in and out as a table would serialise it. `failWrites` lets a test make the store unreachable (a crash).
import { ConcurrentUpdateError } from '../../functions/domain/errors.js';
import type { Artifact, ClusterFacts, Flow, Holding, LedgerEntry } from '../../functions/domain/model.js';
import { targetKey } from '../../functions/domain/planner/identity.js';
import type { TargetRef } from '../../functions/domain/planner/types.js';
import type { ConnectivityProfile } from '../../functions/domain/profile.js';
import { firstHoldingVersion } from '../../functions/adapters/holding-version.js';
import type { ExecutionRef, LeaseRecord, PlanRecord, StateStore, StoredCluster, StoredDocument } from '../../functions/ports/state-store.js';

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryStateStore implements StateStore {
  private readonly clusters = new Map<string, StoredCluster>();
  private readonly profiles = new Map<string, ConnectivityProfile>();
  private readonly plans: PlanRecord[] = [];
  private readonly changes = new Map<string, Map<string, LedgerEntry>>();
  private readonly holdings = new Map<string, Map<string, Holding>>();
  private readonly artifacts = new Map<string, Map<string, Artifact>>();
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly documents = new Map<string, StoredDocument<unknown>>();
  /** When set, every call throws it (the process died: nothing it does reaches the table any more). */
  failWith: Error | undefined;

  private check(): void {
    if (this.failWith) throw this.failWith;
  }

  async getCluster(clusterId: string): Promise<StoredCluster | undefined> {
    this.check();
    return copy(this.clusters.get(clusterId));
  }

  async putCluster(facts: ClusterFacts, expectedVersion: number | undefined): Promise<number> {
    this.check();
    const current = this.clusters.get(facts.clusterId);
    if ((current?.version ?? undefined) !== expectedVersion) throw new ConcurrentUpdateError(`cluster ${facts.clusterId}: another writer changed it first`);
    const version = (expectedVersion ?? 0) + 1;
    this.clusters.set(facts.clusterId, { facts: copy(facts), version });
    return version;
  }

  async listClusters(): Promise<ClusterFacts[]> {
    this.check();
    return [...this.clusters.values()].map((stored) => copy(stored.facts)).sort((a, b) => a.clusterId.localeCompare(b.clusterId));
  }

  async putProfile(profile: ConnectivityProfile): Promise<void> {
    this.check();
    this.profiles.set(profile.metadata.name, copy(profile));
  }

  async getProfile(name: string): Promise<ConnectivityProfile | undefined> {
    this.check();
    return copy(this.profiles.get(name));
  }

  async listProfiles(): Promise<ConnectivityProfile[]> {
    this.check();
    return [...this.profiles.values()].map(copy).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  async savePlan(plan: PlanRecord): Promise<void> {
    this.check();
    this.plans.push(copy(plan));
  }

  async listPlans(clusterId: string, flow?: Flow): Promise<PlanRecord[]> {
    this.check();
    return this.plans.filter((plan) => plan.clusterId === clusterId && (!flow || plan.flow === flow)).map(copy);
  }

  async getPlan(clusterId: string, flow: Flow, executionId: string): Promise<PlanRecord | undefined> {
    this.check();
    return copy(this.plans.find((plan) => plan.clusterId === clusterId && plan.flow === flow && plan.executionId === executionId));
  }

  private readonly pages = new Map<string, string[]>();

  async saveApplyPages(execution: ExecutionRef, lanes: readonly (readonly (readonly string[])[])[]): Promise<void> {
    this.check();
    lanes.forEach((pages, lane) => pages.forEach((changeIds, page) => this.pages.set(`${execution.clusterId}#${execution.flow}#${execution.executionId}#${lane}#${page}`, [...changeIds])));
  }

  async getApplyPage(execution: ExecutionRef, lane: number, page: number): Promise<string[] | undefined> {
    this.check();
    return copy(this.pages.get(`${execution.clusterId}#${execution.flow}#${execution.executionId}#${lane}#${page}`));
  }

  async getChange(clusterId: string, changeId: string): Promise<LedgerEntry | undefined> {
    this.check();
    return copy(this.changes.get(clusterId)?.get(changeId));
  }

  async putChange(entry: LedgerEntry, expectedStatuses?: ReadonlyArray<LedgerEntry['status'] | 'absent'>): Promise<void> {
    this.check();
    let rows = this.changes.get(entry.clusterId);
    const current = rows?.get(entry.id);
    if (expectedStatuses && expectedStatuses.length > 0) {
      const ok = current ? expectedStatuses.includes(current.status) : expectedStatuses.includes('absent');
      if (!ok) throw new ConcurrentUpdateError(`change ${entry.id} of cluster ${entry.clusterId}: another writer changed it first`);
    }
    if (!rows) this.changes.set(entry.clusterId, (rows = new Map()));
    rows.set(entry.id, copy(entry));
  }

  async listChanges(clusterId: string): Promise<LedgerEntry[]> {
    this.check();
    return [...(this.changes.get(clusterId)?.values() ?? [])].map(copy);
  }

  async listHoldings(ref: TargetRef): Promise<Holding[]> {
    this.check();
    return [...(this.holdings.get(targetKey(ref))?.values() ?? [])].map(copy);
  }

  async getHolding(ref: TargetRef, identity: string): Promise<Holding | undefined> {
    this.check();
    return copy(this.holdings.get(targetKey(ref))?.get(identity));
  }

  async putHolding(holding: Holding, expectedVersion: number | undefined): Promise<number> {
    this.check();
    const key = targetKey(holding);
    const current = this.holdings.get(key)?.get(holding.identity);
    if (current?.version !== expectedVersion) throw new ConcurrentUpdateError(`holding ${holding.target} ${holding.identity}: another writer changed it first`);
    const version = expectedVersion === undefined ? firstHoldingVersion() : expectedVersion + 1;
    let byIdentity = this.holdings.get(key);
    if (!byIdentity) this.holdings.set(key, (byIdentity = new Map()));
    byIdentity.set(holding.identity, { ...copy(holding), version });
    return version;
  }

  async deleteHolding(ref: TargetRef, identity: string, expectedVersion: number): Promise<void> {
    this.check();
    const current = this.holdings.get(targetKey(ref))?.get(identity);
    if (current?.version !== expectedVersion) throw new ConcurrentUpdateError(`holding ${ref.target} ${identity}: another writer changed it first`);
    this.holdings.get(targetKey(ref))?.delete(identity);
  }

  /** Every holding (for checks). */
  allHoldings(): Holding[] {
    return [...this.holdings.values()].flatMap((byIdentity) => [...byIdentity.values()]).map(copy);
  }

  async putArtifact(clusterId: string, artifact: Artifact): Promise<void> {
    this.check();
    let list = this.artifacts.get(clusterId);
    if (!list) this.artifacts.set(clusterId, (list = new Map()));
    list.set(`${artifact.flow}#${artifact.name}`, copy(artifact));
  }

  async listArtifacts(clusterId: string): Promise<Artifact[]> {
    this.check();
    return [...(this.artifacts.get(clusterId)?.values() ?? [])].map(copy);
  }

  async deleteArtifact(clusterId: string, flow: Flow, name: string): Promise<void> {
    this.check();
    this.artifacts.get(clusterId)?.delete(`${flow}#${name}`);
  }

  async acquireLease(resourceKey: string, holder: string, ttlSeconds: number, now: Date): Promise<boolean> {
    this.check();
    const current = this.leases.get(resourceKey);
    if (current && current.holder !== holder && current.leaseUntilMs > now.getTime()) return false;
    this.leases.set(resourceKey, { holder, leaseUntilMs: now.getTime() + ttlSeconds * 1000 });
    return true;
  }

  async releaseLease(resourceKey: string, holder: string): Promise<void> {
    this.check();
    if (this.leases.get(resourceKey)?.holder === holder) this.leases.delete(resourceKey);
  }

  async getLease(resourceKey: string): Promise<LeaseRecord | undefined> {
    this.check();
    return copy(this.leases.get(resourceKey));
  }

  async getDocument<T>(key: string): Promise<StoredDocument<T> | undefined> {
    this.check();
    return copy(this.documents.get(key)) as StoredDocument<T> | undefined;
  }

  async putDocument<T>(key: string, body: T, expectedVersion: number | undefined): Promise<number> {
    this.check();
    const current = this.documents.get(key);
    if (current?.version !== expectedVersion) throw new ConcurrentUpdateError(`document ${key}: another writer changed it first`);
    const version = (expectedVersion ?? 0) + 1;
    this.documents.set(key, { body: copy(body), version });
    return version;
  }
}
