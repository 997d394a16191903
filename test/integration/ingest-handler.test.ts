// The ingest Lambda's handler (middy wiring over the real store on dynalite): an event EventBridge must deliver again
// later — for a cluster not created yet, or newer than the cluster's deletion — fails the invocation, so EventBridge
// retries it; an event older than the deletion succeeds and starts nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { parseProfileText } from '../../functions/application/profile-text.js';
import { createIngestEventHandler } from '../../functions/handlers/ingest-event.js';
import { createLogger } from '../../functions/handlers/middleware.js';
import type { FlowInput, FlowStarter } from '../../functions/ports/flow-runner.js';

const sample = (name: string, detail: Record<string, unknown> = {}) => {
  const event = JSON.parse(readFileSync(join('events/samples', name), 'utf8')) as { detail: Record<string, unknown> };
  return { ...event, detail: { ...event.detail, ...detail } };
};
const context = { awsRequestId: 'req-1', functionName: 'podreach-ingest-event', getRemainingTimeInMillis: () => 30_000 } as never;

describe('Handler: ingest-event', () => {
  let dir: string;
  let local: LocalDynamo;
  const started: FlowInput[] = [];
  const starter: FlowStarter = { start: async (input) => (started.push(input), { executionId: input.executionId, started: true }) };
  let handler: ReturnType<typeof createIngestEventHandler>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-ingest-'));
    local = await startLocalDynamo(dir);
    // the profile the sample events name (an event naming a profile that is not stored fails too: ingest-event.test.ts)
    await local.store.putProfile(parseProfileText(readFileSync('examples/profiles/demo.yaml', 'utf8'), 'demo.yaml'));
    handler = createIngestEventHandler({
      deps: async () => ({ store: local.store, providers: { get: () => { throw new Error('no provider in ingest'); } }, notifier: { notify: async () => undefined }, now: () => new Date() }),
      starter: async () => starter,
      logger: createLogger('ingest-event', true),
    });
  });
  afterAll(async () => {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails an event for a cluster never created, and one newer than its deletion; ignores one older than it', async () => {
    // an event before its cluster exists: the invocation fails (EventBridge delivers it again)
    await expect(handler(sample('cluster-cidr-changed.json'), context)).rejects.toMatchObject({ name: 'UnknownClusterError' });

    // created 08:00, deleted 09:00
    await handler(sample('cluster-created.json', { occurredAt: '2026-11-20T08:00:00Z' }), context);
    await handler(sample('cluster-deleted.json', { occurredAt: '2026-11-20T09:00:00Z' }), context);
    started.length = 0;

    // newer than the deletion: fails (retried until the re-creation arrives); older: succeeds, starts nothing
    await expect(handler(sample('cluster-cidr-changed.json', { occurredAt: '2026-11-20T10:00:00Z' }), context)).rejects.toMatchObject({ name: 'ClusterDeletedError' });
    const older = (await handler(sample('cluster-cidr-changed.json', { occurredAt: '2026-11-20T08:30:00Z' }), context)) as { ignored?: string; executions: unknown[] };
    expect(older.ignored).toContain('older than the deletion');
    expect(older.executions).toEqual([]);
    expect(started).toEqual([]);
  });
});
