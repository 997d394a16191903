// A recording proxy on 127.0.0.1 in front of an AWS emulator (moto_server, or LocalStack): it passes every request on
// unchanged and records what it was — the EC2/STS query action (Action=... in the form body) or the JSON protocol's
// target (X-Amz-Target) with its body — and who signed it: the service and access key of the SigV4 credential
// scope. Tests count and inspect the calls podreach's SDK clients make with it, compare them with the IAM actions
// podreach declares, and see which credentials (an assumed role's) signed each.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  action: string;
  /** The request body as sent. */
  body: string;
  /** The signing service (ec2, sts, directconnect...) and access key, from the Authorization header. */
  service: string;
  accessKeyId: string;
  /** The request's parameters (Query form fields, or the JSON body's top-level fields as text). */
  params: Record<string, string>;
  /** The emulator's answer: status and body (an AssumeRole's answer holds the credentials it issued). */
  status?: number;
  response?: string;
}

export interface RecordingProxy {
  url: string;
  calls: RecordedCall[];
  /** `service:Action` of every call, in order: the IAM action each call needs. */
  actions(): string[];
  close(): Promise<void>;
}

function parse(incoming: IncomingMessage, text: string): Omit<RecordedCall, 'body'> | undefined {
  const scope = /Credential=([^/]+)\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(incoming.headers.authorization ?? ''));
  const amzTarget = incoming.headers['x-amz-target'];
  let params: Record<string, string> = {};
  let action: string | null | undefined;
  if (typeof amzTarget === 'string') {
    action = amzTarget.split('.').pop() ?? amzTarget;
    try {
      const json = JSON.parse(text || '{}') as Record<string, unknown>;
      params = Object.fromEntries(Object.entries(json).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
    } catch {
      params = {};
    }
  } else {
    const form = new URLSearchParams(text);
    const query = new URL(incoming.url ?? '/', 'http://proxy').searchParams;
    params = Object.fromEntries([...query, ...form]);
    action = params['Action'];
  }
  if (!action) return undefined;
  return { action, service: scope?.[2] ?? 'unknown', accessKeyId: scope?.[1] ?? '', params };
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
      const parsed = parse(incoming, text);
      const call = parsed ? { ...parsed, body: text } : undefined;
      if (call) calls.push(call);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: { ...incoming.headers, host: upstream.host } },
        (response) => {
          const answer: Buffer[] = [];
          response.on('data', (chunk: Buffer) => answer.push(chunk));
          response.on('end', () => {
            const content = Buffer.concat(answer);
            if (call) {
              call.status = response.statusCode ?? 500;
              call.response = content.toString('utf8');
            }
            outgoing.writeHead(response.statusCode ?? 500, response.headers);
            outgoing.end(content);
          });
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
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return { url: `http://127.0.0.1:${port}`, calls, actions: () => calls.map((call) => `${call.service}:${call.action}`), close };
}
