#!/usr/bin/env node
// The podreach command. Runs the TypeScript sources through tsx (no build step: what runs is what is tested).
import { register } from 'tsx/esm/api';

// The SDK warns on every Node 20 start that releases after January 2027 need Node 22 (Lambda runs 22; see
// docs/notes.md). The CLI's users get it once there, not on every command.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../functions/cli/main.ts');
const code = await main(process.argv);
process.exitCode = code;
// Leftover keep-alive sockets must not hold the command open once its work is done.
setTimeout(() => process.exit(code), 1000).unref();
