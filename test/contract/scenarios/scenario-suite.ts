// Declares the Jest checks for one scenario: run on the sandbox, run on the cloud's contract server, and for
// each event the same changes with the same statuses, except the differences a cloud has for a real reason.
import { configuredFlows } from '../../../functions/domain/planner/index.js';
import { ungranted } from '../../support/policy-coverage.js';
import { compareOutcomes, runOnCloud, runOnSandbox, type CloudAccount, type ExpectedDifference, type Run, type Scenario } from './harness.js';

export interface ScenarioCase<A extends CloudAccount = CloudAccount> {
  scenario: Scenario;
  startAccount(scenario: Scenario): Promise<A>;
  /** Differences the cloud has for a real reason, by event index (0-based); none by default. */
  differences?: Record<number, ExpectedDifference[]>;
  /** false: an expected difference may match no row of an event (rules shared by every event). Default true. */
  requireEveryDifference?: boolean;
  /** Extra checks on the account after every event ran (the server's state). */
  afterAll?: (account: A) => void;
}

export function describeScenario<A extends CloudAccount>(test: ScenarioCase<A>): void {
  const { scenario } = test;
  describe(`Scenario: ${scenario.name} (${scenario.provider})`, () => {
    let sandbox: Run;
    let cloud: Run;
    let account: A | undefined;

    beforeAll(async () => {
      sandbox = await runOnSandbox(scenario);
      account = await test.startAccount(scenario);
      cloud = await runOnCloud(scenario, account);
      // Alibaba's adapter polls asynchronous route entries every 2 s (the registry passes no interval).
    }, 300_000);
    afterAll(async () => {
      await account?.stop();
    });

    scenario.events.forEach(({ file }, index) => {
      it(`event ${index + 1} (${file}): the same changes and outcomes as on the sandbox`, () => {
        // Prepare
        const expected = test.differences?.[index] ?? [];
        const sandboxReport = sandbox.reports[index];
        const cloudReport = cloud.reports[index];

        // Act
        const comparison = compareOutcomes(sandboxReport?.changes ?? [], cloudReport?.changes ?? [], expected);

        // Assess: a run that did not happen (a failed setup) is a failure, never an empty comparison
        expect(sandboxReport).toBeDefined();
        expect(cloudReport).toBeDefined();
        expect(cloudReport?.errors ?? []).toEqual(sandboxReport?.errors ?? []);
        expect(comparison.cloudAsSandbox).toEqual(comparison.sandbox);
        if (test.requireEveryDifference !== false) expect(comparison.unmatched).toEqual([]);
      });
    });

    it('sent only calls the least-privilege policy for its flows grants (podreach permissions --flows ...)', () => {
      // Prepare
      const flows = configuredFlows(scenario.profile.spec);

      // Act
      const sent = account?.sentActions() ?? [];

      // Assess (a scenario whose changes are all blocked before any call sends nothing)
      expect(ungranted(scenario.provider, flows, sent)).toEqual([]);
    });

    if (test.afterAll) {
      it('leaves the account as the sandbox leaves it (foreign entries kept)', () => {
        expect(account).toBeDefined();
        if (account) test.afterAll?.(account);
      });
    }
  });
}
