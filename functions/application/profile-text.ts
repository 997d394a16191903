// Parses a connectivity profile from YAML or JSON text; errors name the file and the field
// (profile.yaml: spec.vpn[0].remoteCidrs[1]: ...), and tell a wrong type from a missing field (events/parse.ts).
import { InvalidInputError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { profileSchema, type ConnectivityProfile } from '../domain/profile.js';
import { describeValue, PARSE_OPTIONS, parseYamlText, toInvalidInput, withSource } from '../../events/parse.js';

export function parseProfileText(text: string, source = 'profile'): ConnectivityProfile {
  const value = parseYamlText(text, source, LIMITS.profileBytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('(root)', `a profile must be a YAML or JSON object with apiVersion, kind, metadata and spec, got ${describeValue(value)}`, source);
  }
  const result = profileSchema.safeParse(value, PARSE_OPTIONS);
  if (!result.success) throw withSource(toInvalidInput(result.error), source);
  // stored as one DynamoDB item (at most 400 KB): defaults can make the stored form larger than the file
  const stored = Buffer.byteLength(JSON.stringify(result.data), 'utf8');
  if (stored > LIMITS.profileBytes) throw new InvalidInputError(source, `too large: the profile holds ${Math.ceil(stored / 1024)} KB, at most ${LIMITS.profileBytes / 1024} KB`);
  return result.data;
}
