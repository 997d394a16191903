// Events coalesce into executions (issue 14: a rolling upgrade of 100 nodes is not 200 executions): the ingest use
// case starts a flow only when no execution of it is still queued; once that execution's Plan has started, the next
// event starts a new one; a marker queued too long counts as gone. The real plan step on the sandbox marks the start.
import { readFileSync } from 'node:fs';
import { parseClusterEventJson } from '../../events/parse.js';
import { SandboxProvider } from '../../functions/adapters/sandbox/sandbox-provider.js';
import { parseProfileText } from '../../functions/application/profile-text.js';
import { QUEUE_TTL_MS } from '../../functions/application/coalesce.js';
import type { AppDeps } from '../../functions/application/deps.js';
import { handleEvent } from '../../functions/application/handle-event.js';
import { planStep } from '../../functions/application/plan-flow.js';
import type { FlowInput, FlowStarter } from '../../functions/ports/flow-runner.js';
import { MemoryStateStore } from '../support/memory-store.js';

const sample = (name: string, detail: Record<string, unknown> = {}, id?: string) => {
  const event = JSON.parse(readFileSync(`events/samples/${name}`, 'utf8')) as { id: string; detail: Record<string, unknown> };
  return parseClusterEventJson(JSON.stringify({ ...event, ...(id ? { id } : {}), detail: { ...event.detail, ...detail } }), name);
};

function nodeAdded(index: number) {
  return sample('node-added.json', { node: { name: `node-${index}`, ip: `192.168.1.${10 + index}` }, occurredAt: new Date(Date.UTC(2026, 10, 20, 9, 0, index)).toISOString() }, `node-${index}`);
}

describe('Use case: handleEvent (coalescing)', () => {
  let store: MemoryStateStore;
  let clock: number;
  let started: FlowInput[];
  let deps: AppDeps & { starter: FlowStarter };

  beforeEach(async () => {
    store = new MemoryStateStore();
    clock = Date.parse('2026-11-20T10:00:00Z');
    started = [];
    await store.putProfile(parseProfileText(readFileSync('examples/profiles/demo.yaml', 'utf8')));
    const sandbox = new SandboxProvider({ store, faults: null });
    deps = {
      store,
      providers: { get: () => sandbox },
      notifier: { notify: async () => undefined },
      now: () => new Date(clock),
      starter: { start: async (input) => (started.push(input), { executionId: input.executionId, started: true }) },
    };
  });

  it('starts each flow once for a burst of events while its execution is still queued', async () => {
    // Act: the cluster is created, then 100 nodes join before any Plan starts
    const first = await handleEvent(sample('cluster-created.json'), deps);
    const burst = [];
    for (let index = 0; index < 100; index++) burst.push(await handleEvent(nodeAdded(index), deps));

    // Assess: one execution per flow; every later event was folded (the execution will read it) and coalesced
    expect(started.map((input) => input.flow)).toEqual(first.flows);
    expect(burst.every((result) => result.executions.every((execution) => !execution.started && execution.coalescedInto !== undefined))).toBe(true);
    expect(Object.keys((await store.getCluster('cls-demo'))!.facts.nodes)).toHaveLength(100);
  });

  it('starts a new execution for an event that arrives once the queued execution has started planning', async () => {
    // Prepare: created; the vpn execution's Plan runs (it marks itself as planning before reading the facts)
    await handleEvent(sample('cluster-created.json'), deps);
    const vpn = started.find((input) => input.flow === 'vpn')!;
    await planStep(vpn, deps);

    // Act
    const later = await handleEvent(nodeAdded(1), deps);

    // Assess: vpn starts again (its Plan may have read older facts); direct-connect's execution is still queued
    expect(later.executions.find((execution) => execution.flow === 'vpn')).toMatchObject({ started: true });
    expect(later.executions.find((execution) => execution.flow === 'direct-connect')).toMatchObject({ started: false, coalescedInto: started[0]!.executionId });
  });

  it('treats an execution queued for too long (it never reached its Plan) as gone', async () => {
    await handleEvent(sample('cluster-created.json'), deps);
    clock += QUEUE_TTL_MS + 1;
    const later = await handleEvent(nodeAdded(1), deps);
    expect(later.executions.every((execution) => execution.started)).toBe(true);
  });

  it('starts a redelivered event again (the same execution name: Step Functions keeps it once)', async () => {
    const once = await handleEvent(sample('cluster-created.json'), deps);
    const again = await handleEvent(sample('cluster-created.json'), deps);
    expect(again.executions.map((execution) => execution.executionId)).toEqual(once.executions.map((execution) => execution.executionId));
    expect(again.executions.every((execution) => execution.started)).toBe(true);
  });
});
