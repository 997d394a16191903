// `podreach run EVENT --provider tencent` with PODREACH_TENCENT_ENDPOINT pointing at the Tencent contract server
// applies the TKE scenario's first event through the real SDK, in a child process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('signs with a named profile from the credentials file (TENCENTCLOUD_PROFILE) when no keys are in the environment', async () => {
    // Prepare
    const scenario = loadScenario('examples/scenarios/tke-idc');
    const account = await startTencentAccount(scenario);
    const state = mkdtempSync(join(tmpdir(), 'podreach-cli-tencent-profile-'));
    const credentials = join(state, 'credentials');
    writeFileSync(credentials, '[default]\nsecret_id = AKIDdefault\nsecret_key = k0\n\n[ops]\nsecret_id = AKIDopsprofile\nsecret_key = k1\n');
    try {
      // Act
      const result = await runCli(['run', scenario.events[0]?.file ?? '', '--profile', scenario.profileFile, '--provider', 'tencent', '--state', state, '--json'], {
        ...account.env,
        TENCENTCLOUD_SECRET_ID: '',
        TENCENTCLOUD_SECRET_KEY: '',
        TENCENTCLOUD_PROFILE: 'ops',
        TENCENTCLOUD_CREDENTIALS_FILE: credentials,
        PODREACH_TENCENT_ENDPOINT: account.endpoint,
      });

      // Assess
      expect(result.code).toBe(0);
      expect(parseJson<RunReport>(result).counts.applied).toBeGreaterThan(0);
      expect(account.server.calls.length).toBeGreaterThan(0);
      expect(account.server.calls.every((call) => call.authorization.includes('Credential=AKIDopsprofile/'))).toBe(true);
    } finally {
      await account.stop();
      rmSync(state, { recursive: true, force: true });
    }
  });
});
