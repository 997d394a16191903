// The connectivity profile (docs/contract.md): which VPC, attachments, peers and BGP edge a cluster connects to.
// Every section parses, including those a later flow plans. Every list is optional; none plans nothing.
import { z } from 'zod';
import { isCidr, isValidIp, normaliseCidr } from './cidr.js';
import { PROVIDER_NAMES } from './model.js';

export const cidrSchema = z
  .string()
  .regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'not a valid CIDR (expected a.b.c.d/n)')
  .refine((value) => isCidr(value), { message: 'not a valid CIDR (expected a.b.c.d/n)' })
  .transform((value) => normaliseCidr(value));

export const ipSchema = z.string().refine((value) => isValidIp(value), { message: 'not a valid IP address' });

const id = z.string().min(1);
const ids = z.array(id);

/**
 * The account a resource lives in, as the credentials name it: an AWS account id (12 digits), a Tencent UIN, an
 * Alibaba UID, a Huawei domain id, or any name the credentials' `accounts` list (docs/deploy.md).
 */
export const accountSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an account id or name: letters, digits, ".", "_", "-" (at most 64)');
const account = accountSchema.optional();

export const portSchema = z
  .string()
  .regex(/^(icmp|all|(tcp|udp):(\d{1,5})(-\d{1,5})?)$/, 'expected "tcp:PORT", "udp:PORT", "tcp:FROM-TO", "icmp" or "all"');

const oppositeSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES),
    region: z.string().min(1),
    connectionId: id,
    gatewayId: id,
    routeTableIds: ids.default([]),
    /** The far side's account (its connection, gateway and route tables). Default: the credentials' own. */
    account,
  })
  .strict();

export const directConnectSchema = z
  .object({
    gatewayId: id,
    routing: z.enum(['bgp', 'static']).default('bgp'),
    idcCidrs: z.array(cidrSchema).default([]),
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
    remoteCidrs: z.array(cidrSchema).default([]),
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
    ports: z.array(portSchema).min(1),
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
    name: id,
    localAsn: asn,
    peerIp: ipSchema,
    peerAsn: asn,
    nodeSelector: z.record(z.string(), z.string()).default({}),
    speakers: z.array(z.string().min(1)).default([]),
    gracefulRestartSeconds: z.number().int().default(300),
    /** Accept fewer than 3 speakers (the guide's HA rule), explicitly. */
    acceptFewerSpeakers: z.boolean().default(false),
  })
  .strict();

export const bgpTransitSchema = z
  .object({
    vpcRouteTableId: id,
    transitRouterRouteTableId: id,
    borderRouterId: id,
    idcHostCidrs: z.array(cidrSchema).default([]),
    /** Next hop on the border router toward the IDC (the core switch); defaults to the first peer's IP. */
    coreSwitchIp: ipSchema.optional(),
    /** The transit router's and border router's account. Default: accounts.network, else the cluster's. vpcRouteTableId is the cluster's. */
    account,
  })
  .strict();

export const bgpSchema = z
  .object({
    peers: z.array(bgpPeerSchema).default([]),
    transit: bgpTransitSchema.optional(),
  })
  .strict();

export const quotaOverridesSchema = z
  .object({
    routesPerTable: z.number().int().positive().optional(),
    rulesPerSecurityGroup: z.number().int().positive().optional(),
    prefixesPerDxGateway: z.number().int().positive().optional(),
    selectorsPerConnection: z.number().int().positive().optional(),
    whitelistEntries: z.number().int().positive().optional(),
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
    vpc: z.object({ id, cidr: cidrSchema, secondaryCidrs: z.array(cidrSchema).default([]) }).strict().optional(),
    directConnect: z.array(directConnectSchema).default([]),
    vpn: z.array(vpnSchema).default([]),
    cloudConnect: z.array(cloudConnectSchema).default([]),
    peering: z.array(peeringSchema).default([]),
    securityGroups: z.array(securityGroupSchema).default([]),
    whitelists: z.array(whitelistSchema).default([]),
    bgp: bgpSchema.optional(),
    /** A peer's container-engine bridge; a container CIDR overlapping it is a conflict. */
    bridgeCidr: cidrSchema.default('172.17.0.0/16'),
    quotas: quotaOverridesSchema.optional(),
  })
  .strict();

export const profileSchema = z
  .object({
    apiVersion: z.literal('podreach/v1'),
    kind: z.literal('ConnectivityProfile'),
    metadata: z.object({ name: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and -') }).strict(),
    spec: profileSpecSchema,
  })
  .strict();

export type ConnectivityProfile = z.infer<typeof profileSchema>;
export type ProfileSpec = ConnectivityProfile['spec'];
export type DirectConnectAttachment = z.infer<typeof directConnectSchema>;
export type VpnAttachment = z.infer<typeof vpnSchema>;
export type CloudConnectAttachment = z.infer<typeof cloudConnectSchema>;
export type PeeringAttachment = z.infer<typeof peeringSchema>;
export type SecurityGroupTarget = z.infer<typeof securityGroupSchema>;
export type WhitelistTarget = z.infer<typeof whitelistSchema>;
export type BgpPeer = z.infer<typeof bgpPeerSchema>;
export type BgpTransit = z.infer<typeof bgpTransitSchema>;
