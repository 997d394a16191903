// The connectivity profile (docs/contract.md): which VPC, attachments, peers and BGP edge a cluster connects to.
// Every section parses, including those a later flow plans. Every list is optional; none plans nothing.
// Values follow the rules of the system they go to (identifiers.ts) and the bounds of limits.ts.
import { z } from 'zod';
import { isValidIp, normaliseCidr, parseCidr, type ParsedCidr } from './cidr.js';
import { checkRegion, formatError, kubernetesNameSchema, labelMapSchema, regionSchema, resourceIdSchema } from './identifiers.js';
import { LIMITS } from './limits.js';
import { PROVIDER_NAMES } from './model.js';

const CIDR_FORMAT = 'not a valid CIDR (expected a.b.c.d/n)';

/**
 * A CIDR whose address is its network address. Host bits (172.16.0.1/16) are refused, not normalised: the
 * sender meant either the block or the host, and guessing the block would route addresses it never named.
 * IPv6 spelling is normalised (RFC 5952), which changes no address.
 */
export const cidrSchema = z
  .string()
  .max(64, 'not a valid CIDR (too long)')
  .regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, formatError(CIDR_FORMAT))
  .superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (!parsed) {
      ctx.addIssue({ code: 'custom', message: `${CIDR_FORMAT}, got ${JSON.stringify(value)}` });
      return;
    }
    const address = parseCidr(`${value.slice(0, value.indexOf('/'))}/${parsed.version === 4 ? 32 : 128}`);
    if (address && address.start !== parsed.start) {
      ctx.addIssue({ code: 'custom', message: `${value} has host bits set (the block is ${parsed.cidr}; write that, or the host as /${parsed.version === 4 ? 32 : 128})` });
    }
  })
  .transform((value) => normaliseCidr(value));

/**
 * A CIDR as an account already holds it (sandbox seeds): host bits are normalised away, as the clouds show a
 * route's destination. What podreach is asked to create (events, profiles) uses cidrSchema, which refuses them.
 */
export const heldCidrSchema = z
  .string()
  .max(64, 'not a valid CIDR (too long)')
  .regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, formatError(CIDR_FORMAT))
  .refine((value) => parseCidr(value) !== undefined, formatError(CIDR_FORMAT))
  .transform((value) => normaliseCidr(value));

/** The first two CIDRs of a list that share an address (an exact repeat included), by index; undefined when none do. */
export function firstOverlap(cidrs: readonly string[]): { first: number; second: number; message: string } | undefined {
  const parsed: { block: ParsedCidr; index: number }[] = [];
  cidrs.forEach((text, index) => {
    const block = parseCidr(text);
    if (block) parsed.push({ block, index });
  });
  parsed.sort((a, b) => a.block.version - b.block.version || (a.block.start < b.block.start ? -1 : a.block.start > b.block.start ? 1 : a.block.prefix - b.block.prefix));
  // sorted by start, a block overlaps an earlier one exactly when it starts before the widest end seen so far
  let widest: { block: ParsedCidr; index: number } | undefined;
  for (const item of parsed) {
    if (widest && widest.block.version === item.block.version && item.block.start <= widest.block.end) {
      const [first, second] = widest.index < item.index ? [widest, item] : [item, widest];
      return {
        first: first.index,
        second: second.index,
        message: `${second.block.cidr} overlaps ${first.block.cidr} (entry ${first.index}); a list must not name an address twice`,
      };
    }
    if (!widest || widest.block.version !== item.block.version || item.block.end > widest.block.end) widest = item;
  }
  return undefined;
}

/** A list of CIDRs: at most `max`, no two sharing an address. */
export function cidrListSchema(max: number) {
  return z
    .array(cidrSchema)
    .max(max)
    .superRefine((cidrs, ctx) => {
      const overlap = firstOverlap(cidrs);
      if (overlap) ctx.addIssue({ code: 'custom', path: [overlap.second], message: overlap.message });
    });
}

export const ipSchema = z
  .string()
  .max(64)
  .refine((value) => isValidIp(value), formatError('not a valid IP address'));

