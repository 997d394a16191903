// The least-privilege policies of `podreach permissions`: each parses as its cloud's policy format, names exactly
// the calls its adapter's source sends (both ways), follows the flows and the mode, and FLOW_KINDS keeps up with
// what the designers plan. What the SDKs really send is checked against the same tables on moto and the contract
// servers (test/support/policy-coverage.ts).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { ACTIONS_BY_PROVIDER, ADDRESS_ACTIONS_BY_PROVIDER, policyActions, policyDocument, POLICY_PROVIDERS, type PolicyProvider } from '../../../functions/adapters/permissions.js';
import { permissionsRequest } from '../../../functions/cli/permissions-command.js';
import { InvalidInputError } from '../../../functions/domain/errors.js';
import { FLOWS, NETWORK_MODELS, type ChangeKind } from '../../../functions/domain/model.js';
import { profileSchema } from '../../../functions/domain/profile.js';
import { designFlow } from '../../../functions/domain/planner/index.js';
import { FLOW_KINDS } from '../../../functions/domain/planner/flow-kinds.js';
import { tkeFacts } from '../domain/planner/fixtures.js';
import { POLICY_SCHEMAS as SCHEMAS } from '../../support/policy-formats.js';

const run = promisify(execFile);

/** The actions a document grants, whatever its cloud's spelling. */
function granted(document: Record<string, unknown>): string[] {
  const statements = (document['Statement'] ?? document['statement']) as Array<Record<string, unknown>>;
  return statements.flatMap((statement) => [statement['Action'] ?? statement['action']].flat() as string[]).sort();
}

