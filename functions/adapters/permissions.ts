// Least-privilege policy documents for a person or CI running podreach against a real account, in each cloud's own
// policy language: AWS IAM (Version 2012-10-17), Tencent CAM (version 2.0), Alibaba RAM (Version 1), Huawei IAM
// custom policy (Version 1.1). Built from the actions each adapter declares per change kind (<cloud>/actions.ts),
// for the kinds the chosen flows can plan (FLOW_KINDS) and the mode: `plan` reads only (the list calls), `diagnose`
// also looks destinations up by address, `apply` also writes. No SDK is loaded.
import { InvalidInputError } from '../domain/errors.js';
import type { ChangeKind, Flow } from '../domain/model.js';
import { kindsOfFlows } from '../domain/planner/flow-kinds.js';
import { ALIBABA_ACTIONS, ALIBABA_ADDRESS_ACTIONS, ALIBABA_ASSUME_ROLE_ACTION } from './alibaba/actions.js';
import { AWS_ACTIONS, AWS_ADDRESS_ACTIONS, AWS_ASSUME_ROLE_ACTION, AWS_STATEMENT_IDS } from './aws/actions.js';
import { HUAWEI_ACTIONS, HUAWEI_ADDRESS_ACTIONS } from './huawei/actions.js';
import type { ActionsTable, AddressActions, CloudAction } from './kit/actions.js';
import { TENCENT_ACTIONS, TENCENT_ADDRESS_ACTIONS, TENCENT_ASSUME_ROLE_ACTION } from './tencent/actions.js';

export const POLICY_PROVIDERS = ['aws', 'tencent', 'alibaba', 'huawei'] as const;
export type PolicyProvider = (typeof POLICY_PROVIDERS)[number];

export const PERMISSION_MODES = ['apply', 'plan', 'diagnose'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

export const ACTIONS_BY_PROVIDER: Readonly<Record<PolicyProvider, Partial<ActionsTable>>> = {
  aws: AWS_ACTIONS,
  tencent: TENCENT_ACTIONS,
  alibaba: ALIBABA_ACTIONS,
  huawei: HUAWEI_ACTIONS,
};

/** What diagnose's address lookup sends on each cloud (beside the list calls every mode reads). */
export const ADDRESS_ACTIONS_BY_PROVIDER: Readonly<Record<PolicyProvider, AddressActions>> = {
  aws: AWS_ADDRESS_ACTIONS,
  tencent: TENCENT_ADDRESS_ACTIONS,
  alibaba: ALIBABA_ADDRESS_ACTIONS,
  huawei: HUAWEI_ADDRESS_ACTIONS,
};

export interface PolicyRequest {
  provider: PolicyProvider;
  flows: readonly Flow[];
  mode: PermissionMode;
  /** Also the actions the cloud's IAM requires beside the ones podreach sends (Huawei's dependencies). */
  withDependencies?: boolean;
  /** Roles of other accounts the principal assumes (the credentials' accounts): sts:AssumeRole on exactly these. */
  assumeRoles?: readonly string[];
  /** AWS: the partition, region and account the resource ARNs name; `*` when not given. */
  aws?: { partition?: string; region?: string; account?: string };
}

/** One kind's actions for a mode: what a plan (or diagnose) reads, or everything applying sends. */
function actionsOf(table: Partial<ActionsTable>, kind: ChangeKind, mode: PermissionMode): readonly CloudAction[] {
  const kindActions = table[kind];
  if (!kindActions) return [];
  return mode === 'apply' ? [...kindActions.list, ...kindActions.apply] : kindActions.list;
}

/** The actions of the request, each once, with the kinds that need it, in a stable order. */
export function policyActions(request: Pick<PolicyRequest, 'provider' | 'flows' | 'mode'>): Array<CloudAction & { kinds: ChangeKind[] }> {
  const table = ACTIONS_BY_PROVIDER[request.provider];
  const byAction = new Map<string, CloudAction & { kinds: ChangeKind[] }>();
  for (const kind of kindsOfFlows(request.flows)) {
    for (const action of actionsOf(table, kind, request.mode)) {
      const seen = byAction.get(action.action);
      if (seen) {
        if (!seen.kinds.includes(kind)) seen.kinds.push(kind);
      } else byAction.set(action.action, { ...action, kinds: [kind] });
    }
  }
  // diagnose also finds the destination by its address
  if (request.mode === 'diagnose') {
    for (const action of ADDRESS_ACTIONS_BY_PROVIDER[request.provider]) if (!byAction.has(action.action)) byAction.set(action.action, { ...action, kinds: [] });
  }
  return [...byAction.values()].sort((a, b) => (a.action < b.action ? -1 : a.action > b.action ? 1 : 0));
}

function withDependencies(actions: readonly CloudAction[], include: boolean | undefined): string[] {
  const names = actions.map((action) => action.action);
  const extra = include ? actions.flatMap((action) => action.dependsOn ?? []) : [];
  return [...new Set([...names, ...extra])].sort();
}

/** arn:<partition>:ec2:<region>:<account>:route-table/* for `ec2:route-table`; Direct Connect gateways are global. */
export function awsResourceArn(resource: string, scope: { partition: string; region: string; account: string }): string {
  const [service = '', type = ''] = resource.split(':');
  const region = service === 'directconnect' ? '' : scope.region;
  return `arn:${scope.partition}:${service}:${region}:${scope.account}:${type}/*`;
}

export interface AwsStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

/** AWS statements grouped by the resource types their actions are authorized against (the deployed roles' Sids). */
export function awsStatements(actions: readonly CloudAction[], resourceArn: (resource: string) => string): AwsStatement[] {
  const groups = new Map<string, { resources: string[]; actions: Set<string> }>();
  for (const action of actions) {
    const resources = [...(action.resources ?? [])].sort();
    const key = resources.join(',');
    const group = groups.get(key) ?? { resources, actions: new Set<string>() };
    group.actions.add(action.action);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, group]) => ({
      Sid: AWS_STATEMENT_IDS[key] ?? `Podreach${key.replace(/[^A-Za-z0-9]/g, '')}`,
      Effect: 'Allow' as const,
      Action: [...group.actions].sort(),
      Resource: group.resources.length === 0 ? '*' : group.resources.map(resourceArn),
    }));
}

