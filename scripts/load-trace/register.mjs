// Preloaded with `node --import` by scripts/load-trace.ts: appends every module file the process loads (ESM through
// a resolve hook, CommonJS through Module._load) to the file named by PODREACH_LOAD_TRACE, one URL or path a line.
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';

const traceFile = process.env.PODREACH_LOAD_TRACE;
if (traceFile) {
  register('./hooks.mjs', import.meta.url, { data: { traceFile } });
  const load = Module._load;
  Module._load = function tracedLoad(request, parent, isMain) {
    const exports = load.call(this, request, parent, isMain);
    try {
      appendFileSync(traceFile, `${Module._resolveFilename(request, parent, isMain)}\n`);
    } catch {
      // built-in modules and anything that cannot be resolved again are not files
    }
    return exports;
  };
}
