// The embedded default: dynalite in-process on 127.0.0.1 (random port), data under `<dataDir>/dynamodb`.
// Start it once per process; close() stops the server and closes LevelDB so the folder can be opened again.
import type { AddressInfo } from 'node:net';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { DynamoStateStore, ensureTable } from './state-store.js';
import { Level } from 'level';
import { InvalidInputError } from '../../domain/errors.js';
import { acquireStateLock } from './state-lock.js';

export const LOCAL_TABLE_NAME = 'podreach';

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  store: DynamoStateStore;
  close(): Promise<void>;
}

/**
 * LevelDB lets one process hold a directory. dynalite opens it lazily and, when another process holds it,
 * fails the first request with an uncaught "Database is closed": open it first to say so plainly. The state lock
 * (state-lock.ts) is taken before, so no other podreach process can slip in between this probe and dynalite.
 */
async function assertNotInUse(dataDir: string, dbPath: string): Promise<void> {
  const probe = new Level(dbPath);
  try {
    await probe.open();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'LEVEL_LOCKED') throw new InvalidInputError('--state', `${dataDir} is in use by another podreach process`);
    throw error;
  } finally {
    await probe.close();
  }
}

export async function startLocalDynamo(dataDir: string): Promise<LocalDynamo> {
  const dbPath = path.join(dataDir, 'dynamodb');
  await mkdir(dbPath, { recursive: true });
  const lock = acquireStateLock(dataDir);
  try {
    await assertNotInUse(dataDir, dbPath);
  } catch (error) {
    lock.release();
    throw error;
  }
  const server = dynalite({ path: dbPath, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    lock.release();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    // dynalite checks that a signature is present, not what signed it.
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    client.destroy();
    // Keep-alive sockets would hold server.close() (and so the LevelDB close) open until they time out.
    server.closeAllConnections();
    try {
      await new Promise<void>((resolve, reject) => server.close((error?: Error) => (error ? reject(error) : resolve())));
    } finally {
      lock.release();
    }
  };
  try {
    await ensureTable(client, LOCAL_TABLE_NAME);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, client, tableName: LOCAL_TABLE_NAME, store: new DynamoStateStore({ client, tableName: LOCAL_TABLE_NAME }), close };
}
