// `podreach permissions`: the least-privilege policy a person or CI needs to run podreach against a cloud account.
import { omittedDependencies, PERMISSION_MODES, policyActions, policyDocument, POLICY_PROVIDERS, type PermissionMode, type PolicyProvider, type PolicyRequest } from '../adapters/permissions.js';
import { InvalidInputError } from '../domain/errors.js';
import { FLOWS, type Flow } from '../domain/model.js';

export interface PermissionsFlags {
  provider: string;
  flows?: string;
  mode: string;
  format: string;
  assumeRole?: string[];
  withDependencies?: boolean;
  account?: string;
  region?: string;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidInputError(field, `"${value}" is not one of: ${allowed.join(', ')}`);
  return value as T;
}

export function permissionsRequest(flags: PermissionsFlags): PolicyRequest {
  const provider = oneOf<PolicyProvider>(flags.provider, POLICY_PROVIDERS, '--provider');
  const flows = flags.flows === undefined ? [...FLOWS] : flags.flows.split(',').map((flow) => oneOf<Flow>(flow.trim(), FLOWS, '--flows'));
  if (flows.length === 0) throw new InvalidInputError('--flows', 'name at least one flow');
  const mode = oneOf<PermissionMode>(flags.mode, PERMISSION_MODES, '--mode');
  if (flags.account !== undefined && !/^\d{12}$/.test(flags.account)) throw new InvalidInputError('--account', `"${flags.account}" is not a 12-digit AWS account id`);
  if ((flags.account !== undefined || flags.region !== undefined) && provider !== 'aws') {
    throw new InvalidInputError(flags.account !== undefined ? '--account' : '--region', 'only AWS policies name resources by ARN; the other clouds grant these actions on every resource (*)');
  }
  return {
    provider,
    flows,
    mode,
    ...(flags.withDependencies ? { withDependencies: true } : {}),
    ...(flags.assumeRole?.length ? { assumeRoles: flags.assumeRole } : {}),
    ...(flags.account !== undefined || flags.region !== undefined ? { aws: { ...(flags.account ? { account: flags.account } : {}), ...(flags.region ? { region: flags.region } : {}) } } : {}),
  };
}

export function permissionsCommand(flags: PermissionsFlags): number {
  const format = oneOf(flags.format, ['text', 'json'] as const, '--format');
  const request = permissionsRequest(flags);
  const document = policyDocument(request);
  const omitted = omittedDependencies(request);
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
    if (omitted.length > 0) process.stderr.write(`note: ${request.provider} also requires ${omitted.join(', ')} for some of these calls; --with-dependencies adds them\n`);
    return 0;
  }
  const lines = [`${request.provider}: what podreach ${request.mode === 'apply' ? 'reads and writes' : 'reads'} for ${request.flows.join(', ')} (${request.mode})`, ''];
  const actions = policyActions(request);
  const width = Math.max(...actions.map((action) => action.action.length), 6);
  lines.push(`${'ACTION'.padEnd(width)}  FOR`);
  for (const action of actions) lines.push(`${action.action.padEnd(width)}  ${action.kinds.length > 0 ? action.kinds.join(', ') : 'the destination, by its address (diagnose)'}`);
  if (actions.length === 0) lines.push('(nothing: these flows plan no kind this cloud applies)');
  if (omitted.length > 0) lines.push('', `${request.provider} also requires, for some of these calls: ${omitted.join(', ')} (--with-dependencies adds them)`);
  lines.push('', `the policy document: podreach permissions --provider ${request.provider}${flags.flows ? ` --flows ${flags.flows}` : ''} --mode ${request.mode} --format json`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
