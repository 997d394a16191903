// The sandbox adapter against the shared provider conformance suite, on dynalite in-process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startLocalDynamo } from '../../functions/adapters/dynamodb/local-dynamo.js';
import { SandboxCloud } from '../../functions/adapters/sandbox/cloud.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { parseSandboxAccount, seedSandbox } from '../../functions/adapters/sandbox/sandbox-file.js';
import type { NetworkEntry } from '../../functions/domain/model.js';
import { runProviderConformance } from './suite.js';

runProviderConformance('sandbox', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'podreach-conformance-'));
  const local = await startLocalDynamo(dataDir);
  const provider = new SandboxProvider({ store: local.store });
  // Foreign entries go in through the simulated cloud API itself, without podreach's description.
  const cloud = new SandboxCloud({ store: local.store });
  const seedForeign = async (entry: NetworkEntry): Promise<void> => {
    if (entry.kind === 'route') {
      await cloud.createRoute('route-table', entry.target, { destination: entry.cidr ?? '', nextHop: entry.nextHop ?? '', ...(entry.nextHopType ? { nextHopType: entry.nextHopType } : {}) });
    } else if (entry.kind === 'vpn-selector') {
      const current = (await cloud.describe('vpn-connection', entry.target))?.selectors ?? [];
      await cloud.replaceSelectors(entry.target, [...current, { local: entry.cidr ?? '', remote: entry.peerCidr ?? '' }]);
    } else {
      throw new Error(`the conformance fixture does not seed ${entry.kind}`);
    }
  };
  return {
    provider,
    routeTableId: 'rtb-conformance',
    nextHop: { id: 'vgw-conformance', type: 'vpn-gateway' },
    otherNextHop: { id: 'pcx-foreign', type: 'peering' },
    seedForeign,
    replaceList: {
      kind: 'vpn-selector',
      target: 'vpnx-conformance',
      entry: (index: number) => ({ kind: 'vpn-selector', target: 'vpnx-conformance', cidr: `172.${16 + index}.0.0/16`, peerCidr: '10.10.0.0/16' }),
    },
    securityGroupId: 'sg-conformance',
    seedAddress: async () => {
      // the seed file is how a sandbox account gets its addresses (not an API podreach calls)
      await seedSandbox(local.store, parseSandboxAccount({ apiVersion: 'podreach/v1', kind: 'SandboxAccount', spec: { addresses: [{ ip: '172.20.2.27', securityGroups: ['sg-conformance', 'sg-other'] }] } }));
      return { ip: '172.20.2.27', securityGroups: ['sg-conformance', 'sg-other'] };
    },
    mutatingCalls: () => provider.cloud.mutatingCalls(),
    cleanup: async () => {
      await local.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
