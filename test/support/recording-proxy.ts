// A recording proxy on 127.0.0.1 in front of an AWS emulator: passes every request on and records what it was — the
// EC2 query action (Action=... in the form body) or the JSON protocol's target (X-Amz-Target) with its body — so a
// test can count and inspect the calls podreach's SDK clients make.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  action: string;
  body: string;
}

export interface RecordingProxy {
  url: string;
  calls: RecordedCall[];
  /** The action names, in order. */
  actions(): string[];
  close(): Promise<void>;
}

export async function recordingProxy(target: string): Promise<RecordingProxy> {
  const calls: RecordedCall[] = [];
  const upstream = new URL(target);
  const server: Server = createServer((incoming: IncomingMessage, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const amzTarget = incoming.headers['x-amz-target'];
      const action = typeof amzTarget === 'string' ? (amzTarget.split('.').pop() ?? amzTarget) : new URLSearchParams(text).get('Action');
      if (action) calls.push({ action, body: text });
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: { ...incoming.headers, host: upstream.host } },
        (response) => {
          outgoing.writeHead(response.statusCode ?? 500, response.headers);
          response.pipe(outgoing);
        },
      );
      forward.on('error', (error) => {
        outgoing.writeHead(502);
        outgoing.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    actions: () => calls.map((call) => call.action),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
