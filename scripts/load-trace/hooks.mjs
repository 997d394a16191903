// Module hooks of the load trace (runs on the loader thread): records each resolved ESM URL.
import { appendFileSync } from 'node:fs';

let traceFile;

export function initialize(data) {
  traceFile = data.traceFile;
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (result.url.startsWith('file:')) appendFileSync(traceFile, `${result.url}\n`);
  return result;
}
