// JSON Schemas of the event details and envelope, generated from the zod schemas (the one definition).
// `npm run schemas` writes them to events/json-schema/; a test fails when the committed files drift.
import { z } from 'zod';
import { DETAIL_SCHEMAS, envelopeSchema, type DetailType } from './schemas.js';
import { profileSchema } from '../functions/domain/profile.js';

function fileName(detailType: DetailType): string {
  return `${detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.schema.json`;
}

/** File name -> JSON text, deterministic. */
export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  const options = { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' } as const;
  for (const [detailType, schema] of Object.entries(DETAIL_SCHEMAS) as [DetailType, z.ZodType][]) {
    const json = { title: `${detailType} (detail)`, ...z.toJSONSchema(schema, options) };
    out[fileName(detailType)] = `${JSON.stringify(json, null, 2)}\n`;
  }
  out['envelope.schema.json'] = `${JSON.stringify({ title: 'EventBridge envelope', ...z.toJSONSchema(envelopeSchema, options) }, null, 2)}\n`;
  out['connectivity-profile.schema.json'] = `${JSON.stringify({ title: 'ConnectivityProfile', ...z.toJSONSchema(profileSchema, options) }, null, 2)}\n`;
  return out;
}
