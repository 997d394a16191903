// The bad-input corpus (test/bad-input/*.yaml): hostile and mistaken events, profiles, sandbox seeds and command
// lines, each run against a store that holds a live cluster. Every case asserts its exit code, that the message
// names the field (and the file it came from), that no stack trace is printed, that no file appears outside
// --state, and that the store is unchanged: `state --json` and every item of the table are the same bytes.
// Most cases run in-process through main(); those marked `child` run bin/podreach.js as a user would.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { parse as parseYaml } from 'yaml';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { main } from '../../functions/cli/main.js';

type Json = unknown;

interface Case {
  name: string;
  base?: string;
  set?: Record<string, Json>;
  delete?: string[];
  text?: string;
  args?: string[];
  env?: Record<string, string | null>;
  exit: number;
  message?: string[];
  stdout?: string[];
  /** The message names the case's file (default: true for events, profiles and seeds). */
  file?: boolean;
  child?: boolean;
  /** Paths (placeholders) that must still not exist afterwards. */
  absent?: string[];
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

const load = (name: string) => parseYaml(readFileSync(join('test/bad-input', name), 'utf8')) as Case[];
const CORPUS = { events: load('events.yaml'), profiles: load('profiles.yaml'), sandbox: load('sandbox.yaml'), cli: load('cli.yaml') };

// ---- building inputs

/** A fresh copy of a JSON value that keeps own keys such as "__proto__" (which a plain spread would turn into a prototype). */
function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function generate(spec: Record<string, unknown>): Json {
  const count = Number(spec['count'] ?? 0);
  switch (spec['$gen']) {
    case 'cidrs':
      return Array.from({ length: count }, (_, index) => `100.${64 + Math.floor(index / 256)}.${index % 256}.0/24`);
    case 'string':
      return 'a'.repeat(Number(spec['length']));
    case 'ids':
      return Array.from({ length: count }, (_, index) => `id-${String(index).padStart(8, '0')}`);
    case 'labels':
      return Object.fromEntries(Array.from({ length: count }, (_, index) => [`label-${index}`, 'x']));
    case 'nested': {
      let value: Json = 'deep';
      for (let level = 0; level < Number(spec['depth']); level += 1) value = [value];
      return value;
    }
    default:
      throw new Error(`unknown generator ${String(spec['$gen'])}`);
  }
}

function resolveValue(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolveValue);
  if (value === null || typeof value !== 'object') return value;
  if ('$gen' in value) return generate(value as Record<string, unknown>);
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value)) Object.defineProperty(out, key, { value: resolveValue((value as Record<string, Json>)[key]), enumerable: true, writable: true, configurable: true });
  return out;
}

/** "spec.bgp.peers[0].name" -> ['spec', 'bgp', 'peers', 0, 'name'] */
function pathOf(path: string): (string | number)[] {
  return path.split('.').flatMap((part) => {
    const match = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) return [part];
    const indexes = [...(match[2] ?? '').matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
    return [...(match[1] ? [match[1]] : []), ...indexes];
  });
}

function setPath(target: Json, path: string, value: Json): void {
  const keys = pathOf(path);
  let node = target as Record<string | number, Json>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  // defineProperty: "__proto__" and "constructor" become own keys, as JSON.parse and YAML make them
  Object.defineProperty(node, keys[keys.length - 1]!, { value: resolveValue(value), enumerable: true, writable: true, configurable: true });
}

function deletePath(target: Json, path: string): void {
  const keys = pathOf(path);
  let node = target as Record<string | number, Json>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  delete node[keys[keys.length - 1]!];
}

function caseText(testCase: Case, base: Json): string {
  if (testCase.text !== undefined) return testCase.text;
  const value = copy(base);
  for (const [path, item] of Object.entries(testCase.set ?? {})) setPath(value, path, item);
  for (const path of testCase.delete ?? []) deletePath(value, path);
  return JSON.stringify(value, null, 1);
}

// ---- the world the cases run in

const root = mkdtempSync(join(tmpdir(), 'podreach-corpus-'));
const paths = {
  state: join(root, 'state'),
  cases: join(root, 'cases'),
  home: join(root, 'home'),
  file: join(root, 'a-file.txt'),
  dir: join(root, 'not-a-state'),
  nonempty: join(root, 'nonempty'),
  missing: join(root, 'missing'),
  credentials: join(root, 'tencent-credentials'),
};
const placeholders: Record<string, string> = {};
let closedPort = 0;

const sample = (name: string) => JSON.parse(readFileSync(`events/samples/${name}.json`, 'utf8')) as Json;

function writeCase(name: string, text: string): string {
  const file = join(paths.cases, name);
  writeFileSync(file, text);
  return file;
}

function expand(text: string): string {
  return text.replace(/\$[A-Z_]+/g, (token) => placeholders[token] ?? token);
}

