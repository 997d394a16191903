// aws-local-stepfunctions 3.x calls Promise.withResolvers (Node 22); Node 20 lacks it.
import '../../functions/adapters/flow-runner/polyfills.js';

// The AWS SDK warns on Node 20 once per worker that releases after January 2027 need Node 22 (docs/notes.md);
// it says nothing about the code under test, so test output leaves it out.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
