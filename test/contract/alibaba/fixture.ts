// Builds the alibaba adapter against the contract server, with leases on DynamoStateStore (dynalite).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlibabaProvider, type AlibabaProviderOptions } from '../../../functions/adapters/alibaba/alibaba-provider.js';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { AlibabaContractServer } from './server.js';
import { alibabaActions } from '../../support/policy-coverage.js';

export interface AlibabaRig {
  server: AlibabaContractServer;
  dynamo: LocalDynamo;
  endpoint: string;
  provider(overrides?: Partial<AlibabaProviderOptions>): AlibabaProvider;
  close(): Promise<void>;
}

/** Every server started in this test file: what the SDK sent to them, as RAM actions (policy coverage). */
const started: AlibabaContractServer[] = [];
export const sentActions = (): string[] => alibabaActions(started.flatMap((server) => server.calls));

/** A fresh contract server (its own state); the lease store is `shared` when given (one per test file), else a new one. */
export async function startAlibabaRig(shared?: LocalDynamo): Promise<AlibabaRig> {
  const server = new AlibabaContractServer();
  started.push(server);
  const endpoint = await server.start();
  const dataDir = shared ? undefined : await mkdtemp(path.join(tmpdir(), 'podreach-alibaba-'));
  const dynamo = shared ?? (await startLocalDynamo(dataDir ?? ''));
  return {
    server,
    dynamo,
    endpoint,
    provider: (overrides = {}) =>
      new AlibabaProvider({
        region: 'cn-hangzhou',
        endpoint,
        protocol: 'http',
        credentials: { accessKeyId: 'LTAI-contract', accessKeySecret: 'contract-secret' },
        leases: dynamo.store,
        pollIntervalMs: 1,
        pollTimeoutMs: 2000,
        throttleBackoffMs: 1,
        ...overrides,
      }),
    close: async () => {
      await server.stop();
      if (dataDir) {
        await dynamo.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
