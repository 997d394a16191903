// `podreach permissions` as a user runs it: for each cloud, the printed policy parses as that cloud's format and names
// exactly the actions of its adapter's table for the flows and mode asked for; bad flags exit 2 naming the flag.
import { ACTIONS_BY_PROVIDER, POLICY_PROVIDERS } from '../../functions/adapters/permissions.js';
import { FLOW_KINDS } from '../../functions/domain/planner/flow-kinds.js';
import { parseJson, runCli } from '../support/cli.js';
import { POLICY_SCHEMAS } from '../support/policy-formats.js';

function granted(document: Record<string, unknown>): string[] {
  const statements = (document['Statement'] ?? document['statement']) as Array<Record<string, unknown>>;
  return [...new Set(statements.flatMap((statement) => [statement['Action'] ?? statement['action']].flat() as string[]))].sort();
}

describe('CLI: podreach permissions', () => {
  it.each(POLICY_PROVIDERS)('--provider %s --format json prints a policy in that cloud\'s format, with the adapter\'s actions for the flows', async (provider) => {
    // Act
    const result = await runCli(['permissions', '--provider', provider, '--flows', 'peering,security', '--format', 'json']);

    // Assess
    expect(result.code).toBe(0);
    const document = parseJson<Record<string, unknown>>(result);
    expect(() => POLICY_SCHEMAS[provider].parse(document)).not.toThrow();
    const table = ACTIONS_BY_PROVIDER[provider];
    const kinds = [...FLOW_KINDS.peering, ...FLOW_KINDS.security];
    const expected = [...new Set(kinds.flatMap((kind) => [...(table[kind]?.list ?? []), ...(table[kind]?.apply ?? [])].map((action) => action.action)))].sort();
    expect(granted(document)).toEqual(expected);
  });

  it('prints, read-only, what a plan reads, and a readable list by default', async () => {
    const readOnly = await runCli(['permissions', '--provider', 'aws', '--mode', 'plan', '--format', 'json']);
    expect(readOnly.code).toBe(0);
    expect(granted(parseJson(readOnly)).every((action) => /^(ec2|directconnect):(Describe|Search)/.test(action))).toBe(true);
    const text = await runCli(['permissions', '--provider', 'huawei', '--flows', 'vpn']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('vpn:vpnConnections:update');
    expect(text.stdout).toContain('--with-dependencies');
  });

  it('exits 2 naming the flag of a bad value', async () => {
    const unknown = await runCli(['permissions', '--provider', 'gcp']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--provider');
    const flow = await runCli(['permissions', '--provider', 'aws', '--flows', 'tunnels']);
    expect(flow.code).toBe(2);
    expect(flow.stderr).toContain('--flows');
  });
});
