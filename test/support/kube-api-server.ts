// A Kubernetes API server on 127.0.0.1 that speaks the list / watch protocol for core/v1 Nodes (and the Lease
// calls of leader election), driven by the tests:
// - GET /api/v1/nodes: a NodeList with the current resourceVersion;
// - GET /api/v1/nodes?watch=true&resourceVersion=N: a chunked stream of JSON lines {type, object}, first the
//   events after N still in the history, then new ones as they happen; BOOKMARK lines only when the client asked
//   with allowWatchBookmarks=true; a resourceVersion older than the last compaction gets one ERROR line with a
//   Status of code 410 (Expired) and the end of the stream, as kube-apiserver answers;
// - GET / POST / PUT /apis/coordination.k8s.io/v1/namespaces/NS/leases[/NAME], PUT with optimistic concurrency
//   on metadata.resourceVersion (409 Conflict when it is stale).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface NodeSpec {
  name: string;
  ip: string;
  podCidrs?: string[];
  labels?: Record<string, string>;
}

type KubeObject = { metadata: { name: string; resourceVersion?: string; [key: string]: unknown }; [key: string]: unknown };

interface Watcher {
  response: ServerResponse;
  bookmarks: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

export class KubeApiServer {
  #server: Server | undefined;
  #resourceVersion = 1000;
  #compactedAt = 0;
  readonly #nodes = new Map<string, KubeObject>();
  readonly #history: Array<{ resourceVersion: number; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }> = [];
  readonly #watchers = new Set<Watcher>();
  readonly #leases = new Map<string, KubeObject>();
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  /** The next N node requests (list or watch) answer 500. */
  failNext = 0;
  /**
   * true: watches are held open in silence, whatever their timeoutSeconds, and hear no event or bookmark — a
   * connection whose peer is gone without a FIN, as the client sees it. false: a watch ends after its timeoutSeconds,
   * as kube-apiserver ends it.
   */
  silentWatches = false;
  url = '';

  async start(nodes: NodeSpec[] = []): Promise<this> {
    for (const node of nodes) this.add(node);
    this.#server = createServer((request, response) => this.#handle(request, response));
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', () => resolve()));
    const address = this.#server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  /** A kubeconfig pointing at this server. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      // client-node refuses plain http unless TLS verification is off (there is no TLS to verify on loopback).
      `- name: test\n  cluster:\n    server: ${this.url}\n    insecure-skip-tls-verify: true`,
      'users:',
      '- name: test\n  user:\n    token: test-token',
      'contexts:',
      '- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: podreach',
      'current-context: test',
      '',
    ].join('\n');
  }

