// The ingest Lambda on dynalite: an event whose cluster names a profile that is not stored fails the invocation
// (so EventBridge delivers it again) and records nothing; once the profile is stored, the same event goes through.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { parseProfileText } from '../../functions/application/profile-text.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { createIngestEventHandler } from '../../functions/handlers/ingest-event.js';
import { createLogger } from '../../functions/handlers/middleware.js';
import type { FlowInput, FlowStarter } from '../../functions/ports/flow-runner.js';

const context = { awsRequestId: 'req-1', functionName: 'podreach-ingest-event', getRemainingTimeInMillis: () => 30_000 } as never;

describe('Handler: ingest-event', () => {
  let dir: string;
  let local: LocalDynamo;
  const started: FlowInput[] = [];
  const starter: FlowStarter = {
    async start(input) {
      started.push(input);
      return { executionId: input.executionId, started: true };
    },
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-ingest-'));
    local = await startLocalDynamo(dir);
    started.length = 0;
  });
  afterEach(async () => {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails an event naming a profile that is not stored, recording nothing, and takes it once the profile is stored', async () => {
    // Prepare
    const deps = async () => ({ store: local.store, now: () => new Date() }) as unknown as AppDeps;
    const handler = createIngestEventHandler({ deps, starter: async () => starter, logger: createLogger('ingest-event', true) });
    const event = JSON.parse(readFileSync('events/samples/cluster-created.json', 'utf8')) as unknown;

    // Act 1
    const first = handler(event as never, context);

    // Assess 1
    await expect(first).rejects.toMatchObject({ name: 'UnknownProfileError', message: expect.stringContaining('"shanghai-idc", which is not stored (stored: none)') });
    expect(await local.store.getCluster('cls-demo')).toBeUndefined();
    expect(started).toEqual([]);

    // Act 2: the profile is put, EventBridge delivers the event again
    await local.store.putProfile(parseProfileText(readFileSync('examples/profiles/demo.yaml', 'utf8'), 'demo.yaml'));
    const second = (await handler(event as never, context)) as { flows: string[] };

    // Assess 2
    expect(second.flows).toEqual(['direct-connect', 'vpn']);
    expect(started.map((input) => input.flow)).toEqual(['direct-connect', 'vpn']);
    expect((await local.store.getCluster('cls-demo'))?.facts.profile).toBe('shanghai-idc');
  });
});
