// What the SDKs really sent, named as each cloud's policy language names it, for comparing with the actions tables
// and the policies of `podreach permissions`: a call the table or the policy lacks is a finding (the real account
// would refuse it). The calls come from where the SDKs sent them: the contract servers' logs, and a recording
// proxy in front of moto (test/support/recording-proxy.ts).
import { ALIBABA_RAM_CODE_OF_VERSION } from '../../functions/adapters/alibaba/actions.js';
import { ACTIONS_BY_PROVIDER, ADDRESS_ACTIONS_BY_PROVIDER, policyDocument, type PermissionMode, type PolicyProvider } from '../../functions/adapters/permissions.js';
import { TENCENT_SERVICE_OF_VERSION } from '../../functions/adapters/tencent/actions.js';
import type { Flow } from '../../functions/domain/model.js';

/** Tencent calls (X-TC-Action, X-TC-Version) as CAM actions. */
export function tencentActions(calls: readonly { action: string; version: string }[]): string[] {
  return calls.map((call) => `${TENCENT_SERVICE_OF_VERSION[call.version] ?? `unknown-version-${call.version}`}:${call.action}`);
}

/** Alibaba RPC calls (Action, Version) as RAM actions. */
export function alibabaActions(calls: readonly { action: string; version: string }[]): string[] {
  return calls.map((call) => `${ALIBABA_RAM_CODE_OF_VERSION[call.version] ?? `unknown-version-${call.version}`}:${call.action}`);
}

/** Huawei REST requests (method, path) as IAM actions, through the APIs the table names. */
export function huaweiActions(requests: readonly { method: string; path: string }[]): string[] {
  const templates = [...Object.values(ACTIONS_BY_PROVIDER.huawei).flatMap((kind) => [...kind.list, ...kind.apply]), ...ADDRESS_ACTIONS_BY_PROVIDER.huawei]
    .flatMap((action) => {
      const [method = '', template = ''] = (action.api ?? '').split(' ');
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      return [{ method, pattern, action: action.action }];
    });
  return requests.map((request) => templates.find((t) => t.method === request.method && t.pattern.test(request.path))?.action ?? `unknown-api ${request.method} ${request.path}`);
}

/** Every action a cloud's table declares, for any kind and mode (the address lookup included): what its adapter can send. */
export function declaredActions(provider: PolicyProvider): Set<string> {
  return new Set([
    ...Object.values(ACTIONS_BY_PROVIDER[provider]).flatMap((kind) => [...kind.list, ...kind.apply].map((action) => action.action)),
    ...ADDRESS_ACTIONS_BY_PROVIDER[provider].map((action) => action.action),
  ]);
}

/** The sent actions the provider's table does not declare (sorted, each once). */
export function undeclared(provider: PolicyProvider, sent: readonly string[]): string[] {
  const declared = declaredActions(provider);
  return [...new Set(sent.filter((action) => !declared.has(action)))].sort();
}

/** The sent actions the policy `podreach permissions` prints for these flows and mode does not grant. */
export function ungranted(provider: PolicyProvider, flows: readonly Flow[], sent: readonly string[], mode: PermissionMode = 'apply'): string[] {
  const document = policyDocument({ provider, flows, mode });
  const statements = (document['Statement'] ?? document['statement']) as Array<Record<string, unknown>>;
  const granted = new Set(statements.flatMap((statement) => [statement['Action'] ?? statement['action']].flat() as string[]));
  return [...new Set(sent.filter((action) => !granted.has(action)))].sort();
}
