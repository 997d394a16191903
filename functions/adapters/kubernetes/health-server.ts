// Liveness and readiness over HTTP for the watcher (kubelet probes): /healthz answers 200 while the process runs
// and 503 once it is shutting down; /readyz answers 200 once the first list is in and the last batch was sent
// (or nothing needed sending), else 503; both bodies are the watcher's status as JSON.
import { createServer, type Server } from 'node:http';

export interface HealthStatus {
  live: boolean;
  ready: boolean;
  [detail: string]: unknown;
}

export interface HealthServer {
  /** The address it listens on, e.g. http://127.0.0.1:8081 */
  url: string;
  close(): Promise<void>;
}

export async function startHealthServer(options: { host: string; port: number; status: () => HealthStatus }): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const status = options.status();
    const answer = (ok: boolean) => {
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify(status)}\n`);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
    } else if (path === '/healthz' || path === '/livez') answer(status.live);
    else if (path === '/readyz') answer(status.live && status.ready);
    else response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
