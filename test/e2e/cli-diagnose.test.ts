// `podreach diagnose` as a person runs it (a child process), on the CCE guide's ECS 192.168.10.52: issue 13's first
// acceptance, the JSON report, and bad input (exit 2 naming the field, nothing read from the cloud).
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnosis } from '../../functions/domain/diagnose/index.js';
import { parseJson, runCli } from '../support/cli.js';

const S = 'examples/scenarios/cce-vpc-security-group';

/** The scenario's profile without its securityGroups section. */
const NO_GROUPS = `apiVersion: podreach/v1
kind: ConnectivityProfile
metadata:
  name: cce-vpc-security-group
spec:
  match: { clusterIds: [cce-sg01], vpcIds: [vpc-cce01] }
  vpc: { id: vpc-cce01, cidr: 192.168.0.0/16 }
`;

describe('CLI: podreach diagnose', () => {
  let dir: string;
  const state = () => ['--state', join(dir, 'state')];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-cli-diagnose-'));
    writeFileSync(join(dir, 'no-groups.yaml'), NO_GROUPS);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('run under a profile without securityGroups: exit 1 naming sg-ecs0a1b2c and 172.16.0.0/16; after a run with the scenario profile: exit 0', async () => {
    // Prepare
    const first = await runCli(['run', `${S}/events/01-cluster-created.json`, '--profile', join(dir, 'no-groups.yaml'), '--sandbox', `${S}/sandbox.yaml`, ...state()]);
    expect(first.code).toBe(0);

    // Act
    const before = await runCli(['diagnose', '--cluster', 'cce-sg01', '--to', '192.168.10.52:80/tcp', ...state()]);
    const beforeJson = await runCli(['diagnose', '--cluster', 'cce-sg01', '--to', '192.168.10.52:80/tcp', ...state(), '--json']);
    const rerun = await runCli(['run', `${S}/events/01-cluster-created.json`, '--profile', `${S}/profile.yaml`, ...state()]);
    const after = await runCli(['diagnose', '--cluster', 'cce-sg01', '--to', '192.168.10.52:80/tcp', ...state()]);

    // Assess
    expect(before.code).toBe(1);
    expect(before.stdout).toMatch(/missing .*sg-rule +sg-ecs0a1b2c .*172\.16\.0\.0\/16 on tcp:80 not admitted/);
    expect(before.stdout).toContain('securityGroups: [{ id: sg-ecs0a1b2c, ports: ["tcp:80"] }]');
    const report = parseJson<Diagnosis>(beforeJson);
    expect(beforeJson.code).toBe(1);
    expect(report.destination).toMatchObject({ ip: '192.168.10.52', securityGroups: ['sg-ecs0a1b2c'] });
    expect(report.hops.filter((hop) => hop.status === 'missing').map((hop) => [hop.check, hop.where, hop.fix?.profileSection])).toEqual([['sg-rule', 'sg-ecs0a1b2c', 'spec.securityGroups']]);
    expect(rerun.code).toBe(0);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/ok +-> +sg-rule +sg-ecs0a1b2c/);
    expect(after.stdout).toContain('reachable as far as podreach can read');
  }, 180_000);

  it.each([
    [['--to', '192.168.10', '--cluster', 'cce-sg01'], /^error: --to: "192\.168\.10" is not IP\[:PORT\[\/PROTO\]\]/],
    [['--to', '192.168.10.52:80/sctp', '--cluster', 'cce-sg01'], /^error: --to: protocol "sctp" is not tcp or udp/],
    [['--to', '192.168.10.52', '--cluster', 'cce-nope'], /^error: --cluster: cluster cce-nope is not recorded \(recorded: cce-sg01\)/],
    [['--to', '192.168.10.52', '--cluster', 'cce-sg01', '--from', '10.9.9.9'], /^error: --from: 10\.9\.9\.9 is in none of cce-sg01's container CIDRs/],
    [['--to', '192.168.10.52', '--cluster', 'cce-sg01', '--from', ''], /^error: --from: "" is not an IP address/],
    [['--to', 'junk', '--cluster', 'cce-sg01', '--aws'], /^error: --to: "junk" is not IP\[:PORT\[\/PROTO\]\]/],
  ])('bad input %p: exit 2 naming the field', async (args, message) => {
    const result = await runCli(['diagnose', ...args, ...state()]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
    expect(result.stdout).toBe('');
  });

  it('a --state directory that holds nothing is bad input, and is not created', async () => {
    const missing = join(dir, 'nothing-here');
    const result = await runCli(['diagnose', '--cluster', 'cce-sg01', '--to', '192.168.10.52', '--state', missing]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --state: no podreach state in /);
    expect(existsSync(missing)).toBe(false);
  });
});
