// Issue 5 as a user runs it: one Slack message per run (a real HTTP receiver on 127.0.0.1), a quiet replay,
// and a manual trigger of one flow.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJson, runCli } from '../support/cli.js';

interface Report {
  changes: { flow: string; kind: string; cidr?: string; nextHop?: string; peerCidr?: string; status: string; target: string }[];
  counts: { applied: number; unchanged: number; blocked: number; failed: number };
}

describe('CLI: notifications and manual triggers', () => {
  let dir: string;
  let server: Server;
  let hookUrl: string;
  const posts: { path: string; body: { text?: string; blocks?: unknown[] } }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-notify-'));
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        posts.push({ path: request.url ?? '', body: JSON.parse(body) as { text?: string; blocks?: unknown[] } });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run posts exactly one message listing every applied CIDR and its next hop; a replay posts nothing', async () => {
    // Act
    const first = await runCli(['run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', '--state', dir, '--json'], { SLACK_WEBHOOK_URL: hookUrl });

    // Assess
    expect(first.code).toBe(0);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.path).toBe('/hook');
    const message = JSON.stringify(posts[0]?.body);
    const applied = parseJson<Report>(first).changes.filter((c) => c.status === 'applied');
    expect(applied.length).toBeGreaterThan(0);
    for (const change of applied) {
      if (change.cidr) expect(message).toContain(change.cidr);
      expect(message).toContain(change.target);
      if (change.nextHop) expect(message).toContain(change.nextHop);
      if (change.peerCidr) expect(message).toContain(change.peerCidr);
    }
    expect(message).toContain('cls-demo');

    const replay = await runCli(['run', 'events/samples/cluster-created.json', '--state', dir, '--json'], { SLACK_WEBHOOK_URL: hookUrl });
    expect(replay.code).toBe(0);
    expect(parseJson<Report>(replay).counts.applied).toBe(0);
    expect(posts).toHaveLength(1);
  });

  it('trigger re-runs the vpn flow and reports every entry unchanged', async () => {
    // Prepare: the cluster exists from the previous test's run (same --state)
    // Act
    const result = await runCli(['trigger', 'vpn', '--cluster', 'cls-demo', '--state', dir, '--json']);

    // Assess
    expect(result.code).toBe(0);
    const report = parseJson<Report>(result);
    expect(report.changes.length).toBeGreaterThan(0);
    expect(report.changes.every((c) => c.flow === 'vpn' && c.status === 'unchanged')).toBe(true);
  });

  it('trigger of an unknown flow or cluster is invalid input', async () => {
    expect((await runCli(['trigger', 'teleport', '--cluster', 'cls-demo', '--state', dir])).code).toBe(2);
    const unknown = await runCli(['trigger', 'vpn', '--cluster', 'cls-nope', '--state', dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr + unknown.stdout).toContain('cls-nope');
  });

  it('a failing webhook does not fail or repeat the network change: it becomes a warning', async () => {
    const other = mkdtempSync(join(tmpdir(), 'podreach-notify-fail-'));
    try {
      const result = await runCli(['run', 'events/samples/cluster-created.json', '--profile', 'examples/profiles/demo.yaml', '--state', other, '--json'], {
        SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      });
      expect(result.code).toBe(0);
      const report = parseJson<Report & { warnings: string[] }>(result);
      expect(report.counts.applied).toBeGreaterThan(0);
      expect(report.warnings.some((w) => w.startsWith('notification failed'))).toBe(true);
      expect(report.warnings.join(' ')).not.toContain('127.0.0.1:9/hook');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
