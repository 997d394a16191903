// The one definition of podreach's events (CONTRACT.md): zod schemas of each detail, inside the EventBridge
// envelope. Handlers, the CLI, tests and the generated JSON Schemas (events/json-schema/) all come from here.
import { z } from 'zod';
import { checkRegion, clusterIdSchema, formatError, kubernetesNameSchema, labelMapSchema, regionSchema, resourceIdSchema } from '../functions/domain/identifiers.js';
import { LIMITS } from '../functions/domain/limits.js';
import { NETWORK_MODELS, PROVIDER_NAMES } from '../functions/domain/model.js';
import { cidrListSchema, cidrSchema, firstOverlap, ipSchema } from '../functions/domain/profile.js';

export const EVENT_SOURCE = 'podreach.cluster';

const clusterId = clusterIdSchema;
const occurredAt = z.iso.datetime({ offset: true, ...formatError('must be an ISO-8601 date-time such as 2026-11-20T08:00:00Z') });
const ip = ipSchema;
/** A Kubernetes node name (DNS-1123 subdomain): it names the node in BGPPeer resources and checklists. */
const nodeName = kubernetesNameSchema;

const podCidrs = cidrListSchema(LIMITS.podCidrsPerCluster).min(1, 'needs at least one CIDR');

export const clusterCreatedSchema = z
  .object({
    clusterId,
    provider: z.enum(PROVIDER_NAMES),
    /** The provider's region id (its format per provider: identifiers.ts). */
    region: regionSchema,
    vpcId: resourceIdSchema,
    networkModel: z.enum(NETWORK_MODELS),
    podCidrs,
    serviceCidr: cidrSchema.optional(),
    nodeSubnets: z
      .array(z.object({ subnetId: resourceIdSchema, cidr: cidrSchema }).strict())
      .max(LIMITS.nodeSubnetsPerCluster)
      .superRefine((subnets, ctx) => {
        const overlap = firstOverlap(subnets.map((subnet) => subnet.cidr));
        if (overlap) ctx.addIssue({ code: 'custom', path: [overlap.second, 'cidr'], message: overlap.message });
      })
      .optional(),
    /** The name of the connectivity profile to use (a profile's metadata.name). */
    profile: z.string().max(63).regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, formatError('not a profile name (lowercase letters, digits and -)')).optional(),
    occurredAt,
  })
  .strict()
  .superRefine((detail, ctx) => checkRegion(ctx, detail.provider, detail.region, ['region']));

export const nodeAddedSchema = z
  .object({
    clusterId,
    node: z
      .object({
        name: nodeName,
        ip,
        subnetId: resourceIdSchema.optional(),
        podCidr: cidrSchema.optional(),
        labels: labelMapSchema(LIMITS.labelsPerNode).optional(),
      })
      .strict(),
    occurredAt,
  })
  .strict();

export const nodeRemovedSchema = z.object({ clusterId, nodeName, occurredAt }).strict();

export const clusterCidrChangedSchema = z.object({ clusterId, podCidrs, occurredAt }).strict();

export const clusterDeletedSchema = z.object({ clusterId, occurredAt }).strict();

export const DETAIL_SCHEMAS = {
  'Cluster Created': clusterCreatedSchema,
  'Node Added': nodeAddedSchema,
  'Node Removed': nodeRemovedSchema,
  'Cluster CIDR Changed': clusterCidrChangedSchema,
  'Cluster Deleted': clusterDeletedSchema,
} as const;

export type DetailType = keyof typeof DETAIL_SCHEMAS;
export const DETAIL_TYPES = Object.keys(DETAIL_SCHEMAS) as DetailType[];

export type ClusterCreated = z.infer<typeof clusterCreatedSchema>;
export type NodeAdded = z.infer<typeof nodeAddedSchema>;
export type NodeRemoved = z.infer<typeof nodeRemovedSchema>;
export type ClusterCidrChanged = z.infer<typeof clusterCidrChangedSchema>;
export type ClusterDeleted = z.infer<typeof clusterDeletedSchema>;

export type ClusterEvent =
  | { detailType: 'Cluster Created'; detail: ClusterCreated; id?: string }
  | { detailType: 'Node Added'; detail: NodeAdded; id?: string }
  | { detailType: 'Node Removed'; detail: NodeRemoved; id?: string }
  | { detailType: 'Cluster CIDR Changed'; detail: ClusterCidrChanged; id?: string }
  | { detailType: 'Cluster Deleted'; detail: ClusterDeleted; id?: string };

/** The EventBridge envelope around a detail (the fields podreach reads; others pass). */
export const envelopeSchema = z
  .object({
    version: z.string().optional(),
    id: z.string().optional(),
    'detail-type': z.enum(DETAIL_TYPES as [DetailType, ...DetailType[]], {
      error: `unknown detail-type (expected one of: ${DETAIL_TYPES.join(', ')})`,
    }),
    source: z.literal(EVENT_SOURCE, { error: `must be "${EVENT_SOURCE}"` }),
    account: z.string().optional(),
    time: z.string().optional(),
    region: z.string().optional(),
    resources: z.array(z.string()).optional(),
    detail: z.record(z.string(), z.unknown(), { error: 'must be an object' }),
  })
  .loose();

/** Which detail-type a bare detail (no envelope) is, from its shape. */
export function inferDetailType(detail: Record<string, unknown>): DetailType {
  if ('node' in detail) return 'Node Added';
  if ('nodeName' in detail) return 'Node Removed';
  if ('vpcId' in detail || 'provider' in detail || 'networkModel' in detail || 'region' in detail) return 'Cluster Created';
  if ('podCidrs' in detail) return 'Cluster CIDR Changed';
  return 'Cluster Deleted';
}