const id = resourceIdSchema;
const ids = z.array(id).max(LIMITS.idsPerList);
const section = <T extends z.ZodType>(entry: T) => z.array(entry).max(LIMITS.sectionEntries);

const PORT_FORMAT = 'expected "tcp:PORT", "udp:PORT", "tcp:FROM-TO", "icmp" or "all"';

/** A port rule; ports are 0-65535 and a range runs from low to high. */

/**
 * The account a resource lives in, as the credentials name it: an AWS account id (12 digits), a Tencent UIN, an
 * Alibaba UID, a Huawei domain id, or any name the credentials' `accounts` list (docs/deploy.md).
 */
export const accountSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an account id or name: letters, digits, ".", "_", "-" (at most 64)');
const account = accountSchema.optional();

export const portSchema = z
  .string()
  .max(32, PORT_FORMAT)
  .regex(/^(icmp|all|(tcp|udp):(\d{1,5})(-\d{1,5})?)$/, formatError(PORT_FORMAT))
  .superRefine((value, ctx) => {
    const match = /^(?:tcp|udp):(\d+)(?:-(\d+))?$/.exec(value);
    if (!match) return;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from > 65535 || to > 65535) ctx.addIssue({ code: 'custom', message: `${value}: out of range, ports are 0-65535` });
    else if (from > to) ctx.addIssue({ code: 'custom', message: `${value}: the range must run from low to high (${to}-${from}?)` });
  });

const oppositeSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES),
    region: regionSchema,
    connectionId: id,
    gatewayId: id,
    routeTableIds: ids.default([]),
    /** The far side's account (its connection, gateway and route tables). Default: the credentials' own. */
    account,
  })
  .strict()
  .superRefine((opposite, ctx) => checkRegion(ctx, opposite.provider, opposite.region, ['region']));

export const directConnectSchema = z
  .object({
    gatewayId: id,
    routing: z.enum(['bgp', 'static']).default('bgp'),
    idcCidrs: cidrListSchema(LIMITS.cidrsPerList).default([]),
    routeTableIds: ids.default([]),
    /** AWS only: what the DX gateway is associated with (vgw advertises VPC CIDRs only; tgw takes allowed prefixes). */
    association: z.enum(['vgw', 'tgw']).optional(),
    /**
     * AWS only: the virtual private gateway (vgw-...) or transit gateway (tgw-...) of that association. An AWS route
     * table cannot target a Direct Connect gateway: the IDC CIDRs are routed to this gateway.
     */
    associatedGatewayId: z.string().regex(/^(vgw|tgw)-[0-9a-zA-Z]+$/, 'expected a vgw-... or tgw-... id').optional(),
    /** Tencent only: the account's APPID, one of the facts of the ticket that opens the container network on the gateway. */
    appId: z.string().regex(/^\d+$/, 'expected the numeric APPID').optional(),
    /** The gateway's account (its prefixes). Default: accounts.network, else the cluster's. The routeTableIds are the cluster's. */
    account,
  })
  .strict()
  .superRefine((gateway, context) => {
    const expected = gateway.association === 'vgw' ? 'vgw-' : gateway.association === 'tgw' ? 'tgw-' : undefined;
    if (gateway.associatedGatewayId && !gateway.association) {
      context.addIssue({ code: 'custom', path: ['association'], message: 'associatedGatewayId needs association (vgw or tgw)' });
    } else if (expected && gateway.associatedGatewayId && !gateway.associatedGatewayId.startsWith(expected)) {
      context.addIssue({ code: 'custom', path: ['associatedGatewayId'], message: `a ${gateway.association} association needs a ${expected}... id` });
    } else if (expected && !gateway.associatedGatewayId && gateway.routeTableIds.length > 0) {
      context.addIssue({ code: 'custom', path: ['associatedGatewayId'], message: `routes to the IDC go to the ${gateway.association} associated with ${gateway.gatewayId}: name it (${expected}...)` });
    }
  });

