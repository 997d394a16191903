// Builds the tencent adapter against a fresh contract server, with leases in the DynamoStateStore on dynalite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo, type LocalDynamo } from '../../../functions/adapters/dynamodb/local-dynamo.js';
import { TencentProvider, type TencentProviderOptions } from '../../../functions/adapters/tencent/tencent-provider.js';
import { startTencentContractServer, type TencentContractServer } from './server.js';
import { tencentActions } from '../../support/policy-coverage.js';

export const IDS = {
  vpc: 'vpc-tke01',
  routeTable: 'rtb-podreach1',
  mainRouteTable: 'rtb-main01',
  vpnGateway: 'vpngw-idc01',
  vpnConnection: 'vpnx-idc01',
  otherVpnConnection: 'vpnx-idc02',
  ccn: 'ccn-hybrid01',
  dxGateway: 'dcg-idc01',
  securityGroup: 'sg-nodes01',
  whitelistGroup: 'sg-podreach-wl',
  peering: 'pcx-peer01',
  redis: 'crs-cache01',
  cdb: 'cdb-orders01',
} as const;

export interface TencentHarness {
  server: TencentContractServer;
  dynamo: LocalDynamo;
  provider: TencentProvider;
  /** Another adapter on the same account and state store (a second writer). */
  makeProvider(overrides?: Partial<TencentProviderOptions>): TencentProvider;
  close(): Promise<void>;
}

const ADAPTER_SECRET_ID = 'AKIDcontract';
/** Every server started in this test file: what the adapter's SDK (its key) sent to them, as CAM actions (policy coverage). */
const started: TencentContractServer[] = [];
export const sentActions = (): string[] => tencentActions(started.flatMap((server) => server.calls.filter((call) => call.authorization.includes(`Credential=${ADAPTER_SECRET_ID}/`))));

/** A fresh contract server (its own state); the lease store is `shared` when given (one per test file), else a new one. */
export async function startTencentHarness(shared?: LocalDynamo): Promise<TencentHarness> {
  const dataDir = shared ? undefined : await mkdtemp(path.join(tmpdir(), 'podreach-tencent-'));
  const server = await startTencentContractServer();
  started.push(server);
  const dynamo = shared ?? (await startLocalDynamo(dataDir ?? ''));
  server.seedRouteTable(IDS.mainRouteTable, { vpcId: IDS.vpc, main: true });
  server.seedRouteTable(IDS.routeTable, { vpcId: IDS.vpc, containerCidrs: ['172.20.0.0/16'] });
  server.seedVpnGateway(IDS.vpnGateway);
  server.seedVpnConnection(IDS.vpnConnection, { vpnGatewayId: IDS.vpnGateway });
  server.seedVpnConnection(IDS.otherVpnConnection, { vpnGatewayId: IDS.vpnGateway });
  server.seedCcn(IDS.ccn);
  server.seedDxGateway(IDS.dxGateway);
  server.seedSecurityGroup(IDS.securityGroup);
  server.seedSecurityGroup(IDS.whitelistGroup);
  const makeProvider = (overrides: Partial<TencentProviderOptions> = {}) =>
    new TencentProvider({
      region: 'ap-guangzhou',
      credential: { secretId: ADAPTER_SECRET_ID, secretKey: 'contract-secret' },
      endpoint: server.endpoint,
      leases: dynamo.store,
      whitelistSecurityGroupId: IDS.whitelistGroup,
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      ...overrides,
    });
  return {
    server,
    dynamo,
    provider: makeProvider(),
    makeProvider,
    async close() {
      await server.stop();
      if (dataDir) {
        await dynamo.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
