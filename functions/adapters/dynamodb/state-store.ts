// The StateStore on one DynamoDB table (pk / sk), served locally by dynalite. Only single-item conditional
// writes: dynalite has no transactions, and they would double the cost on AWS.
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  paginateQuery,
  paginateScan,
  waitUntilTableExists,
  type AttributeValue,
  type DynamoDBClient,
  type PutItemCommandInput,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { ConcurrentUpdateError, InvalidInputError, ThrottlingError } from '../../domain/errors.js';
import type { Artifact, ClusterFacts, Flow, Holding, LedgerEntry } from '../../domain/model.js';
import { targetKey } from '../../domain/planner/identity.js';
import type { TargetRef } from '../../domain/planner/types.js';
import type { ConnectivityProfile } from '../../domain/profile.js';
import type { ExecutionRef, LeaseRecord, PlanRecord, StateStore, StoredCluster, StoredDocument } from '../../ports/state-store.js';
import { firstHoldingVersion } from '../holding-version.js';

export const TABLE_KEY = { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' } as const;

/** Plan history is kept this long (the table's TTL removes it on AWS; dynalite ignores TTL). */
export const PLAN_RETENTION_SECONDS = 30 * 24 * 3600;

/** Characters of a plan's JSON per item: at most 4 bytes each in UTF-8, inside DynamoDB's 400 KB per item. */
export const PLAN_PART_CHARS = 90_000;

function expiryOf(createdAt: string): number | undefined {
  const seconds = Math.floor(Date.parse(createdAt) / 1000);
  return Number.isFinite(seconds) ? seconds + PLAN_RETENTION_SECONDS : undefined;
}

type Item = Record<string, AttributeValue>;

const THROTTLING_CODES = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);

const keys = {
  cluster: (clusterId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: 'META' }),
  plan: (plan: PlanRecord) => ({ pk: `CLUSTER#${plan.clusterId}`, sk: `PLAN#${plan.createdAt}#${plan.flow}#${plan.executionId}` }),
  planPart: (ref: ExecutionRef, part: number) => ({ pk: `CLUSTER#${ref.clusterId}`, sk: `PLANPART#${ref.flow}#${ref.executionId}#${String(part).padStart(5, '0')}` }),
  applyPage: (ref: ExecutionRef, lane: number, page: number) => ({
    pk: `CLUSTER#${ref.clusterId}`,
    sk: `APPLY#${ref.flow}#${ref.executionId}#${String(lane).padStart(5, '0')}#${String(page).padStart(5, '0')}`,
  }),
  change: (clusterId: string, changeId: string) => ({ pk: `CLUSTER#${clusterId}`, sk: `CHANGE#${changeId}` }),
  artifact: (clusterId: string, flow: Flow, name: string) => ({ pk: `CLUSTER#${clusterId}`, sk: `ARTIFACT#${flow}#${name}` }),
  profile: (name: string) => ({ pk: `PROFILE#${name}`, sk: 'META' }),
  lease: (resourceKey: string) => ({ pk: `RESOURCE#${resourceKey}`, sk: 'LOCK' }),
  holding: (ref: TargetRef, identity: string) => ({ pk: `HOLD#${targetKey(ref)}`, sk: identity }),
  document: (key: string) => ({ pk: `DOC#${key}`, sk: 'DOC' }),
};

function toItem(value: Record<string, unknown>): Item {
  return marshall(value, { removeUndefinedValues: true, convertClassInstanceToMap: true });
}

function fromItem<T>(item: Item): T {
  return unmarshall(item) as T;
}

/** A value this large (JSON characters) is stored compressed; smaller ones stay readable in the console. */
const INLINE_LIMIT = 100 * 1024;
/** DynamoDB holds 400 KB per item; the rest is left for the keys and the other attributes. */
const PACKED_LIMIT = 380 * 1024;

/**
 * `{ [name]: value }`, or `{ [name + 'Br']: brotli(JSON) }` when the value is large: a cluster of 5,000 nodes or a
 * plan of thousands of changes is megabytes of JSON but compresses 20-40 times. Throws InvalidInputError when
 * even that does not fit one item, before anything is written.
 */
export function packAttribute(name: string, value: unknown, what: string): Record<string, unknown> {
  const json = JSON.stringify(value);
  if (json.length <= INLINE_LIMIT) return { [name]: value };
  const packed = brotliCompressSync(json, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 5 } });
  if (packed.length > PACKED_LIMIT) {
    throw new InvalidInputError(what, `too large to record: ${Math.ceil(packed.length / 1024)} KB compressed (${Math.ceil(json.length / 1024)} KB of JSON), a DynamoDB item holds 400 KB`);
  }
  return { [`${name}Br`]: packed };
}