export const vpnSchema = z
  .object({
    connectionId: id,
    gatewayId: id,
    remoteCidrs: cidrListSchema(LIMITS.cidrsPerList).default([]),
    routeTableIds: ids.default([]),
    subnetIds: ids.default([]),
    opposite: oppositeSchema.optional(),
    /** The VPN connection's account (its selectors). Default: the cluster's. The routeTableIds and subnetIds are the cluster's. */
    account,
  })
  .strict();

export const cloudConnectSchema = z
  .object({
    id,
    enableConflicting: z.boolean().default(false),
    /** The cloud-connect network's (CCN / CEN / TGW) account. Default: accounts.network, else the cluster's. */
    account,
  })
  .strict();

export const peeringSchema = z
  .object({
    connectionId: id,
    /** account: the peer VPC's, where its route tables are written. Default: the cluster's. */
    peerVpc: z.object({ id, cidr: cidrSchema, account }).strict(),
    peerRouteTableIds: ids.default([]),
    /** The peer's container-engine bridge (docker0), checked for conflicts. */
    bridgeCidr: cidrSchema.optional(),
  })
  .strict();

export const securityGroupSchema = z
  .object({
    id,
    ports: z.array(portSchema).min(1, 'needs at least one port').max(LIMITS.portsPerTarget),
    bridgeCidr: cidrSchema.optional(),
    /** The security group's account. Default: the cluster's. */
    account,
  })
  .strict();

export const whitelistSchema = z
  .object({
    service: z.enum(['redis', 'rds', 'kafka', 'rabbitmq']),
    instanceId: id,
    /** The service instance's account. Default: the cluster's. */
    account,
  })
  .strict();

const asn = z.number().int().min(1).max(4294967295);

export const bgpPeerSchema = z
  .object({
    /** The BGPPeer resource's metadata.name, and its file name: a Kubernetes name. */
    name: kubernetesNameSchema,
    localAsn: asn,
    peerIp: ipSchema,
    peerAsn: asn,
    nodeSelector: labelMapSchema(LIMITS.selectorKeys).default({}),
    /** Node names (Kubernetes names). */
    speakers: z.array(kubernetesNameSchema).max(LIMITS.idsPerList).default([]),
    /** BGP's restart time is a 12-bit field (RFC 4724): 0-4095 s; the guide's rule (at least 300) is reviewed in bgp/peer-rules.ts. */
    gracefulRestartSeconds: z.number().int().min(0).max(4095).default(300),
    /** Accept fewer than 3 speakers (the guide's HA rule), explicitly. */
    acceptFewerSpeakers: z.boolean().default(false),
  })
  .strict();

export const bgpTransitSchema = z
  .object({
    vpcRouteTableId: id,
    transitRouterRouteTableId: id,
    borderRouterId: id,
    idcHostCidrs: cidrListSchema(LIMITS.cidrsPerList).default([]),
    /** Next hop on the border router toward the IDC (the core switch); defaults to the first peer's IP. */
    coreSwitchIp: ipSchema.optional(),
    /** The transit router's and border router's account. Default: accounts.network, else the cluster's. vpcRouteTableId is the cluster's. */
    account,
  })
  .strict();

