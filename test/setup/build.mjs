// Jest global setup: when a source is newer than the last `npm run build`, rebuild (the CLI bundle ~1-2 s, the flow
// definitions only when infra/ changed), so tests that run bin/podreach.js exercise the bundle of the current sources
// and the generated definitions match them. Nothing happens when the build is current.
import { spawnSync } from 'node:child_process';
import { buildIsCurrent, repoRoot } from '../../bin/build-state.js';

export default function globalSetup() {
  if (buildIsCurrent()) return;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${result.status}): the tests would run stale code`);
}