/** The value packAttribute stored under `name`, compressed or not. */
function unpackAttribute<T>(row: Record<string, unknown>, name: string): T {
  const packed = row[`${name}Br`];
  if (packed instanceof Uint8Array) return JSON.parse(brotliDecompressSync(packed).toString('utf8')) as T;
  return row[name] as T;
}

/** Translates what the domain knows how to handle; everything else is rethrown as it is. */
function translate(error: unknown, what: string): never {
  if (error instanceof ConditionalCheckFailedException) {
    throw new ConcurrentUpdateError(`${what}: another writer changed it first`);
  }
  const name = (error as { name?: unknown } | undefined)?.name;
  if (typeof name === 'string' && THROTTLING_CODES.has(name)) {
    throw new ThrottlingError(`${what}: DynamoDB kept throttling (${name})`, name);
  }
  throw error;
}

type PutCondition = Omit<PutItemCommandInput, 'TableName' | 'Item'>;

/** Every item of a paginated Query / Scan (the SDK's paginator follows LastEvaluatedKey). */
async function collect(pages: AsyncIterable<{ Items?: Item[] }>, what: string): Promise<Item[]> {
  const items: Item[] = [];
  try {
    for await (const page of pages) items.push(...(page.Items ?? []));
  } catch (error) {
    translate(error, what);
  }
  return items;
}

