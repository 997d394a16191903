// deploy/: the Kubernetes manifests are valid the way `kubectl apply --dry-run=client` checks them — every
// document against the Kubernetes OpenAPI schema (the compiled validators kubernetes-models ships: types, required
// fields, enums, formats) and no field the API does not know (the attribute maps of @kubernetes/client-node's
// generated models, which come from the same OpenAPI document) — and they grant nothing beyond what the
// watcher needs. The IAM policy allows PutEvents on the podreach bus only.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { buildProgram } from '../../functions/cli/main.js';
import { parseWatchConfig, resolveIdentity } from '../../functions/domain/node-watch.js';

const DIR = join(process.cwd(), 'deploy', 'kubernetes');

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown };

function manifests(): Array<{ file: string; doc: Manifest }> {
  return readdirSync(DIR)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((document) => {
        expect([file, document.errors.map(String)]).toEqual([file, []]);
        return { file, doc: document.toJSON() as Manifest };
      }),
    );
}

/** The kubernetes-models class (OpenAPI validator) and the client-node model (field names) of each kind used. */
const MODELS: Record<string, { validate: (doc: Manifest) => void; model: string }> = {
  'v1/Namespace': { validate: (doc) => new Namespace(doc as never).validate(), model: 'V1Namespace' },
  'v1/ServiceAccount': { validate: (doc) => new ServiceAccount(doc as never).validate(), model: 'V1ServiceAccount' },
  'v1/ConfigMap': { validate: (doc) => new ConfigMap(doc as never).validate(), model: 'V1ConfigMap' },
  'apps/v1/Deployment': { validate: (doc) => new Deployment(doc as never).validate(), model: 'V1Deployment' },
  'rbac.authorization.k8s.io/v1/ClusterRole': { validate: (doc) => new ClusterRole(doc as never).validate(), model: 'V1ClusterRole' },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { validate: (doc) => new ClusterRoleBinding(doc as never).validate(), model: 'V1ClusterRoleBinding' },
  'rbac.authorization.k8s.io/v1/Role': { validate: (doc) => new Role(doc as never).validate(), model: 'V1Role' },
  'rbac.authorization.k8s.io/v1/RoleBinding': { validate: (doc) => new RoleBinding(doc as never).validate(), model: 'V1RoleBinding' },
};

type AttributeMap = Array<{ baseName: string; type: string }>;
const clientModels = k8s as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;

