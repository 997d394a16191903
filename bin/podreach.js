#!/usr/bin/env node
// The podreach command. Runs the CLI bundle `npm run build` made (npm ci runs it through `prepare`); when a source
// file is newer than that build (a developer editing, a checkout of another commit), it runs the TypeScript sources
// through tsx instead, so what runs is always what the sources say. See README "Choices".
import { buildIsCurrent } from './build-state.js';

// The SDK warns on every Node 20 start that releases after January 2027 need Node 22 (Lambda runs 22; see
// docs/notes.md). The CLI's users get it once there, not on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

let main;
if (buildIsCurrent()) {
  // Stack traces are printed only in debug mode; reading the source maps costs time otherwise.
  if (process.env.PODREACH_LOG === 'debug') process.setSourceMapsEnabled(true);
  ({ main } = await import('../dist/cli/podreach.js'));
} else {
  process.stderr.write('podreach: sources changed since the last build, running them through tsx (`npm run build` makes it fast again)\n');
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../functions/cli/main.ts'));
}
const code = await main(process.argv);
process.exitCode = code;
// Leftover keep-alive sockets must not hold the command open once its work is done.
setTimeout(() => process.exit(code), 1000).unref();