function requireRoles(request: PolicyRequest, pattern: RegExp, example: string): string[] {
  const roles = [...(request.assumeRoles ?? [])];
  for (const role of roles) {
    if (!pattern.test(role)) throw new InvalidInputError('--assume-role', `"${role}" is not a ${request.provider} role ARN (expected ${example})`);
  }
  return roles;
}

/** The policy document, in the cloud's own format. */
export function policyDocument(request: PolicyRequest): Record<string, unknown> {
  const actions = policyActions(request);
  switch (request.provider) {
    case 'aws': {
      const scope = { partition: request.aws?.partition ?? 'aws', region: request.aws?.region ?? '*', account: request.aws?.account ?? '*' };
      const roles = requireRoles(request, /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'arn:aws:iam::123456789012:role/NAME');
      const statements = awsStatements(actions, (resource) => awsResourceArn(resource, scope));
      if (roles.length > 0) statements.push({ Sid: 'AssumeAccountRoles', Effect: 'Allow', Action: [AWS_ASSUME_ROLE_ACTION], Resource: roles.sort() });
      return { Version: '2012-10-17', Statement: statements };
    }
    case 'tencent': {
      const roles = requireRoles(request, /^qcs::cam::uin\/\d+:roleName\/.+$/, 'qcs::cam::uin/100000000001:roleName/NAME');
      return {
        version: '2.0',
        statement: [
          { effect: 'allow', action: withDependencies(actions, request.withDependencies), resource: ['*'] },
          ...(roles.length > 0 ? [{ effect: 'allow', action: [TENCENT_ASSUME_ROLE_ACTION], resource: roles.sort() }] : []),
        ],
      };
    }
    case 'alibaba': {
      const roles = requireRoles(request, /^acs:ram::\d+:role\/.+$/, 'acs:ram::1234567890123456:role/NAME');
      return {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: withDependencies(actions, request.withDependencies), Resource: '*' },
          ...(roles.length > 0 ? [{ Effect: 'Allow', Action: [ALIBABA_ASSUME_ROLE_ACTION], Resource: roles.sort() }] : []),
        ],
      };
    }
    case 'huawei': {
      if ((request.assumeRoles ?? []).length > 0) {
        throw new InvalidInputError('--assume-role', "podreach reaches other Huawei Cloud accounts with their own keys (the Node SDK has no agency credential): there is no role to assume");
      }
      return { Version: '1.1', Statement: [{ Effect: 'Allow', Action: withDependencies(actions, request.withDependencies) }] };
    }
  }
}

/** The dependencies a policy without --with-dependencies leaves out (to say so). */
export function omittedDependencies(request: PolicyRequest): string[] {
  if (request.withDependencies) return [];
  const sent = new Set(policyActions(request).map((action) => action.action));
  return [...new Set(policyActions(request).flatMap((action) => action.dependsOn ?? []))].filter((action) => !sent.has(action)).sort();
}
