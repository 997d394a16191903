// `podreach run EVENT --provider tencent` with PODREACH_TENCENT_ENDPOINT pointing at the Tencent contract server
// applies the TKE scenario's first event through the real SDK, in a child process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../../../functions/cli/report.js';
import { parseJson, runCli } from '../../support/cli.js';
import { loadScenario } from './harness.js';
import { startTencentAccount } from './tencent-account.js';

describe('CLI: podreach run --provider tencent', () => {
  it('applies the TKE scenario first event on the Tencent contract server', async () => {
    // Prepare
    const scenario = loadScenario('examples/scenarios/tke-idc');
    const account = await startTencentAccount(scenario);
    const state = mkdtempSync(join(tmpdir(), 'podreach-cli-tencent-'));
    try {
      const first = scenario.events[0]?.file ?? '';

      // Act
      const result = await runCli(['run', first, '--profile', scenario.profileFile, '--provider', 'tencent', '--state', state, '--json'], {
        ...account.env,
        PODREACH_TENCENT_ENDPOINT: account.endpoint,
      });

      // Assess
      const report = parseJson<RunReport>(result);
      expect(result.code).toBe(0);
      expect(report.counts.failed).toBe(0);
      expect(report.counts.applied).toBeGreaterThan(0);
      const vpnRoute = report.changes.find((change) => change.kind === 'route' && change.flow === 'vpn');
      expect(vpnRoute?.status).toBe('applied');
      // the server holds what the report says was applied
      const table = account.server.routeTables.get(vpnRoute?.target ?? '');
      expect(table?.routes.map((route) => `${route.DestinationCidrBlock} ${route.GatewayId}`)).toContain(`${vpnRoute?.cidr} ${vpnRoute?.nextHop}`);
      expect(account.server.callsOf('CreateRoutes')).toBeGreaterThan(0);
    } finally {
      await account.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