  #nodeObject(node: NodeSpec): KubeObject {
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.name, uid: `uid-${node.name}`, labels: { 'kubernetes.io/hostname': node.name, ...(node.labels ?? {}) }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
      spec: { ...(node.podCidrs?.[0] ? { podCIDR: node.podCidrs[0], podCIDRs: node.podCidrs } : {}), providerID: `test:///${node.name}` },
      status: {
        addresses: [
          { type: 'InternalIP', address: node.ip },
          { type: 'Hostname', address: node.name },
        ],
        conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2026-11-20T08:00:00Z', reason: 'KubeletReady' }],
      },
    };
  }

  #record(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void {
    this.#resourceVersion += 1;
    object.metadata.resourceVersion = String(this.#resourceVersion);
    const copy = structuredClone(object);
    this.#history.push({ resourceVersion: this.#resourceVersion, type, object: copy });
    for (const watcher of this.#watchers) watcher.response.write(`${JSON.stringify({ type, object: copy })}\n`);
  }

  add(node: NodeSpec): void {
    const object = this.#nodeObject(node);
    this.#nodes.set(node.name, object);
    this.#record('ADDED', object);
  }

  /** Changes a node in place (a MODIFIED event), e.g. its pod CIDRs, labels, or only its heartbeat. */
  modify(name: string, change: (node: KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> }) => void): void {
    const object = this.#nodes.get(name);
    if (!object) throw new Error(`no node ${name}`);
    change(object as KubeObject & { spec: Record<string, unknown>; status: Record<string, unknown> });
    this.#record('MODIFIED', object);
  }

  remove(name: string): void {
    const object = this.#nodes.get(name);
    if (!object) throw new Error(`no node ${name}`);
    this.#nodes.delete(name);
    this.#record('DELETED', object);
  }

  /** Forgets the history: a watch from any resourceVersion seen so far gets 410 Gone. */
  compact(): void {
    this.#compactedAt = this.#resourceVersion;
    this.#history.length = 0;
  }

  /** Sends 410 Gone to every open watch and ends it (etcd compacted under a running watch). */
  expireWatches(): void {
    for (const watcher of [...this.#watchers]) {
      watcher.response.end(`${JSON.stringify(expired(this.#resourceVersion))}\n`);
      this.#watchers.delete(watcher);
    }
  }

  /** Ends every open watch normally (the server's watch timeout). */
  closeWatches(): void {
    for (const watcher of [...this.#watchers]) {
      watcher.response.end();
      this.#watchers.delete(watcher);
    }
  }

  /** A BOOKMARK at the current resourceVersion to the watches that asked for bookmarks. */
  bookmark(): void {
    for (const watcher of this.#watchers) {
      if (watcher.bookmarks) watcher.response.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Node', apiVersion: 'v1', metadata: { resourceVersion: this.resourceVersion } } })}\n`);
    }
  }

  get openWatches(): number {
    return this.#watchers.size;
  }

  lists(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === '/api/v1/nodes' && request.query['watch'] !== 'true');
  }

  watches(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === '/api/v1/nodes' && request.query['watch'] === 'true');
  }

  lease(namespace: string, name: string): KubeObject | undefined {
    return this.#leases.get(`${namespace}/${name}`);
  }

  async close(): Promise<void> {
    this.closeWatches();
    this.silentWatches = false;
    await new Promise<void>((resolve) => {
      if (!this.#server) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams.entries());
    this.requests.push({ method: request.method ?? 'GET', path: url.pathname, query });
    if (url.pathname === '/api/v1/nodes' && request.method === 'GET') {
      if (this.failNext > 0) {
        this.failNext -= 1;
        return json(response, 500, status(500, 'InternalError', 'injected failure'));
      }
      if (query['watch'] === 'true') return this.#watch(response, query);
      return json(response, 200, { kind: 'NodeList', apiVersion: 'v1', metadata: { resourceVersion: this.resourceVersion }, items: [...this.#nodes.values()] });
    }
    const lease = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/]+))?$/.exec(url.pathname);
    if (lease) return void this.#lease(request, response, lease[1] ?? '', lease[2]);
    json(response, 404, status(404, 'NotFound', `${url.pathname} not served here`));
  }

  #watch(response: ServerResponse, query: Record<string, string>): void {
    const from = Number(query['resourceVersion'] ?? '0');
    response.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // kube-apiserver sends the headers at once; a client waits for them before it reads any event.
    response.flushHeaders();
    if (from < this.#compactedAt) {
      response.end(`${JSON.stringify(expired(from))}\n`);
      return;
    }
    if (this.silentWatches) return;
    for (const event of this.#history) if (event.resourceVersion > from) response.write(`${JSON.stringify({ type: event.type, object: event.object })}\n`);
    const watcher: Watcher = { response, bookmarks: query['allowWatchBookmarks'] === 'true' };
    this.#watchers.add(watcher);
    const timeoutSeconds = Number(query['timeoutSeconds'] ?? '0');
    const timeout = timeoutSeconds > 0 ? setTimeout(() => this.#watchers.delete(watcher) && response.end(), timeoutSeconds * 1000) : undefined;
    response.on('close', () => {
      clearTimeout(timeout);
      this.#watchers.delete(watcher);
    });
  }

  async #lease(request: IncomingMessage, response: ServerResponse, namespace: string, name: string | undefined): Promise<void> {
    const body = request.method === 'GET' ? undefined : (JSON.parse(await readBody(request)) as KubeObject);
    if (request.method === 'GET' && name) {
      const found = this.#leases.get(`${namespace}/${name}`);
      return found ? json(response, 200, found) : json(response, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`));
    }
    if (request.method === 'POST' && body) {
      const key = `${namespace}/${body.metadata.name}`;
      if (this.#leases.has(key)) return json(response, 409, status(409, 'AlreadyExists', `leases.coordination.k8s.io "${body.metadata.name}" already exists`));
      this.#resourceVersion += 1;
      const created = { ...body, metadata: { ...body.metadata, namespace, resourceVersion: this.resourceVersion } };
      this.#leases.set(key, created);
      return json(response, 201, created);
    }
    if (request.method === 'PUT' && body && name) {
      const key = `${namespace}/${name}`;
      const current = this.#leases.get(key);
      if (!current) return json(response, 404, status(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`));
      if (body.metadata.resourceVersion !== current.metadata.resourceVersion) {
        return json(response, 409, status(409, 'Conflict', 'the object has been modified; please apply your changes to the latest version and try again'));
      }
      this.#resourceVersion += 1;
      const replaced = { ...body, metadata: { ...body.metadata, namespace, resourceVersion: this.resourceVersion } };
      this.#leases.set(key, replaced);
      return json(response, 200, replaced);
    }
    json(response, 405, status(405, 'MethodNotAllowed', `${request.method} not served here`));
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function expired(resourceVersion: number) {
  return { type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${resourceVersion}`) };
}

function json(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}
