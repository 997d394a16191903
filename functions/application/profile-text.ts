// Parses a connectivity profile from YAML or JSON text; errors name the field (spec.vpn[0].remoteCidrs[1]).
import { parse as parseYaml } from 'yaml';
import { InvalidInputError } from '../domain/errors.js';
import { profileSchema, type ConnectivityProfile } from '../domain/profile.js';
import { toInvalidInput } from '../../events/parse.js';

export function parseProfileText(text: string, source = 'profile'): ConnectivityProfile {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (error) {
    throw new InvalidInputError(source, `not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const result = profileSchema.safeParse(value);
  if (!result.success) {
    const invalid = toInvalidInput(result.error);
    throw new InvalidInputError(`${source}: ${invalid.field}`, invalid.message.slice(invalid.field.length + 2));
  }
  return result.data;
}
