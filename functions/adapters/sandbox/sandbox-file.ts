// The sandbox seed file (`--sandbox FILE`): the resources an account already holds before podreach runs.
// YAML or JSON; validated with zod; errors name the field (spec.routeTables[0].routes[1].destination).
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConcurrentUpdateError, InvalidInputError } from '../../domain/errors.js';
import { NEXT_HOP_TYPES } from '../../domain/model.js';
import { heldCidrSchema as cidrSchema, ipSchema, portSchema, quotaOverridesSchema } from '../../domain/profile.js';
import type { ProviderQuotas } from '../../ports/network-provider.js';
import { LIMITS } from '../../domain/limits.js';
import { PARSE_OPTIONS, parseYamlText, toInvalidInput, withSource } from '../../../events/parse.js';
import type { StateStore } from '../../ports/state-store.js';
import {
  SANDBOX_ACCOUNT_KEY,
  emptyResource,
  registerSandboxResource,
  sandboxResourceKey,
  updateDocument,
  type SandboxAccountDocument,
  type SandboxResourceRef,
  type SandboxResourceType,
  type SandboxResources,
  type SandboxRoute,
} from './cloud.js';
import { DEFAULT_SANDBOX_QUOTAS } from './quotas.js';
import { faultsSchema } from './faults.js';

const id = z.string().min(1);
const nextHopTypeSchema = z.enum(NEXT_HOP_TYPES);

const routeSchema = z.object({ destination: cidrSchema, nextHop: id, nextHopType: nextHopTypeSchema.optional() }).strict();