/** Paths of fields the API does not know, walking the value along client-node's model of `type`. */
function unknownFields(value: unknown, type: string, path: string): string[] {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return Array.isArray(value) ? value.flatMap((item, index) => unknownFields(item, array[1] ?? '', `${path}[${index}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([key, item]) => unknownFields(item, map[1] ?? '', `${path}.${key}`)) : [];
  const attributes = clientModels[type]?.getAttributeTypeMap?.();
  if (!attributes || typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const attribute = attributes.find((candidate) => candidate.baseName === key);
    return attribute ? unknownFields(item, attribute.type, `${path}.${key}`) : [`${path}.${key}`];
  });
}

describe('deploy/kubernetes', () => {
  const docs = manifests();
  const byKind = (kind: string) => docs.filter(({ doc }) => doc.kind === kind).map(({ doc }) => doc);
  const deployment = byKind('Deployment')[0] as Manifest & {
    spec: { replicas: number; template: { spec: { serviceAccountName: string; containers: Array<{ args: string[]; livenessProbe: { httpGet: { path: string } }; readinessProbe: { httpGet: { path: string } } }> } } };
  };
  const args = deployment.spec.template.spec.containers[0]?.args ?? [];
  const argument = (flag: string) => args[args.indexOf(flag) + 1];

  it('validates every document against the Kubernetes OpenAPI schema, with no unknown field', () => {
    expect(docs.length).toBeGreaterThanOrEqual(8);
    for (const { file, doc } of docs) {
      const entry = MODELS[`${doc.apiVersion}/${doc.kind}`];
      expect([file, doc.kind, entry ? 'known kind' : 'unknown kind']).toEqual([file, doc.kind, 'known kind']);
      expect(() => entry?.validate(doc)).not.toThrow();
      expect([file, doc.kind, unknownFields(doc, entry?.model ?? '', doc.kind)]).toEqual([file, doc.kind, []]);
    }
  });

  it('the checks catch what kubectl would refuse: a wrong type, a missing field, an unknown field', () => {
    const broken = structuredClone(deployment) as Manifest & { spec: Record<string, unknown> };
    broken.spec['replicas'] = 'one';
    expect(() => MODELS['apps/v1/Deployment']?.validate(broken)).toThrow(/replicas/);
    const noSelector = structuredClone(deployment) as Manifest & { spec: Record<string, unknown> };
    delete noSelector.spec['selector'];
    expect(() => MODELS['apps/v1/Deployment']?.validate(noSelector)).toThrow(/selector/);
    const typo = structuredClone(deployment) as Manifest & { spec: { template: { spec: Record<string, unknown> } } };
    typo.spec.template.spec['serviceAcountName'] = 'x';
    expect(unknownFields(typo, 'V1Deployment', 'Deployment')).toEqual(['Deployment.spec.template.spec.serviceAcountName']);
  });

  it('grants nodes get/list/watch cluster-wide and nothing else, plus the one leader-election Lease in its namespace', () => {
    const namespace = deployment.metadata.namespace;
    const leaseName = argument('--lease-name');
    expect(byKind('ClusterRole').map((role) => (role as unknown as { rules: unknown }).rules)).toEqual([[{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]]);
    const roles = byKind('Role') as Array<Manifest & { rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }> }>;
    expect(roles).toHaveLength(1);
    expect(roles[0]?.metadata.namespace).toBe(namespace);
    expect(roles[0]?.rules).toEqual([
      // create cannot be limited to a name by RBAC; get and update can
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [leaseName], verbs: ['get', 'update'] },
    ]);
    const subject = [{ kind: 'ServiceAccount', name: deployment.spec.template.spec.serviceAccountName, namespace }];
    for (const binding of [...byKind('ClusterRoleBinding'), ...byKind('RoleBinding')] as Array<Manifest & { subjects: unknown }>) expect(binding.subjects).toEqual(subject);
    expect(JSON.stringify(docs.map(({ doc }) => doc))).not.toContain('"*"');
  });

  it('runs one leader-elected replica whose arguments the watch command accepts, probed on its health endpoints', () => {
    // Prepare
    const watch = buildProgram(() => undefined).commands.find((command) => command.name() === 'watch');
    const flags = new Set(watch?.options.map((option) => option.long));

    // Assess
    expect(deployment.spec.replicas).toBe(1);
    expect(args[0]).toBe('watch');
    expect(args.filter((arg) => arg.startsWith('--')).filter((flag) => !flags.has(flag))).toEqual([]);
    expect(args).toEqual(expect.arrayContaining(['--leader-elect', '--bus']));
    expect(argument('--health-address')).toBe('0.0.0.0');
    const container = deployment.spec.template.spec.containers[0];
    expect([container?.livenessProbe.httpGet.path, container?.readinessProbe.httpGet.path]).toEqual(['/healthz', '/readyz']);
    expect(byKind('ServiceAccount').map((account) => account.metadata.name)).toEqual([deployment.spec.template.spec.serviceAccountName]);
  });

  it('ships a watch config the command accepts', () => {
    const configMap = byKind('ConfigMap')[0] as Manifest & { data: Record<string, string> };
    const config = parseWatchConfig(parseYaml(configMap.data['watch.yaml'] ?? ''), 'watch.yaml');
    expect(resolveIdentity(config.cluster, {}).clusterId).toBe('eks-demo');
  });
});

describe('deploy/aws', () => {
  const read = (file: string) => JSON.parse(readFileSync(join(process.cwd(), 'deploy', 'aws', file), 'utf8')) as { Statement: Array<Record<string, unknown>> };

  it('lets the watcher put events on the podreach bus and do nothing else', () => {
    expect(read('watch-policy.json').Statement).toEqual([
      { Sid: 'PutPodreachEvents', Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:REGION:ACCOUNT_ID:event-bus/podreach' },
    ]);
  });

  it('trusts only the watcher\'s service account, by EKS Pod Identity or IRSA', () => {
    const podIdentity = read('pod-identity-trust-policy.json').Statement[0] as { Principal: unknown; Condition: { StringEquals: Record<string, string> } };
    expect(podIdentity.Principal).toEqual({ Service: 'pods.eks.amazonaws.com' });
    expect(podIdentity.Condition.StringEquals).toMatchObject({ 'aws:RequestTag/kubernetes-namespace': 'podreach-system', 'aws:RequestTag/kubernetes-service-account': 'podreach-watch' });
    const irsa = read('irsa-trust-policy.json').Statement[0] as { Condition: { StringEquals: Record<string, string> } };
    expect(irsa.Condition.StringEquals['OIDC_PROVIDER:sub']).toBe('system:serviceaccount:podreach-system:podreach-watch');
  });
});
