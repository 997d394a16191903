// The port for podreach's state (one DynamoDB table; locally on dynalite). Single-item conditional writes only.
import type { Artifact, ClusterFacts, Flow, FlowPlan, Holding, LedgerEntry } from '../domain/model.js';
import type { TargetRef } from '../domain/planner/types.js';
import type { ConnectivityProfile } from '../domain/profile.js';

export interface StoredCluster {
  facts: ClusterFacts;
  version: number;
}

export interface StoredDocument<T> {
  body: T;
  version: number;
}

export interface PlanRecord extends FlowPlan {
  executionId: string;
  createdAt: string;
  dryRun: boolean;
}

/** One flow execution of one cluster. */
export interface ExecutionRef {
  clusterId: string;
  flow: Flow;
  executionId: string;
}

export interface LeaseRecord {
  holder: string;
  leaseUntilMs: number;
}

export interface StateStore {
  getCluster(clusterId: string): Promise<StoredCluster | undefined>;
  /** expectedVersion undefined = the cluster must not exist yet. Throws ConcurrentUpdateError. Returns the new version. */
  putCluster(facts: ClusterFacts, expectedVersion: number | undefined): Promise<number>;
  listClusters(): Promise<ClusterFacts[]>;

  putProfile(profile: ConnectivityProfile): Promise<void>;
  getProfile(name: string): Promise<ConnectivityProfile | undefined>;
  listProfiles(): Promise<ConnectivityProfile[]>;

  /** Stores a plan of any size (in parts: one item holds 400 KB). */
  savePlan(plan: PlanRecord): Promise<void>;
  getPlan(clusterId: string, flow: Flow, executionId: string): Promise<PlanRecord | undefined>;
  listPlans(clusterId: string, flow?: Flow): Promise<PlanRecord[]>;

  /**
   * The changes an execution applies, by lane (one target's changes, in plan order) and page (a bounded slice of a
   * lane): what the state machine reads one page at a time, so no state carries the whole list.
   */
  saveApplyPages(execution: ExecutionRef, lanes: readonly (readonly (readonly string[])[])[]): Promise<void>;
  getApplyPage(execution: ExecutionRef, lane: number, page: number): Promise<string[] | undefined>;

  getChange(clusterId: string, changeId: string): Promise<LedgerEntry | undefined>;
  /**
   * Writes a ledger row. With `expectedStatuses`, only if the row exists with one of them (or, when the list
   * contains 'absent', does not exist yet). Throws ConcurrentUpdateError otherwise.
   */
  putChange(entry: LedgerEntry, expectedStatuses?: ReadonlyArray<LedgerEntry['status'] | 'absent'>): Promise<void>;
  listChanges(clusterId: string): Promise<LedgerEntry[]>;

  /** podreach's holdings in one target (which entries it made there, and the claims on them). */
  listHoldings(ref: TargetRef): Promise<Holding[]>;
  getHolding(ref: TargetRef, identity: string): Promise<Holding | undefined>;
  /**
   * Writes a holding if it is still at `expectedVersion` (undefined = must not exist yet); returns the new version.
   * Throws ConcurrentUpdateError otherwise: the caller re-reads and decides again. A holding's versions never repeat,
   * even once it is deleted and written again, so a version read from an earlier incarnation matches nothing.
   */
  putHolding(holding: Holding, expectedVersion: number | undefined): Promise<number>;
  /** Removes a holding if it is still at `expectedVersion`; ConcurrentUpdateError otherwise. */
  deleteHolding(ref: TargetRef, identity: string, expectedVersion: number): Promise<void>;

  putArtifact(clusterId: string, artifact: Artifact): Promise<void>;
  listArtifacts(clusterId: string): Promise<Artifact[]>;
  /** Removes an artifact a flow no longer produces (missing is fine). */
  deleteArtifact(clusterId: string, flow: Flow, name: string): Promise<void>;

  /** A lease on one provider resource (replace-style APIs). false when another holder has an unexpired lease. */
  acquireLease(resourceKey: string, holder: string, ttlSeconds: number, now: Date): Promise<boolean>;
  releaseLease(resourceKey: string, holder: string): Promise<void>;
  /** Who holds the lease on a resource now (expired or not), or undefined when nobody does. */
  getLease(resourceKey: string): Promise<LeaseRecord | undefined>;

  /** Versioned documents for adapters that keep state here (the sandbox account). expectedVersion undefined = must not exist. */
  getDocument<T>(key: string): Promise<StoredDocument<T> | undefined>;
  putDocument<T>(key: string, body: T, expectedVersion: number | undefined): Promise<number>;
}
