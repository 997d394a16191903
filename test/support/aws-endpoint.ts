// Where the aws suite sends its AWS calls: LocalStack when AWS_ENDPOINT_URL is set, else a moto_server this
// process starts on a free 127.0.0.1 port. Without either, the suite is skipped (and fails in CI).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface AwsEndpoint {
  endpoint: string;
  region: string;
  stop(): Promise<void>;
}

const DEFAULT_REGION = 'us-east-1';
let skipNoticePrinted = false;

function motoServerOnPath(): boolean {
  const found = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '';
}

/** True when the aws suite has an emulator to run against (no process is started). */
export function awsEmulatorAvailable(): boolean {
  return Boolean(process.env.AWS_ENDPOINT_URL) || motoServerOnPath();
}

function requireOrSkip(): void {
  const reason = 'moto_server is not on PATH and AWS_ENDPOINT_URL is not set';
  if (process.env.CI === 'true') {
    throw new Error(`The aws suite requires an AWS emulator in CI: ${reason} (pip install "moto[server]" or point AWS_ENDPOINT_URL at LocalStack).`);
  }
  if (!skipNoticePrinted) {
    skipNoticePrinted = true;
    process.stderr.write(`aws suite skipped: ${reason}.\n`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${output()}`);
    try {
      // moto's dashboard-free health check: any HTTP answer means the server is up.
      const response = await fetch(`${endpoint}/moto-api/data.json`);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${output()}`);
}

async function startMoto(): Promise<AwsEndpoint> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  try {
    await waitUntilAnswering(endpoint, child, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, region: process.env.AWS_REGION ?? DEFAULT_REGION, stop };
}

/**
 * LocalStack (AWS_ENDPOINT_URL; stop() does nothing) or a fresh moto_server (stop() kills it).
 * undefined when neither exists outside CI; throws in CI.
 */
export async function awsEndpoint(): Promise<{ endpoint: string; region: string; stop(): Promise<void> } | undefined> {
  const external = process.env.AWS_ENDPOINT_URL;
  if (external) {
    return { endpoint: external, region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? DEFAULT_REGION, stop: async () => undefined };
  }
  if (!motoServerOnPath()) {
    requireOrSkip();
    return undefined;
  }
  return startMoto();
}

/** SDK client config for the emulator: its endpoint, and static credentials that never leave loopback. */
export function awsClientConfig(endpoint: string, region: string) {
  return {
    endpoint,
    region,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

/**
 * `describe` when an emulator is available; otherwise the suite is skipped, which Jest reports as skipped (never a
 * passing test), and in CI a missing emulator throws: the run fails.
 */
export function describeIfAws(name: string, body: () => void): void {
  if (awsEmulatorAvailable()) {
    describe(name, body);
    return;
  }
  requireOrSkip();
  // a real skip, chosen at run time from the environment: the suite's tests show as skipped, not passed
  const skipped: (name: string, body: () => void) => void = describe.skip;
  skipped(name, body);
}
