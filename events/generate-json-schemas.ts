// Writes events/json-schema/*.schema.json from the zod schemas. Run: npm run schemas
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderJsonSchemas } from './json-schemas.js';

const outDir = join(dirname(fileURLToPath(import.meta.url)), 'json-schema');
mkdirSync(outDir, { recursive: true });
for (const [name, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(join(outDir, name), text);
  console.log(`wrote events/json-schema/${name}`);
}
