// Acceptance of issue 3: the example profile of CONTRACT.md, against an empty sandbox, plans changes in all six flows.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseClusterEventJson } from '../../events/parse.js';
import { ingestEvent } from '../../functions/application/ingest-event.js';
import { planEvent } from '../../functions/application/run-event.js';
import { openLocalRuntime, type LocalRuntime } from '../../functions/cli/local-runtime.js';
import { FLOWS } from '../../functions/domain/model.js';

const sample = (name: string) => parseClusterEventJson(readFileSync(join('events/samples', name), 'utf8'), name);

describe('Integration: examples/profiles/contract-example.yaml', () => {
  let dir: string;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'podreach-contract-example-'));
    runtime = await openLocalRuntime({ stateDir: dir, profileFile: 'examples/profiles/contract-example.yaml' });
  });
  afterAll(async () => {
    await runtime?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('Method: planEvent', () => {
    it('plans changes in every flow for a cluster with a labelled node, against an empty sandbox', async () => {
      // Prepare: the cluster is known (facts recorded, nothing applied); its node carries the peer's label
      await ingestEvent(sample('cluster-created.json'), runtime.deps);

      // Act
      const { plans } = await planEvent(sample('node-added.json'), runtime.deps);

      // Assess
      expect(plans.map((plan) => plan.flow)).toEqual([...FLOWS]);
      for (const plan of plans) {
        expect({ flow: plan.flow, planned: plan.changes.filter((c) => c.status === 'planned' && c.action === 'create').length > 0 }).toEqual({ flow: plan.flow, planned: true });
      }
      const kinds = new Set(plans.flatMap((plan) => plan.changes.filter((c) => c.status === 'planned').map((c) => `${c.flow} ${c.kind}`)));
      for (const kind of [
        'direct-connect dx-prefix',
        'direct-connect route',
        'vpn vpn-selector',
        'vpn route',
        'vpn subnet-association',
        'cloud-connect cloud-connect-route',
        'peering route',
        'security sg-rule',
        'security whitelist-entry',
        'bgp-edge transit-route',
        'bgp-edge route',
      ]) {
        expect(kinds).toContain(kind);
      }
      // vpc-router model: the peer's group admits the container CIDRs
      const changes = plans.flatMap((plan) => plan.changes);
      expect(changes).toContainEqual(expect.objectContaining({ flow: 'security', kind: 'sg-rule', target: 'sg-ecs', cidr: '172.16.0.0/16', port: 'tcp:22' }));
      // the BGP edge plans the transit chain only; the node's pod subnet is in the switch checklist, never a change
      expect(changes).toContainEqual(expect.objectContaining({ flow: 'bgp-edge', kind: 'transit-route', target: 'vbr-1', cidr: '172.16.0.0/16', nextHop: '10.0.10.1' }));
      expect(changes.filter((c) => c.kind === 'bgp-peer')).toEqual([]);
      const bgpEdge = plans.find((plan) => plan.flow === 'bgp-edge')!;
      const checklist = bgpEdge.artifacts.find((a) => a.name === 'bgp-switch-checklist-peer-a.yaml');
      expect((parseYaml(checklist?.content ?? '') as { expectedRoutes: unknown[] }).expectedRoutes).toEqual([{ destination: '172.16.0.0/24', nextHop: '192.168.1.10', node: 'node-1' }]);
      expect(changes.every((c) => c.status === 'planned')).toBe(true);
      // a plan applies and records nothing
      expect(await runtime.deps.store.listChanges('cls-demo')).toEqual([]);
    });
  });
});
