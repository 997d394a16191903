// A profile whose peer VPC is in another Tencent Cloud account: the peering route is written there with the keys
// STS AssumeRole issues for that account's role (tencentcloud-sdk-nodejs STSCredential against the contract server,
// which keeps one state per account), while the cluster's account is another. Both accounts hold a route table of
// the same id, so a route in the wrong account would show.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseClusterEventJson } from '../../../events/parse.js';
import { runEventReport } from '../../../functions/cli/commands.js';
import { openLocalRuntime } from '../../../functions/cli/local-runtime.js';
import { tencentActions, ungranted } from '../../support/policy-coverage.js';
import { startTencentContractServer, type TencentContractServer } from './server.js';

const PEER_UIN = '100000000002';
const PEER_ROLE = `qcs::cam::uin/${PEER_UIN}:roleName/podreach-peer`;
const BASE_SECRET_ID = 'AKIDclusteraccount';

describe('Accounts: a peering route in another Tencent Cloud account (contract server, STS AssumeRole)', () => {
  let server: TencentContractServer;
  let peer: TencentContractServer;
  let dir: string;

  beforeAll(async () => {
    server = await startTencentContractServer();
    peer = server.addAccount(PEER_UIN);
    // the same route table id in both accounts: only the peer's may change
    server.seedRouteTable('rtb-peer01', { vpcId: 'vpc-cluster01' });
    peer.seedRouteTable('rtb-peer01', { vpcId: 'vpc-peer01' });
    dir = mkdtempSync(join(tmpdir(), 'podreach-tencent-accounts-'));
  });
  afterAll(async () => {
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('assumes the peer account\'s role with the cluster account\'s keys, then writes the route there with the keys it issued', async () => {
    // Prepare
    const profile = {
      apiVersion: 'podreach/v1',
      kind: 'ConnectivityProfile',
      metadata: { name: 'tencent-cross-account' },
      spec: {
        match: { clusterIds: ['cls-cross'] },
        vpc: { id: 'vpc-cluster01', cidr: '192.168.0.0/16' },
        peering: [{ connectionId: 'pcx-cross01', peerVpc: { id: 'vpc-peer01', cidr: '10.1.0.0/16', account: PEER_UIN }, peerRouteTableIds: ['rtb-peer01'] }],
      },
    };
    const credentials = {
      tencent: { secretId: BASE_SECRET_ID, secretKey: 'cluster-secret' },
      accounts: { tencent: { [PEER_UIN]: { roleArn: PEER_ROLE, externalId: 'podreach-ext-1' } } },
    };
    writeFileSync(join(dir, 'profile.yaml'), stringify(profile));
    writeFileSync(join(dir, 'credentials.yaml'), stringify(credentials));
    const event = parseClusterEventJson(
      JSON.stringify({ clusterId: 'cls-cross', provider: 'tencent', region: 'ap-guangzhou', vpcId: 'vpc-cluster01', networkModel: 'vpc-router', podCidrs: ['172.16.0.0/16'], occurredAt: '2026-11-20T08:00:00Z' }),
      'event',
    );
    const runtime = await openLocalRuntime({
      stateDir: join(dir, 'state'),
      provider: 'tencent',
      profileFile: join(dir, 'profile.yaml'),
      credentialsFile: join(dir, 'credentials.yaml'),
      endpoints: { tencent: server.endpoint },
    });

    // Act
    let report;
    try {
      report = await runEventReport(runtime, event, true);
    } finally {
      await runtime.close();
    }

    // Assess: both routes applied, in the peer account's table; the cluster account's table of the same id untouched
    expect(report.errors ?? []).toEqual([]);
    expect(report.changes.map((change) => `${change.status} ${change.target} ${change.cidr ?? ''} @${change.account ?? '-'}`).sort()).toEqual([
      `applied rtb-peer01 172.16.0.0/16 @${PEER_UIN}`,
      `applied rtb-peer01 192.168.0.0/16 @${PEER_UIN}`,
    ]);
    expect(peer.routeTables.get('rtb-peer01')?.routes.map((route) => `${route.DestinationCidrBlock} ${route.GatewayId}`).sort()).toEqual([
      '172.16.0.0/16 pcx-cross01',
      '192.168.0.0/16 pcx-cross01',
    ]);
    expect(server.routeTables.get('rtb-peer01')?.routes).toEqual([]);

    // Assess: the call log: AssumeRole signed by the cluster account's key, then CreateRoutes with the temporary key
    const signer = (authorization: string) => /Credential=([^/]+)\//.exec(authorization)?.[1];
    const assume = server.calls.findIndex((call) => call.action === 'AssumeRole');
    const create = server.calls.findIndex((call) => call.action === 'CreateRoutes');
    expect(assume).toBeGreaterThanOrEqual(0);
    expect(signer(server.calls[assume]?.authorization ?? '')).toBe(BASE_SECRET_ID);
    expect(server.assumedRoles).toEqual([{ roleArn: PEER_ROLE, externalId: 'podreach-ext-1' }]);
    expect(create).toBeGreaterThan(assume);
    expect(signer(server.calls[create]?.authorization ?? '')).toMatch(new RegExp(`^AKIDtmp${PEER_UIN}x`));
    // every call of the flow went to the peer account with the temporary key; none with the cluster account's
    expect(peer.calls.length).toBeGreaterThan(0);
    expect(peer.calls.every((call) => signer(call.authorization)?.startsWith(`AKIDtmp${PEER_UIN}x`))).toBe(true);
    expect(server.calls.filter((call) => call.action !== 'AssumeRole' && signer(call.authorization) === BASE_SECRET_ID)).toEqual([]);
    // the policy for peering grants every call sent in the peer account
    expect(ungranted('tencent', ['peering'], tencentActions(peer.calls))).toEqual([]);
  });
});
