// Starts the Huawei contract server and dynalite (for leases) and builds the adapter through the real SDK.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { HuaweiProvider, type HuaweiProviderOptions } from '../../../functions/adapters/huawei/huawei-provider.js';
import { HuaweiContractServer } from './server.js';
import { huaweiActions } from '../../support/policy-coverage.js';

export const PROJECT_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const REGION = 'cn-north-4';

export interface HuaweiHarness {
  server: HuaweiContractServer;
  endpoint: string;
  dynamo: LocalDynamo;
  provider(overrides?: Partial<HuaweiProviderOptions>): HuaweiProvider;
  close(): Promise<void>;
}

/** Every server started in this test file: what the SDK sent to them, as IAM actions (policy coverage). */
const started: HuaweiContractServer[] = [];
export const sentActions = (): string[] => huaweiActions(started.flatMap((server) => server.requests));

/** A fresh contract server (its own state); the lease store is `shared` when given (one per test file), else a new one. */
export async function startHuaweiHarness(shared?: LocalDynamo): Promise<HuaweiHarness> {
  const server = new HuaweiContractServer({ projectId: PROJECT_ID });
  started.push(server);
  const endpoint = await server.start();
  const dir = shared ? undefined : await mkdtemp(path.join(tmpdir(), 'podreach-huawei-'));
  const dynamo = shared ?? (await startLocalDynamo(dir ?? ''));
  return {
    server,
    endpoint,
    dynamo,
    provider: (overrides = {}) =>
      new HuaweiProvider({
        region: REGION,
        projectId: PROJECT_ID,
        credentials: { ak: 'TESTAKEXAMPLE', sk: 'test-secret-key' },
        endpoint,
        leases: dynamo.store,
        pollIntervalMs: 10,
        pollTimeoutMs: 2000,
        throttleBackoffMs: 1,
        ...overrides,
      }),
    close: async () => {
      await server.stop();
      if (dir) {
        await dynamo.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
