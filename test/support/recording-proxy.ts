// A recording HTTP proxy on 127.0.0.1 in front of an AWS emulator (moto_server, or LocalStack): it forwards every
// request unchanged and logs, per call, the service and access key the SDK signed it with (the SigV4 credential
// scope) and the operation (Query `Action`, or the JSON protocols' X-Amz-Target). That is the call log the tests
// compare with the IAM actions podreach declares, and where an assumed role's credentials show.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedAwsCall {
  service: string;
  action: string;
  accessKeyId: string;
  /** The request's parameters (Query form fields, or the JSON body's top-level fields as text). */
  params: Record<string, string>;
  /** The emulator's answer: status and body (an AssumeRole's answer holds the credentials it issued). */
  status?: number;
  response?: string;
}

export interface RecordingProxy {
  endpoint: string;
  calls: RecordedAwsCall[];
  /** `service:Action` of every call, in order. */
  actions(): string[];
  stop(): Promise<void>;
}

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parse(request: IncomingMessage, payload: Buffer): RecordedAwsCall {
  const authorization = String(request.headers.authorization ?? '');
  const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization);
  const target = request.headers['x-amz-target'];
  const text = payload.toString('utf8');
  let params: Record<string, string> = {};
  let action = '';
  if (typeof target === 'string') {
    action = target.slice(target.lastIndexOf('.') + 1);
    try {
      const json = JSON.parse(text || '{}') as Record<string, unknown>;
      params = Object.fromEntries(Object.entries(json).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
    } catch {
      params = {};
    }
  } else {
    const form = new URLSearchParams(text);
    const query = new URL(request.url ?? '/', 'http://proxy').searchParams;
    params = Object.fromEntries([...query, ...form]);
    action = params['Action'] ?? '';
  }
  return { service: scope?.[2] ?? 'unknown', action, accessKeyId: scope?.[1] ?? '', params };
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const calls: RecordedAwsCall[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const payload = await body(request);
      const call = parse(request, payload);
      calls.push(call);
      const forwarded = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(chunks);
            call.status = answer.statusCode ?? 502;
            call.response = text.toString('utf8');
            response.writeHead(call.status, answer.headers);
            response.end(text);
          });
        },
      );
      forwarded.on('error', (error) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
      forwarded.end(payload);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    actions: () => calls.map((call) => `${call.service}:${call.action}`),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