export const bgpSchema = z
  .object({
    peers: section(bgpPeerSchema)
      .default([])
      .superRefine((peers, ctx) => {
        // one BGPPeer resource (and file) per name: a second would silently replace the first
        const seen = new Map<string, number>();
        peers.forEach((peer, index) => {
          const first = seen.get(peer.name);
          if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate BGP peer name ${peer.name} (also peers[${first}])` });
          else seen.set(peer.name, index);
        });
      }),
    transit: bgpTransitSchema.optional(),
  })
  .strict();

const quota = z.number().int().positive().max(1_000_000).optional();

export const quotaOverridesSchema = z
  .object({
    routesPerTable: quota,
    rulesPerSecurityGroup: quota,
    prefixesPerDxGateway: quota,
    selectorsPerConnection: quota,
    whitelistEntries: quota,
  })
  .strict();

export const approvalSchema = z
  .object({
    /** Every delete waits for approval. */
    deletes: z.boolean().default(false),
    /** Enabling a cloud-connect route beside an overlapping one (enableConflicting) waits for approval. */
    enableConflicting: z.boolean().default(false),
    /** A security-group or whitelist source wider than this prefix length (e.g. 16: a /8 waits) waits for approval. */
    sourcesWiderThan: z.number().int().min(0).max(128).optional(),
    /** A plan with more changes than this waits for approval as a whole. */
    maxChanges: z.number().int().positive().optional(),
    /** Changes to more than this percent of one route table's (or list's) entries wait for approval. */
    maxTablePercent: z.number().positive().max(100).optional(),
    /** How long a request waits before it counts as rejected. Default 24 hours. */
    timeoutMinutes: z.number().int().positive().max(7 * 24 * 60).default(24 * 60),
  })
  .strict();

export const profileSpecSchema = z
  .object({
    match: z.object({ clusterIds: ids.default([]), vpcIds: ids.default([]) }).strict().default({ clusterIds: [], vpcIds: [] }),
    /**
     * Which account holds what, when not all in the credentials' own: `cluster` (the VPC, its route tables, subnets,
     * security groups, services), `network` (the Direct Connect gateways, cloud-connect networks and transit routers).
     * Each attachment may name its own `account`. Credentials per account: docs/deploy.md.
     */
    accounts: z.object({ cluster: account, network: account }).strict().optional(),
    vpc: z
      .object({ id, cidr: cidrSchema, secondaryCidrs: cidrListSchema(LIMITS.cidrsPerList).default([]) })
      .strict()
      .superRefine((vpc, ctx) => {
        const overlap = firstOverlap([vpc.cidr, ...vpc.secondaryCidrs]);
        if (overlap?.first === 0) ctx.addIssue({ code: 'custom', path: ['secondaryCidrs', overlap.second - 1], message: `${vpc.secondaryCidrs[overlap.second - 1]} overlaps the VPC's cidr ${vpc.cidr}` });
      })
      .optional(),
    directConnect: section(directConnectSchema).default([]),
    vpn: section(vpnSchema).default([]),
    cloudConnect: section(cloudConnectSchema).default([]),
    peering: section(peeringSchema).default([]),
    securityGroups: section(securityGroupSchema).default([]),
    whitelists: section(whitelistSchema).default([]),
    bgp: bgpSchema.optional(),
    /** A peer's container-engine bridge; a container CIDR overlapping it is a conflict. */
    bridgeCidr: cidrSchema.default('172.17.0.0/16'),
    quotas: quotaOverridesSchema.optional(),
    /** What happens to an entry podreach holds that someone removed or changed: put back (repair) or only reported. */
    drift: z.object({ policy: z.enum(['repair', 'report']).default('repair') }).strict().optional(),
    /** Changes that wait for a person's approval before they are applied (docs/approval.md). */
    approval: approvalSchema.optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    apiVersion: z.literal('podreach/v1'),
    kind: z.literal('ConnectivityProfile'),
    metadata: z.object({ name: z.string().max(63).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, formatError('lowercase letters, digits and -')) }).strict(),
    spec: profileSpecSchema,
  })
  .strict();

export type ConnectivityProfile = z.infer<typeof profileSchema>;
export type ProfileSpec = ConnectivityProfile['spec'];

let emptySpec: ProfileSpec | undefined;
/** The spec of a cluster no profile matches: every section empty, so nothing is planned for it (parsed on first use). */
export function emptyProfileSpec(): ProfileSpec {
  return (emptySpec ??= profileSpecSchema.parse({}));
}
export type DirectConnectAttachment = z.infer<typeof directConnectSchema>;
export type VpnAttachment = z.infer<typeof vpnSchema>;
export type CloudConnectAttachment = z.infer<typeof cloudConnectSchema>;
export type PeeringAttachment = z.infer<typeof peeringSchema>;
export type SecurityGroupTarget = z.infer<typeof securityGroupSchema>;
export type WhitelistTarget = z.infer<typeof whitelistSchema>;
export type BgpPeer = z.infer<typeof bgpPeerSchema>;
export type BgpTransit = z.infer<typeof bgpTransitSchema>;