/** Rejects two entries with the same key in one list, naming the second. */
function unique<T>(key: (item: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} ${k}` });
      seen.add(k);
    });
  };
}

const whitelistTargetSchema = z.string().regex(/^[a-z0-9-]+:.+$/, 'expected "<service>:<instanceId>", e.g. "redis:dcs-1"');

const routesSchema = z.array(routeSchema).default([]).superRefine(unique((r) => r.destination, 'destination'));

export const sandboxSpecSchema = z
  .object({
    quotas: quotaOverridesSchema.optional(),
    /** Faults the simulated API injects (faults.ts, docs/sandbox.md). */
    faults: faultsSchema.optional(),
    routeTables: z.array(z.object({ id, routes: routesSchema }).strict()).default([]).superRefine(unique((t) => t.id, 'id')),
    subnets: z
      .array(z.object({ id, cidr: cidrSchema.optional(), routeTableId: id.optional() }).strict())
      .default([])
      .superRefine(unique((s) => s.id, 'id')),
    vpnConnections: z
      .array(
        z
          .object({
            id,
            selectors: z
              .array(z.object({ local: cidrSchema, remote: cidrSchema }).strict())
              .default([])
              .superRefine(unique((s) => `${s.local} <-> ${s.remote}`, 'selector')),
          })
          .strict(),
      )
      .default([])
      .superRefine(unique((c) => c.id, 'id')),
    vpnGateways: z.array(z.object({ id, routes: routesSchema }).strict()).default([]).superRefine(unique((g) => g.id, 'id')),
    dxGateways: z
      .array(z.object({ id, prefixes: z.array(cidrSchema).default([]).superRefine(unique((p) => p, 'prefix')) }).strict())
      .default([])
      .superRefine(unique((g) => g.id, 'id')),
    cloudConnect: z
      .array(
        z
          .object({
            id,
            routes: z
              .array(z.object({ cidr: cidrSchema, instanceId: id, enabled: z.boolean().default(true) }).strict())
              .default([])
              .superRefine(unique((r) => `${r.cidr} from ${r.instanceId}`, 'route')),
          })
          .strict(),
      )
      .default([])
      .superRefine(unique((c) => c.id, 'id')),
    transitRouteTables: z.array(z.object({ id, routes: routesSchema }).strict()).default([]).superRefine(unique((t) => t.id, 'id')),
    securityGroups: z
      .array(
        z
          .object({
            id,
            rules: z
              .array(z.object({ source: cidrSchema, port: portSchema }).strict())
              .default([])
              .superRefine(unique((r) => `${r.source} ${r.port}`, 'rule')),
          })
          .strict(),
      )
      .default([])
      .superRefine(unique((g) => g.id, 'id')),
    whitelists: z
      .array(
        z
          .object({
            target: whitelistTargetSchema,
            entries: z.array(cidrSchema).default([]).superRefine(unique((e) => e, 'entry')),
          })
          .strict(),
      )
      .default([])
      .superRefine(unique((w) => w.target, 'target')),
    /** Routes a cluster's BGPPeer already advertises (pod CIDR -> node IP), by peer name. */
    bgpPeers: z.array(z.object({ id, routes: routesSchema }).strict()).default([]).superRefine(unique((p) => p.id, 'id')),
    /**
     * Private addresses in the account and what guards them (an ECS, a database): what looking a destination up by
     * its address finds (podreach diagnose). Read-only to podreach.
     */
    addresses: z
      .array(
        z
          .object({
            ip: ipSchema,
            securityGroups: z.array(id).default([]),
            whitelists: z.array(whitelistTargetSchema).default([]),
            vpcId: id.optional(),
            resourceId: id.optional(),
          })
          .strict(),
      )
      .default([])
      .superRefine(unique((a) => a.ip, 'ip')),
  })
  .strict()
  .superRefine((spec, ctx) => {
    // A seed that breaks a quota describes an account the real API could not hold.
    const quotas = { ...DEFAULT_SANDBOX_QUOTAS, ...spec.quotas };
    const over = (count: number, limit: number, path: (string | number)[], quota: keyof ProviderQuotas) => {
      if (count > limit) ctx.addIssue({ code: 'custom', path, message: `${count} entries exceed the quota ${quota} (${limit})` });
    };
    spec.routeTables.forEach((t, i) => over(t.routes.length, quotas.routesPerTable, ['routeTables', i, 'routes'], 'routesPerTable'));
    spec.vpnGateways.forEach((t, i) => over(t.routes.length, quotas.routesPerTable, ['vpnGateways', i, 'routes'], 'routesPerTable'));
    spec.transitRouteTables.forEach((t, i) => over(t.routes.length, quotas.routesPerTable, ['transitRouteTables', i, 'routes'], 'routesPerTable'));
    spec.vpnConnections.forEach((c, i) => over(c.selectors.length, quotas.selectorsPerConnection, ['vpnConnections', i, 'selectors'], 'selectorsPerConnection'));
    spec.dxGateways.forEach((g, i) => over(g.prefixes.length, quotas.prefixesPerDxGateway, ['dxGateways', i, 'prefixes'], 'prefixesPerDxGateway'));
    spec.securityGroups.forEach((g, i) => over(g.rules.length, quotas.rulesPerSecurityGroup, ['securityGroups', i, 'rules'], 'rulesPerSecurityGroup'));
    spec.whitelists.forEach((w, i) => over(w.entries.length, quotas.whitelistEntries, ['whitelists', i, 'entries'], 'whitelistEntries'));
  });

export const sandboxAccountSchema = z
  .object({
    apiVersion: z.literal('podreach/v1'),
    kind: z.literal('SandboxAccount'),
    spec: sandboxSpecSchema,
  })
  .strict();

export type SandboxAccountSpec = z.infer<typeof sandboxAccountSchema>;
export type SandboxSpec = SandboxAccountSpec['spec'];

/** `source` (the file) is named before the field in errors: "seed.yaml: spec.routeTables[0].id: ...". */
export function parseSandboxAccount(value: unknown, source?: string): SandboxAccountSpec {
  const result = sandboxAccountSchema.safeParse(value, PARSE_OPTIONS);
  if (!result.success) throw source ? withSource(toInvalidInput(result.error), source) : toInvalidInput(result.error);
  return result.data;
}

/** Parses a seed file's text (YAML, or JSON which is YAML too). `source` names the file in errors. */
export function parseSandboxFile(text: string, source = 'sandbox'): SandboxAccountSpec {
  const value = parseYamlText(text, source, LIMITS.sandboxBytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError(source, 'a sandbox file must be an object with apiVersion, kind and spec');
  }
  return parseSandboxAccount(value, source);
}

export async function loadSandboxFile(filePath: string): Promise<SandboxAccountSpec> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new InvalidInputError('--sandbox', `cannot read ${filePath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseSandboxFile(text, filePath);
}

export interface SeedResult {
  /** "type/id" of each resource written from the file. */
  loaded: string[];
  /** "type/id" of each resource the store already held: left exactly as it is. */
  kept: string[];
}

type SeedDocument = { [K in SandboxResourceType]: { type: K; body: SandboxResources[K] } }[SandboxResourceType];

function seedDocuments(spec: SandboxSpec): SeedDocument[] {
  const docs: SeedDocument[] = [];
  for (const table of spec.routeTables) docs.push({ type: 'route-table', body: { id: table.id, routes: table.routes.map((r) => ({ ...r })) } });
  // A subnet's route table exists in the account, listed or not.
  for (const subnet of spec.subnets) {
    if (subnet.routeTableId && !spec.routeTables.some((t) => t.id === subnet.routeTableId)) {
      docs.push({ type: 'route-table', body: emptyResource('route-table', subnet.routeTableId) });
    }
    docs.push({ type: 'subnet', body: { id: subnet.id, ...(subnet.cidr ? { cidr: subnet.cidr } : {}), ...(subnet.routeTableId ? { routeTableId: subnet.routeTableId } : {}) } });
  }
  for (const c of spec.vpnConnections) docs.push({ type: 'vpn-connection', body: { id: c.id, selectors: c.selectors.map((s) => ({ ...s })) } });
  for (const g of spec.vpnGateways) docs.push({ type: 'vpn-gateway', body: { id: g.id, routes: g.routes.map((r) => ({ ...r })) } });
  for (const g of spec.dxGateways) docs.push({ type: 'dx-gateway', body: { id: g.id, prefixes: g.prefixes.map((cidr) => ({ cidr })) } });
  for (const c of spec.cloudConnect) docs.push({ type: 'cloud-connect', body: { id: c.id, routes: c.routes.map((r) => ({ ...r })) } });
  for (const t of spec.transitRouteTables) docs.push({ type: 'transit-route-table', body: { id: t.id, routes: t.routes.map((r) => ({ ...r })) } });
  for (const g of spec.securityGroups) docs.push({ type: 'security-group', body: { id: g.id, rules: g.rules.map((r) => ({ ...r })) } });
  for (const w of spec.whitelists) docs.push({ type: 'whitelist', body: { id: w.target, entries: w.entries.map((cidr) => ({ cidr })) } });
  for (const p of spec.bgpPeers) docs.push({ type: 'bgp-peer', body: { id: p.id, routes: p.routes.map((r) => ({ ...r })) } });
  for (const a of spec.addresses) {
    docs.push({
      type: 'address',
      body: { id: a.ip, securityGroups: [...a.securityGroups], whitelists: [...a.whitelists], ...(a.vpcId ? { vpcId: a.vpcId } : {}), ...(a.resourceId ? { resourceId: a.resourceId } : {}) },
    });
  }
  return docs;
}

/**
 * Loads the resources of a seed file that the store does not hold yet. Running it again with the same file
 * and state changes nothing: what podreach (or an earlier seed) put there stays. Quotas are set once too.
 */
export async function seedSandbox(store: StateStore, account: SandboxAccountSpec): Promise<SeedResult> {
  const spec = account.spec;
  if (spec.quotas) {
    const quotas = spec.quotas;
    await updateDocument<SandboxAccountDocument>(store, SANDBOX_ACCOUNT_KEY, () => ({ resources: [] }), (doc) => (doc.quotas ? doc : { ...doc, quotas }));
  }
  // Faults follow the seed file last given (people tune them between runs); a file without them turns them off.
  const current = (await store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY))?.body.faults;
  if (JSON.stringify(current) !== JSON.stringify(spec.faults)) {
    await updateDocument<SandboxAccountDocument>(store, SANDBOX_ACCOUNT_KEY, () => ({ resources: [] }), ({ faults: _old, ...doc }) => ({
      ...doc,
      ...(spec.faults ? { faults: spec.faults } : {}),
    }));
  }
  const result: SeedResult = { loaded: [], kept: [] };
  const seen = new Set<string>();
  for (const doc of seedDocuments(spec)) {
    const name = `${doc.type}/${doc.body.id}`;
    if (seen.has(name)) continue;
    seen.add(name);
    await registerSandboxResource(store, { type: doc.type, id: doc.body.id });
    try {
      await store.putDocument(sandboxResourceKey(doc.type, doc.body.id), doc.body, undefined);
      result.loaded.push(name);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      result.kept.push(name);
    }
  }
  return result;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const routeOrder = (a: { destination: string; nextHop: string }, b: { destination: string; nextHop: string }) =>
  byText(a.destination, b.destination) || byText(a.nextHop, b.nextHop);

/**
 * The whole simulated account in the seed file's format, every list sorted: same account, same bytes.
 * Descriptions (who created an entry) are not part of the format and are left out.
 */
export async function exportSandbox(store: StateStore): Promise<SandboxAccountSpec> {
  const account = (await store.getDocument<SandboxAccountDocument>(SANDBOX_ACCOUNT_KEY))?.body;
  const refs: SandboxResourceRef[] = [...(account?.resources ?? [])].sort((a, b) => byText(a.type, b.type) || byText(a.id, b.id));
  const read = async <T extends SandboxResourceType>(type: T): Promise<SandboxResources[T][]> => {
    const ids = refs.filter((r) => r.type === type).map((r) => r.id);
    return Promise.all(ids.map(async (id) => (await store.getDocument<SandboxResources[T]>(sandboxResourceKey(type, id)))?.body ?? emptyResource(type, id)));
  };
  const [routeTables, subnets, vpnConnections, vpnGateways, dxGateways, cloudConnect, transitRouteTables, securityGroups, whitelists, bgpPeers, addresses] = await Promise.all([
    read('route-table'),
    read('subnet'),
    read('vpn-connection'),
    read('vpn-gateway'),
    read('dx-gateway'),
    read('cloud-connect'),
    read('transit-route-table'),
    read('security-group'),
    read('whitelist'),
    read('bgp-peer'),
    read('address'),
  ]);
  const routes = (list: SandboxRoute[]) =>
    list.map((r) => ({ destination: r.destination, nextHop: r.nextHop, ...(r.nextHopType ? { nextHopType: r.nextHopType } : {}) })).sort(routeOrder);
  return {
    apiVersion: 'podreach/v1',
    kind: 'SandboxAccount',
    spec: {
      ...(account?.quotas && Object.keys(account.quotas).length > 0 ? { quotas: account.quotas } : {}),
      routeTables: routeTables.map((t) => ({ id: t.id, routes: routes(t.routes) })),
      subnets: subnets.map((s) => ({ id: s.id, ...(s.cidr ? { cidr: s.cidr } : {}), ...(s.routeTableId ? { routeTableId: s.routeTableId } : {}) })),
      vpnConnections: vpnConnections.map((c) => ({
        id: c.id,
        selectors: c.selectors.map((s) => ({ local: s.local, remote: s.remote })).sort((a, b) => byText(a.local, b.local) || byText(a.remote, b.remote)),
      })),
      vpnGateways: vpnGateways.map((g) => ({ id: g.id, routes: routes(g.routes) })),
      dxGateways: dxGateways.map((g) => ({ id: g.id, prefixes: g.prefixes.map((p) => p.cidr).sort(byText) })),
      cloudConnect: cloudConnect.map((c) => ({
        id: c.id,
        routes: c.routes.map((r) => ({ cidr: r.cidr, instanceId: r.instanceId, enabled: r.enabled })).sort((a, b) => byText(a.cidr, b.cidr) || byText(a.instanceId, b.instanceId)),
      })),
      transitRouteTables: transitRouteTables.map((t) => ({ id: t.id, routes: routes(t.routes) })),
      securityGroups: securityGroups.map((g) => ({
        id: g.id,
        rules: g.rules.map((r) => ({ source: r.source, port: r.port })).sort((a, b) => byText(a.source, b.source) || byText(a.port, b.port)),
      })),
      whitelists: whitelists.map((w) => ({ target: w.id, entries: w.entries.map((e) => e.cidr).sort(byText) })),
      bgpPeers: bgpPeers.map((p) => ({ id: p.id, routes: routes(p.routes) })),
      addresses: addresses.map((a) => ({
        ip: a.id,
        securityGroups: [...a.securityGroups],
        whitelists: [...a.whitelists],
        ...(a.vpcId ? { vpcId: a.vpcId } : {}),
        ...(a.resourceId ? { resourceId: a.resourceId } : {}),
      })),
    },
  };
}