const source = (file: string) => readFileSync(path.join('functions', 'adapters', file), 'utf8');
const pascal = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** The calls written in each adapter's source, named as its policy language names them. */
const SENT_IN_SOURCE: Record<Exclude<PolicyProvider, 'aws'>, () => string[]> = {
  tencent: () => {
    const text = source('tencent/tencent-provider.ts');
    return [...text.matchAll(/this\.(vpc|redis|cdb)\.([A-Z][A-Za-z]+)/g)].map(([, service, name]) => `${service}:${name}`);
  },
  alibaba: () => {
    const text = source('alibaba/alibaba-provider.ts');
    const codes: Record<string, string> = { vpc: 'vpc', redis: 'kvstore', rds: 'rds', cbn: 'cen', ecs: 'ecs' };
    return [
      ...[...text.matchAll(/this\.clients\.(vpc|redis|rds)\.([a-z][A-Za-z]+)\(/g)].map(([, client = '', name = '']) => `${codes[client]}:${pascal(name)}`),
      ...[...text.matchAll(/this\.clients\.(cbn|ecs)\.call\('([A-Za-z]+)'/g)].map(([, client = '', name]) => `${codes[client]}:${name}`),
    ];
  },
  huawei: () => {
    // SDK methods by the API each sends, and the REST paths the adapter sends through the core client
    const text = source('huawei/huawei-provider.ts');
    const sdk: Record<string, string> = {
      showRouteTable: 'GET /v1/{project_id}/routetables/{routetable_id}',
      updateRouteTable: 'PUT /v1/{project_id}/routetables/{routetable_id}',
      listRouteTables: 'GET /v1/{project_id}/routetables',
      associateRouteTable: 'POST /v1/{project_id}/routetables/{routetable_id}/action',
      disassociateRouteTable: 'POST /v1/{project_id}/routetables/{routetable_id}/action',
      listSecurityGroupRules: 'GET /v3/{project_id}/vpc/security-group-rules',
      listPorts: 'GET /v1/{project_id}/ports',
      createSecurityGroupRule: 'POST /v3/{project_id}/vpc/security-group-rules',
      deleteSecurityGroupRule: 'DELETE /v3/{project_id}/vpc/security-group-rules/{security_group_rule_id}',
    };
    const apis = [
      ...[...text.matchAll(/this\.clients\.vpcV[23]\.([a-z][A-Za-z]+)\(/g)].map(([, method = '']) => {
        const api = sdk[method];
        if (!api) throw new Error(`the Huawei adapter calls ${method}, which this test does not know: add the API it sends`);
        return api;
      }),
      // the same code path both associates and disassociates
      ...(text.includes('disassociateRouteTable(') ? [sdk.disassociateRouteTable ?? ''] : []),
    ];
    for (const [, constant = '', service = ''] of text.matchAll(/const path = '([^']+)';[\s\S]*?sendJson\(this\.clients\.generic\.(\w+)/g)) {
      for (const [, method] of text.matchAll(new RegExp(`sendJson\\(this\\.clients\\.generic\\.${service}, '(GET|PUT|POST|DELETE)', path`, 'g'))) apis.push(`${method} ${constant}`);
    }
    // calls whose path is written where they are sent (the address lookup's)
    for (const [, method = '', written = ''] of text.matchAll(/sendJson\(this\.clients\.generic\.\w+, '(GET|PUT|POST|DELETE)', '([^']+)'/g)) apis.push(`${method} ${written}`);
    const byApi = new Map([...Object.values(HUAWEI_TABLE()).flatMap((kind) => [...kind.list, ...kind.apply]), ...ADDRESS_ACTIONS_BY_PROVIDER.huawei].map((action) => [action.api ?? '', action.action]));
    return apis.map((api) => byApi.get(api) ?? `unknown API ${api}`);
  },
};
const HUAWEI_TABLE = () => ACTIONS_BY_PROVIDER.huawei;

function declared(provider: PolicyProvider): string[] {
  return [
    ...new Set([
      ...Object.values(ACTIONS_BY_PROVIDER[provider]).flatMap((kind) => [...kind.list, ...kind.apply].map((action) => action.action)),
      ...ADDRESS_ACTIONS_BY_PROVIDER[provider].map((action) => action.action),
    ]),
  ].sort();
}

describe('Function: policyDocument', () => {
  describe.each(POLICY_PROVIDERS)('provider %s', (provider) => {
    it('parses as the cloud\'s policy format, for every mode', () => {
      for (const mode of ['apply', 'plan', 'diagnose'] as const) {
        // Act
        const document = policyDocument({ provider, flows: FLOWS, mode });

        // Assess
        expect(() => SCHEMAS[provider].parse(JSON.parse(JSON.stringify(document)))).not.toThrow();
      }
    });

    it('grants, for every flow in apply mode, exactly the actions its table declares, each once', () => {
      const actions = granted(policyDocument({ provider, flows: FLOWS, mode: 'apply' }));
      expect(new Set(actions).size).toBe(actions.length);
      // vpn-route is an adapter operation no flow plans (yet): never granted
      const planned = new Set<ChangeKind>(FLOWS.flatMap((flow) => FLOW_KINDS[flow]));
      const expected = [...new Set(Object.entries(ACTIONS_BY_PROVIDER[provider]).filter(([kind]) => planned.has(kind as ChangeKind)).flatMap(([, kind]) => [...kind.list, ...kind.apply].map((a) => a.action)))].sort();
      expect(actions).toEqual(expected);
    });

    it('reads only in plan and diagnose modes: the list calls (and, for diagnose, the address lookup), no write', () => {
      const apply = new Set(Object.values(ACTIONS_BY_PROVIDER[provider]).flatMap((kind) => kind.apply.map((action) => action.action)));
      const lists = new Set(Object.values(ACTIONS_BY_PROVIDER[provider]).flatMap((kind) => kind.list.map((action) => action.action)));
      const lookup = ADDRESS_ACTIONS_BY_PROVIDER[provider].map((action) => action.action);
      const plan = granted(policyDocument({ provider, flows: FLOWS, mode: 'plan' }));
      const diagnose = granted(policyDocument({ provider, flows: FLOWS, mode: 'diagnose' }));
      expect(plan.length).toBeGreaterThan(0);
      expect(plan.filter((action) => !lists.has(action))).toEqual([]);
      expect(lookup.length).toBeGreaterThan(0);
      expect([...diagnose].sort()).toEqual([...new Set([...plan, ...lookup])].sort());
      for (const actions of [plan, diagnose]) expect(actions.filter((action) => apply.has(action) && !lists.has(action))).toEqual([]);
    });
  });

  it('names only the flows asked for: peering on AWS is the route table reads and route writes', () => {
    const document = policyDocument({ provider: 'aws', flows: ['peering'], mode: 'apply', aws: { account: '123456789012', region: 'eu-west-1' } });
    expect(document).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DescribeNetwork', Effect: 'Allow', Action: ['ec2:DescribeRouteTables'], Resource: '*' },
        { Sid: 'Routes', Effect: 'Allow', Action: ['ec2:CreateRoute', 'ec2:DeleteRoute', 'ec2:ReplaceRoute'], Resource: ['arn:aws:ec2:eu-west-1:123456789012:route-table/*'] },
      ],
    });
  });

  it('scopes Direct Connect gateways without a region (they are global)', () => {
    const statements = (policyDocument({ provider: 'aws', flows: ['direct-connect'], mode: 'apply', aws: { account: '123456789012', region: 'eu-west-1' } }) as { Statement: Array<{ Sid: string; Resource: unknown }> }).Statement;
    expect(statements.find((statement) => statement.Sid === 'DirectConnectGatewayPrefixes')?.Resource).toEqual(['arn:aws:directconnect::123456789012:dx-gateway/*']);
  });

  it('adds sts:AssumeRole on exactly the roles listed, and refuses a role of another cloud', () => {
    const aws = policyDocument({ provider: 'aws', flows: ['peering'], mode: 'plan', assumeRoles: ['arn:aws:iam::222222222222:role/podreach'] }) as { Statement: unknown[] };
    expect(aws.Statement).toContainEqual({ Sid: 'AssumeAccountRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: ['arn:aws:iam::222222222222:role/podreach'] });
    const tencent = policyDocument({ provider: 'tencent', flows: ['peering'], mode: 'plan', assumeRoles: ['qcs::cam::uin/100000000002:roleName/podreach'] }) as { statement: unknown[] };
    expect(tencent.statement).toContainEqual({ effect: 'allow', action: ['sts:AssumeRole'], resource: ['qcs::cam::uin/100000000002:roleName/podreach'] });
    expect(() => policyDocument({ provider: 'alibaba', flows: ['peering'], mode: 'plan', assumeRoles: ['arn:aws:iam::222222222222:role/podreach'] })).toThrow(
      expect.objectContaining({ name: 'InvalidInputError', field: '--assume-role' }),
    );
    expect(() => policyDocument({ provider: 'huawei', flows: ['peering'], mode: 'plan', assumeRoles: ['x'] })).toThrow(expect.objectContaining({ field: '--assume-role' }));
  });

  it('leaves Huawei\'s dependent actions out unless asked for, then adds them', () => {
    const without = granted(policyDocument({ provider: 'huawei', flows: ['vpn'], mode: 'apply' }));
    const withDeps = granted(policyDocument({ provider: 'huawei', flows: ['vpn'], mode: 'apply', withDependencies: true }));
    expect(without).not.toContain('vpc:subNetworkInterfaces:update');
    expect(withDeps).toEqual(expect.arrayContaining([...without, 'vpc:subNetworkInterfaces:update', 'er:instances:get']));
  });
});

describe('Actions tables', () => {
  it.each(['tencent', 'alibaba', 'huawei'] as const)('%s: declares exactly the calls written in the adapter (both ways)', (provider) => {
    const sent = [...new Set(SENT_IN_SOURCE[provider]())].sort();
    expect(sent.length).toBeGreaterThan(3);
    expect(declared(provider)).toEqual(sent);
  });

  it('FLOW_KINDS lists every kind each designer plans, for every network model and a profile with every section', () => {
    // Prepare
    const text = readFileSync('examples/profiles/contract-example.yaml', 'utf8');
    const profile = profileSchema.parse(parseYaml(text)).spec;
    const facts = NETWORK_MODELS.map((networkModel) =>
      tkeFacts({ networkModel, nodes: { 'Node-1': { name: 'Node-1', ip: '192.168.1.10', subnetId: 'subnet-a', podCidr: '172.16.1.0/24', labels: { ASN: '65010' } } } }),
    );

    // Act
    const planned = new Map(FLOWS.map((flow) => [flow, new Set(facts.flatMap((fact) => designFlow(fact, profile, flow).entries.map((entry) => entry.kind)))]));

    // Assess
    for (const flow of FLOWS) {
      const kinds = planned.get(flow) ?? new Set();
      expect(kinds.size).toBeGreaterThan(0);
      expect([flow, [...kinds].filter((kind) => !FLOW_KINDS[flow].includes(kind))]).toEqual([flow, []]);
    }
  });
});

describe('Function: permissionsRequest', () => {
  it('names the flag of a bad value', () => {
    const base = { provider: 'aws', mode: 'apply', format: 'json' };
    expect(() => permissionsRequest({ ...base, provider: 'gcp' })).toThrow(expect.objectContaining({ field: '--provider' }));
    expect(() => permissionsRequest({ ...base, flows: 'peering,tunnels' })).toThrow(expect.objectContaining({ field: '--flows' }));
    expect(() => permissionsRequest({ ...base, mode: 'admin' })).toThrow(expect.objectContaining({ field: '--mode' }));
    expect(() => permissionsRequest({ ...base, account: '42' })).toThrow(expect.objectContaining({ field: '--account' }));
    expect(() => permissionsRequest({ ...base, provider: 'tencent', region: 'ap-guangzhou' })).toThrow(InvalidInputError);
    expect(permissionsRequest({ ...base, flows: 'peering, security' }).flows).toEqual(['peering', 'security']);
  });

  it('lists each action once with the kinds that need it', () => {
    const actions = policyActions({ provider: 'aws', flows: ['vpn'], mode: 'plan' });
    expect(actions.find((action) => action.action === 'ec2:DescribeRouteTables')?.kinds.sort()).toEqual(['route', 'subnet-association']);
  });
});

describe('cfn-lint', () => {
  it('knows every action of the AWS policy (W3037 checks IAM action names) and finds nothing else wrong with it', async () => {
    // Prepare: the policy as a managed policy in a template, the way an account would hold it
    const dir = await mkdtemp(path.join(tmpdir(), 'podreach-policy-'));
    const document = policyDocument({ provider: 'aws', flows: FLOWS, mode: 'apply', assumeRoles: ['arn:aws:iam::222222222222:role/podreach'] });
    const template = { AWSTemplateFormatVersion: '2010-09-09', Resources: { PodreachOperator: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document } } } };
    const file = path.join(dir, 'policy.json');
    await writeFile(file, JSON.stringify(template));

    try {
      // Act
      const result = await run('cfn-lint', ['--format', 'parseable', file]).then(
        (output) => ({ code: 0, stdout: output.stdout }),
        (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }),
      );

      // Assess
      expect(result).toEqual({ code: 0, stdout: '' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