const CLEARED_ENV = /^(AWS_|TENCENTCLOUD_|ALIBABA_CLOUD_|HUAWEICLOUD_|TKE_|PODREACH_)/;

/** The environment of every case: no credentials, region or endpoints, an empty HOME, no metadata probes. */
function caseEnv(extra: Record<string, string | null> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!CLEARED_ENV.test(key)) env[key] = value;
  Object.assign(env, {
    HOME: paths.home,
    AWS_EC2_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(paths.home, '.aws', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(paths.home, '.aws', 'credentials'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    SLACK_WEBHOOK_URL: '',
  });
  for (const [key, value] of Object.entries(extra)) {
    if (value === null) delete env[key];
    else env[key] = expand(value);
  }
  return env;
}

/** Makes process.env hold exactly `env` (in place: os.homedir() and the SDKs read the real environment). */
function replaceEnv(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
}

/** Runs main() in this process with `env` as its environment, capturing what it writes. */
async function runInProcess(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  const saved = { ...process.env };
  const writes = { stdout: process.stdout.write.bind(process.stdout), stderr: process.stderr.write.bind(process.stderr) };
  let stdout = '';
  let stderr = '';
  replaceEnv(env);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['node', 'podreach', ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    replaceEnv(saved);
  }
}

function runChild(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/podreach.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

// ---- what must not change

/** Every file under `dir` (but `skip`) with its size and content hash. */
function fingerprint(dir: string, skip?: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (skip && path === skip) continue;
      if (entry.isDirectory()) {
        out.push(`${relative(dir, path)}/`);
        walk(path);
      } else {
        out.push(`${relative(dir, path)} ${statSync(path).size} ${createHash('sha1').update(readFileSync(path)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

/** JSON with every object's keys in order, so equal items are equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value).toString('base64'));
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Every item of the local table, in key order: what "the store" holds, byte for byte. */
async function dumpStore(): Promise<string> {
  const local = await startLocalDynamo(paths.state);
  try {
    const items: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await local.client.send(new ScanCommand({ TableName: local.tableName, ...(startKey ? { ExclusiveStartKey: startKey as never } : {}) }));
      for (const item of page.Items ?? []) items.push(canonical(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort().join('\n');
  } finally {
    await local.close();
  }
}

async function stateJson(): Promise<string> {
  const outcome = await runInProcess(['state', '--state', paths.state, '--json'], caseEnv());
  if (outcome.code !== 0) throw new Error(`state --json failed: ${outcome.stderr}`);
  return outcome.stdout;
}

const baseline = { store: [] as string[], outside: [] as string[], root: [] as string[], dump: '', state: '' };

async function takeBaseline(): Promise<void> {
  baseline.dump = await dumpStore();
  baseline.state = await stateJson();
  baseline.store = fingerprint(join(paths.state, 'dynamodb'));
  baseline.outside = fingerprint(paths.state, join(paths.state, 'dynamodb'));
  baseline.root = readdirSync(root).sort();
}

/** The store and everything around it are as before the case. */
async function expectUnchanged(): Promise<void> {
  expect(readdirSync(root).sort()).toEqual(baseline.root);
  expect(fingerprint(paths.state, join(paths.state, 'dynamodb'))).toEqual(baseline.outside);
  expect(readdirSync(paths.nonempty)).toEqual(['keep.txt']);
  expect(readdirSync(paths.dir)).toEqual([]);
  // Opening LevelDB rewrites its log files; only then is the content compared item by item.
  if (fingerprint(join(paths.state, 'dynamodb')).join('\n') !== baseline.store.join('\n')) {
    expect(await stateJson()).toBe(baseline.state);
    expect(await dumpStore()).toBe(baseline.dump);
    baseline.store = fingerprint(join(paths.state, 'dynamodb'));
  }
}

// ---- setup: a live cluster, and the files the cases name

beforeAll(async () => {
  for (const dir of [paths.cases, paths.home, paths.dir, paths.nonempty]) mkdirSync(dir, { recursive: true });
  writeFileSync(paths.file, 'not a state directory\n');
  writeFileSync(join(paths.nonempty, 'keep.txt'), 'precious\n');
  writeFileSync(paths.credentials, '[default]\nsecret_id = AKIDdefault\nsecret_key = k0\n');
  // a port on 127.0.0.1 where nothing listens
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

  const created = sample('cluster-created') as { detail: Record<string, Json> };
  const withDetail = (detail: Record<string, Json>) => JSON.stringify({ ...created, detail: { ...created.detail, ...detail } });
  const demoProfile = readFileSync('examples/profiles/demo.yaml', 'utf8');
  Object.assign(placeholders, {
    $STATE: paths.state,
    $EVENT: 'events/samples/cluster-created.json',
    $PROFILE: 'examples/profiles/demo.yaml',
    $FILE: paths.file,
    $DIR: paths.dir,
    $MISSING: paths.missing,
    $NONEMPTY: paths.nonempty,
    $CREDENTIALS: paths.credentials,
    $CLOSED: `127.0.0.1:${closedPort}`,
    $US_EVENT: writeCase('us-event.json', withDetail({ provider: 'aws', region: 'us-east-1' })),
    $CN_EVENT: writeCase('cn-event.json', withDetail({ provider: 'huawei', region: 'cn-north-4' })),
    $HZ_EVENT: writeCase('hz-event.json', withDetail({ provider: 'alibaba', region: 'cn-hangzhou' })),
    $BAD_EVENT: writeCase('bad-event.json', withDetail({ clusterId: '../escape' })),
    $UNKNOWN_CLUSTER: writeCase('unknown-cluster.json', JSON.stringify({ ...(sample('node-added') as object), detail: { ...(sample('node-added') as { detail: object }).detail, clusterId: 'cls-unknown' } })),
    $CHANGED_PROFILE: writeCase('changed-profile.yaml', demoProfile.replace('10.20.0.0/16', '10.77.0.0/16')),
    $BAD_PROFILE: writeCase('bad-profile.yaml', readFileSync('examples/profiles/contract-example.yaml', 'utf8').replace('name: peer-a', 'name: Peer_A')),
    $EXTRA_SEED: writeCase('extra-seed.yaml', 'apiVersion: podreach/v1\nkind: SandboxAccount\nspec:\n  routeTables:\n    - id: rtb-extra\n      routes: [{ destination: 10.55.0.0/16, nextHop: pcx-9 }]\n'),
  });

  // the live cluster: created with the demo profile and seed, then a node
  const first = await runInProcess(['run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', '--sandbox', 'examples/sandbox/demo.yaml', '--state', paths.state, '--json'], caseEnv());
  if (first.code !== 0) throw new Error(`live cluster: ${first.stderr}`);
  const node = await runInProcess(['run', 'events/samples/node-added.json', '--state', paths.state, '--json'], caseEnv());
  if (node.code !== 0) throw new Error(`live node: ${node.stderr}`);
  await takeBaseline();
}, 120_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

// ---- the cases

const BASES = {
  profiles: () => parseYaml(readFileSync('examples/profiles/contract-example.yaml', 'utf8')) as Json,
  sandbox: () => parseYaml(readFileSync('examples/sandbox/demo.yaml', 'utf8')) as Json,
};

function argsFor(category: keyof typeof CORPUS, testCase: Case, index: number): { args: string[]; file?: string } {
  switch (category) {
    case 'events': {
      const file = writeCase(`event-${index}.json`, caseText(testCase, testCase.base ? sample(testCase.base) : {}));
      return { file, args: ['run', file, '--state', paths.state, '--json', ...(testCase.args ?? []).map(expand)] };
    }
    case 'profiles': {
      const file = writeCase(`profile-${index}.yaml`, caseText(testCase, BASES.profiles()));
      return { file, args: ['run', 'events/samples/cluster-created.json', '--profile', file, '--state', paths.state, '--json', ...(testCase.args ?? []).map(expand)] };
    }
    case 'sandbox': {
      const file = writeCase(`seed-${index}.yaml`, caseText(testCase, BASES.sandbox()));
      return { file, args: ['run', 'events/samples/cluster-created.json', '--sandbox', file, '--state', paths.state, '--json', ...(testCase.args ?? []).map(expand)] };
    }
    case 'cli':
      return { args: (testCase.args ?? []).map(expand) };
  }
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

describe('Bad-input corpus', () => {
  it('holds at least 150 cases across events, profiles, sandbox seeds and command lines', () => {
    const counts = Object.values(CORPUS).map((cases) => cases.length);
    expect(counts.every((count) => count >= 10)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(150);
  });

  for (const category of Object.keys(CORPUS) as (keyof typeof CORPUS)[]) {
    describe(category, () => {
      const cases = CORPUS[category].map((testCase, index) => [testCase.name, testCase, index] as const);
      it.each(cases)('%s', async (_name, testCase, index) => {
        // Prepare
        const { args, file } = argsFor(category, testCase, index);
        const env = caseEnv(testCase.env ?? {});

        // Act
        const outcome = testCase.child ? await runChild(args, env) : await runInProcess(args, env);

        // Assess
        const context = `${outcome.stderr}\n${outcome.stdout}`;
        expect({ code: outcome.code, context }).toEqual({ code: testCase.exit, context });
        for (const fragment of testCase.message ?? []) expect(outcome.stderr).toContain(expand(fragment));
        for (const fragment of testCase.stdout ?? []) expect(outcome.stdout).toContain(fragment);
        if (file && (testCase.file ?? true)) expect(outcome.stderr).toContain(file);
        if (testCase.exit !== 0) expect(outcome.stdout).toBe('');
        expect(outcome.stderr).not.toMatch(STACK_LINE);
        for (const path of testCase.absent ?? []) expect(existsSync(expand(path))).toBe(false);
        await expectUnchanged();
      });
    });
  }
});
