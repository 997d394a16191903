// A Slack incoming webhook played by a real HTTP server on 127.0.0.1: records every POST, answers from a queue of
// replies (then 200 "ok"). Used by the Slack adapter's tests.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  at: number;
  path: string;
  body: { text: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> };
}

export type Reply = (response: ServerResponse) => void;

/** A webhook receiver: records every POST, answers from a queue of replies (then 200 "ok"). */
export class WebhookReceiver {
  readonly received: Received[] = [];
  readonly replies: Reply[] = [];
  #server: Server = createServer((request, response) => void this.#handle(request, response));

  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/services/T000/B000/secretToken123`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    this.received.push({ at: Date.now(), path: request.url ?? '', body: JSON.parse(text) as Received['body'] });
    const reply = this.replies.shift();
    if (reply) reply(response);
    else response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  }
}

