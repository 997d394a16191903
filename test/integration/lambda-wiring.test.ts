// The handlers as deployed: invoked with a Lambda context. apply-change counts applied / blocked / failed /
// throttled changes per provider and flow in CloudWatch EMF (Powertools Metrics on stdout); the ingest handler
// deployed in AWS refuses an event naming the sandbox, which exists only in local runs.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { lambdaMetrics } from '../../functions/adapters/metrics.js';
import { createProviderRegistry } from '../../functions/adapters/provider-registry.js';
import { SandboxCloud } from '../../functions/adapters/sandbox/cloud.js';
import { createApplyChangeHandler } from '../../functions/handlers/apply-change.js';
import { handler as ingestHandler } from '../../functions/handlers/ingest-event.js';
import type { LedgerEntry } from '../../functions/domain/model.js';

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'podreach-apply-change',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:podreach-apply-change',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/podreach-apply-change',
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

interface Emf {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [field: string]: unknown;
}

/** What Powertools Metrics writes to stdout while `work` runs, as EMF documents. */
async function emfWhile(work: () => Promise<unknown>): Promise<Emf[]> {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('"_aws"')) lines.push(...text.split('\n').filter((line) => line.includes('"_aws"')));
    else return (write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    return true;
  }) as typeof process.stdout.write;
  try {
    await work().catch(() => undefined);
  } finally {
    process.stdout.write = write;
  }
  return lines.map((line) => JSON.parse(line) as Emf);
}

describe('Lambda wiring', () => {
  let dir: string;
  let local: LocalDynamo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-lambda-'));
    local = await startLocalDynamo(dir);
  });
  afterAll(async () => {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Handler: apply-change (with Powertools Metrics)', () => {
    it('emits EMF counts of applied and blocked changes with their provider and flow', async () => {
      // Prepare: two planned routes, the second one's destination already routed elsewhere by someone else
      const cloud = new SandboxCloud({ store: local.store });
      await cloud.createRoute('route-table', 'rtb-emf', { destination: '10.61.0.0/16', nextHop: 'pcx-foreign' });
      const row = (id: string, cidr: string): LedgerEntry => ({
        id, clusterId: 'cls-emf', flow: 'vpn', kind: 'route', action: 'create', target: 'rtb-emf', cidr, nextHop: 'vpngw-1', nextHopType: 'vpn-gateway',
        provider: 'sandbox', region: 'local', status: 'planned', owned: false, attempts: 0, updatedAt: '2026-11-20T08:00:00Z',
      });
      await local.store.putChange(row('chg-0000000000000001', '10.60.0.0/16'));
      await local.store.putChange(row('chg-0000000000000002', '10.61.0.0/16'));
      const providers = await createProviderRegistry({ store: local.store, sandbox: true });
      const handler = createApplyChangeHandler({ deps: async () => ({ store: local.store, providers, notifier: { notify: async () => undefined }, now: () => new Date() }), metrics: lambdaMetrics() });
      const invoke = (changeId: string) => handler({ clusterId: 'cls-emf', flow: 'vpn', executionId: 'ex-emf', changeId } as never, context as never);

      // Act
      const documents = await emfWhile(async () => {
        await invoke('chg-0000000000000001');
        await invoke('chg-0000000000000002');
      });

      // Assess
      const counted = documents.map((doc) => {
        const directive = doc._aws.CloudWatchMetrics[0];
        return { metric: directive?.Metrics[0]?.Name, namespace: directive?.Namespace, provider: doc.provider, flow: doc.flow, value: doc[directive?.Metrics[0]?.Name ?? ''] };
      });
      expect(counted).toEqual([
        { metric: 'applied', namespace: 'podreach', provider: 'sandbox', flow: 'vpn', value: 1 },
        { metric: 'blocked', namespace: 'podreach', provider: 'sandbox', flow: 'vpn', value: 1 },
      ]);
      expect(documents[0]?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toEqual(expect.arrayContaining(['provider', 'flow']));
    });
  });

  describe('Handler: ingest-event (as deployed)', () => {
    it('refuses an event naming the sandbox provider, naming the field, before anything is read or started', async () => {
      // Prepare
      const sample = JSON.parse(readFileSync('events/samples/cluster-created.json', 'utf8')) as { detail: Record<string, unknown> };
      const event = { ...sample, detail: { ...sample.detail, provider: 'sandbox' } };

      // Act
      const attempt = ingestHandler(event as never, context as never);

      // Assess
      await expect(attempt).rejects.toMatchObject({ name: 'InvalidInputError', field: 'detail.provider' });
    });
  });

  describe('Function: createProviderRegistry', () => {
    it('has no sandbox unless the local runtime asks for it', async () => {
      const deployed = await createProviderRegistry({ store: local.store });
      const localRun = await createProviderRegistry({ store: local.store, override: 'sandbox' });
      expect(() => deployed.get('sandbox', 'local')).toThrow(/only in local runs/);
      expect(localRun.get('tencent', 'ap-guangzhou').name).toBe('sandbox');
    });
  });
});
