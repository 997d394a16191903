// aws-local-stepfunctions 3.x calls Promise.withResolvers (Node 22); Node 20 lacks it.
import '../../functions/adapters/flow-runner/polyfills.js';