export interface DynamoStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: DynamoStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  // ---- clusters

  async getCluster(clusterId: string): Promise<StoredCluster | undefined> {
    const item = await this.getItem(keys.cluster(clusterId));
    if (!item) return undefined;
    const row = fromItem<{ version: number } & Record<string, unknown>>(item);
    return { facts: unpackAttribute<ClusterFacts>(row, 'facts'), version: row.version };
  }

  async putCluster(facts: ClusterFacts, expectedVersion: number | undefined): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    await this.putVersioned(keys.cluster(facts.clusterId), { ...packAttribute('facts', facts, `cluster ${facts.clusterId}`), version }, expectedVersion, `cluster ${facts.clusterId}`);
    return version;
  }

  async listClusters(): Promise<ClusterFacts[]> {
    const items = await this.scanAll({
      FilterExpression: 'sk = :meta AND begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':meta': { S: 'META' }, ':prefix': { S: 'CLUSTER#' } },
    });
    return items
      .map((item) => unpackAttribute<ClusterFacts>(fromItem(item), 'facts'))
      .sort((a, b) => a.clusterId.localeCompare(b.clusterId));
  }

  // ---- profiles

  async putProfile(profile: ConnectivityProfile): Promise<void> {
    await this.put({ ...keys.profile(profile.metadata.name), ...packAttribute('profile', profile, `profile ${profile.metadata.name}`) }, undefined, `profile ${profile.metadata.name}`);
  }

  async getProfile(name: string): Promise<ConnectivityProfile | undefined> {
    const item = await this.getItem(keys.profile(name));
    return item ? unpackAttribute<ConnectivityProfile>(fromItem(item), 'profile') : undefined;
  }

  async listProfiles(): Promise<ConnectivityProfile[]> {
    const items = await this.scanAll({
      FilterExpression: 'sk = :meta AND begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':meta': { S: 'META' }, ':prefix': { S: 'PROFILE#' } },
    });
    return items
      .map((item) => unpackAttribute<ConnectivityProfile>(fromItem(item), 'profile'))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  // ---- plans

  /**
   * The plan's JSON in parts of at most PLAN_PART_CHARS (an item holds 400 KB), then a header item that lists it
   * (written last: a plan is listed only once all of it is there).
   */
  async savePlan(plan: PlanRecord): Promise<void> {
    const expiresAt = expiryOf(plan.createdAt);
    const text = JSON.stringify(plan);
    const parts = Math.max(1, Math.ceil(text.length / PLAN_PART_CHARS));
    for (let part = 0; part < parts; part++) {
      const data = text.slice(part * PLAN_PART_CHARS, (part + 1) * PLAN_PART_CHARS);
      // every part says how many there are: a later plan of the same execution (after an approval) may have fewer
      await this.put({ ...keys.planPart(plan, part), data, of: parts, expiresAt }, undefined, `plan ${plan.executionId} part ${part}`);
    }
    await this.put({ ...keys.plan(plan), flow: plan.flow, executionId: plan.executionId, parts, expiresAt }, undefined, `plan ${plan.executionId}`);
  }

  async getPlan(clusterId: string, flow: Flow, executionId: string): Promise<PlanRecord | undefined> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: `CLUSTER#${clusterId}` }, ':prefix': { S: `PLANPART#${flow}#${executionId}#` } },
    });
    const parts = items.map((item) => fromItem<{ data: string; of?: number }>(item));
    if (parts.length === 0) return undefined;
    return JSON.parse(parts.slice(0, parts[0]!.of ?? parts.length).map((part) => part.data).join('')) as PlanRecord;
  }

  async listPlans(clusterId: string, flow?: Flow): Promise<PlanRecord[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': { S: `CLUSTER#${clusterId}` },
        ':prefix': { S: 'PLAN#' },
        ...(flow ? { ':flow': { S: flow } } : {}),
      },
      ...(flow ? { FilterExpression: 'flow = :flow' } : {}),
    });
    const plans: PlanRecord[] = [];
    for (const item of items) {
      const header = fromItem<{ flow: Flow; executionId?: string; plan?: PlanRecord }>(item);
      // plans of earlier versions are one item
      const plan = header.plan ?? (header.executionId ? await this.getPlan(clusterId, header.flow, header.executionId) : undefined);
      if (plan) plans.push(plan);
    }
    return plans;
  }

  // ---- apply pages

  async saveApplyPages(execution: ExecutionRef, lanes: readonly (readonly (readonly string[])[])[]): Promise<void> {
    const expiresAt = Math.floor(Date.now() / 1000) + PLAN_RETENTION_SECONDS;
    for (const [lane, pages] of lanes.entries()) {
      for (const [page, changeIds] of pages.entries()) {
        await this.put({ ...keys.applyPage(execution, lane, page), changeIds: [...changeIds], expiresAt }, undefined, `apply page ${lane}/${page} of ${execution.executionId}`);
      }
    }
  }

  async getApplyPage(execution: ExecutionRef, lane: number, page: number): Promise<string[] | undefined> {
    const item = await this.getItem(keys.applyPage(execution, lane, page));
    return item ? fromItem<{ changeIds: string[] }>(item).changeIds : undefined;
  }

  // ---- change ledger

  async getChange(clusterId: string, changeId: string): Promise<LedgerEntry | undefined> {
    const item = await this.getItem(keys.change(clusterId, changeId));
    return item ? fromItem<{ entry: LedgerEntry }>(item).entry : undefined;
  }

  async putChange(entry: LedgerEntry, expectedStatuses?: ReadonlyArray<LedgerEntry['status'] | 'absent'>): Promise<void> {
    const condition: PutCondition = {};
    if (expectedStatuses && expectedStatuses.length > 0) {
      const statuses = [...new Set(expectedStatuses.filter((status) => status !== 'absent'))];
      const conditions: string[] = [];
      if (expectedStatuses.includes('absent')) conditions.push('attribute_not_exists(pk)');
      if (statuses.length > 0) conditions.push(`#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`);
      condition.ConditionExpression = conditions.join(' OR ');
      if (statuses.length > 0) {
        condition.ExpressionAttributeNames = { '#status': 'status' };
        condition.ExpressionAttributeValues = Object.fromEntries(statuses.map((status, i) => [`:s${i}`, { S: status }]));
      }
    }
    await this.put({ ...keys.change(entry.clusterId, entry.id), status: entry.status, entry }, condition, `change ${entry.id} of cluster ${entry.clusterId}`);
  }

  async listChanges(clusterId: string): Promise<LedgerEntry[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: `CLUSTER#${clusterId}` }, ':prefix': { S: 'CHANGE#' } },
    });
    return items.map((item) => fromItem<{ entry: LedgerEntry }>(item).entry);
  }

  // ---- holdings

  async listHoldings(ref: TargetRef): Promise<Holding[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: keys.holding(ref, '').pk } },
    });
    return items.map((item) => this.holdingOf(item));
  }

  async getHolding(ref: TargetRef, identity: string): Promise<Holding | undefined> {
    const item = await this.getItem(keys.holding(ref, identity));
    return item ? this.holdingOf(item) : undefined;
  }

  async putHolding(holding: Holding, expectedVersion: number | undefined): Promise<number> {
    const version = expectedVersion === undefined ? firstHoldingVersion() : expectedVersion + 1;
    const { version: _previous, ...body } = holding;
    await this.putVersioned(keys.holding(holding, holding.identity), { holding: body, version }, expectedVersion, `holding ${holding.target} ${holding.identity}`);
    return version;
  }

  async deleteHolding(ref: TargetRef, identity: string, expectedVersion: number): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: toItem(keys.holding(ref, identity)),
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
        }),
      );
    } catch (error) {
      translate(error, `holding ${ref.target} ${identity}`);
    }
  }

  private holdingOf(item: Item): Holding {
    const row = fromItem<{ holding: Omit<Holding, 'version'>; version: number }>(item);
    return { ...row.holding, version: row.version };
  }

  // ---- artifacts

  async putArtifact(clusterId: string, artifact: Artifact): Promise<void> {
    await this.put({ ...keys.artifact(clusterId, artifact.flow, artifact.name), ...packAttribute('artifact', artifact, `artifact ${artifact.name}`) }, undefined, `artifact ${artifact.name}`);
  }

  async listArtifacts(clusterId: string): Promise<Artifact[]> {
    const items = await this.queryAll({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': { S: `CLUSTER#${clusterId}` }, ':prefix': { S: 'ARTIFACT#' } },
    });
    return items.map((item) => unpackAttribute<Artifact>(fromItem(item), 'artifact'));
  }

  async deleteArtifact(clusterId: string, flow: Flow, name: string): Promise<void> {
    try {
      await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: toItem(keys.artifact(clusterId, flow, name)) }));
    } catch (error) {
      translate(error, `artifact ${name}`);
    }
  }

  // ---- leases

  async acquireLease(resourceKey: string, holder: string, ttlSeconds: number, now: Date): Promise<boolean> {
    const nowMs = now.getTime();
    const leaseUntilMs = nowMs + ttlSeconds * 1000;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: toItem({
            ...keys.lease(resourceKey),
            holder,
            leaseUntilMs,
            // TTL (seconds) only tidies up on AWS; expiry is decided by leaseUntilMs, which is exact.
            expiresAt: Math.ceil(leaseUntilMs / 1000) + 3600,
          }),
          ConditionExpression: 'attribute_not_exists(pk) OR holder = :holder OR leaseUntilMs <= :now',
          ExpressionAttributeValues: { ':holder': { S: holder }, ':now': { N: String(nowMs) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      return translate(error, `lease ${resourceKey}`);
    }
  }

  async releaseLease(resourceKey: string, holder: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: toItem(keys.lease(resourceKey)),
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': { S: holder } },
        }),
      );
    } catch (error) {
      // Not ours (expired and taken over, or already released): there is nothing of ours to release.
      if (error instanceof ConditionalCheckFailedException) return;
      translate(error, `lease ${resourceKey}`);
    }
  }

  async getLease(resourceKey: string): Promise<LeaseRecord | undefined> {
    const item = await this.getItem(keys.lease(resourceKey));
    if (!item) return undefined;
    const row = fromItem<{ holder: string; leaseUntilMs: number }>(item);
    return { holder: row.holder, leaseUntilMs: row.leaseUntilMs };
  }

  // ---- documents

  async getDocument<T>(key: string): Promise<StoredDocument<T> | undefined> {
    const item = await this.getItem(keys.document(key));
    if (!item) return undefined;
    const row = fromItem<{ body: T; version: number }>(item);
    return { body: row.body, version: row.version };
  }

  async putDocument<T>(key: string, body: T, expectedVersion: number | undefined): Promise<number> {
    const version = (expectedVersion ?? 0) + 1;
    await this.putVersioned(keys.document(key), { body, version }, expectedVersion, `document ${key}`);
    return version;
  }

  // ---- plumbing

  private async getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    try {
      const result = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: toItem(key), ConsistentRead: true }));
      return result.Item;
    } catch (error) {
      return translate(error, `${key.pk} ${key.sk}`);
    }
  }

  private async put(item: Record<string, unknown>, condition: PutCondition | undefined, what: string): Promise<void> {
    try {
      await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: toItem(item), ...condition }));
    } catch (error) {
      translate(error, what);
    }
  }

  private async putVersioned(key: { pk: string; sk: string }, value: { version: number } & Record<string, unknown>, expectedVersion: number | undefined, what: string): Promise<void> {
    const condition =
      expectedVersion === undefined
        ? { ConditionExpression: 'attribute_not_exists(pk)' }
        : {
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    await this.put({ ...key, ...value }, condition, what);
  }

  private async queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
    return collect(paginateQuery({ client: this.client }, { ...input, TableName: this.tableName, ConsistentRead: true }), 'query');
  }

  private async scanAll(input: Omit<ScanCommandInput, 'TableName'>): Promise<Item[]> {
    return collect(paginateScan({ client: this.client }, { ...input, TableName: this.tableName, ConsistentRead: true }), 'scan');
  }
}

/** Creates the table (on demand) when it is missing and waits until it is ACTIVE. For local use; infra owns the AWS table. */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === 'ACTIVE') return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: TABLE_KEY.partitionKey, AttributeType: 'S' },
            { AttributeName: TABLE_KEY.sortKey, AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: TABLE_KEY.partitionKey, KeyType: 'HASH' },
            { AttributeName: TABLE_KEY.sortKey, KeyType: 'RANGE' },
          ],
        }),
      );
    } catch (createError) {
      // Another process created it between our describe and create: wait for it like ours.
      if (!(createError instanceof ResourceInUseException)) throw createError;
    }
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
}
