// The clouds' own cluster lifecycle notifications, mapped to podreach's events. Pure: each function takes the
// notification (validated here with zod, errors naming the field) and, where the notification alone does not say
// enough, the facts an adapter read; it returns an event validated by events/schemas.ts.
//
// - AWS EKS: "AWS API Call via CloudTrail" events on the default bus. DeleteCluster needs nothing more (an
//   EventBridge input transformer does it in infra/); CreateCluster, CreateNodegroup, DeleteNodegroup and
//   UpdateClusterConfig need the cluster's VPC, subnets and pod networks, read with DescribeCluster / DescribeSubnets.
// - Tencent TKE, Alibaba ACK, Huawei CCE: the audit events (CloudAudit, ActionTrail, CTS) their event buses
//   (EventBridge, EventBridge, EventGrid) deliver for CreateCluster / DeleteCluster; the request carries what
//   Cluster Created needs. Samples and where each shape is documented: events/cloud/.
import { z } from 'zod';
import { invalidIn, parseDetail } from '../../events/parse.js';
import type { ClusterEvent } from '../../events/schemas.js';
import { InvalidInputError } from './errors.js';
import { cidrUnion } from './cidr.js';
import type { NetworkModel } from './model.js';

function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalidIn(source, result.error);
  return result.data;
}

/** A millisecond or second epoch (string or number) or an ISO date-time, as ISO-8601. */
function isoTime(value: string | number, field: string): string {
  const numeric = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : undefined;
  const date = numeric !== undefined ? new Date(numeric < 1e12 ? numeric * 1000 : numeric) : new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidInputError(field, `not a time: ${value}`);
  return date.toISOString();
}

// ---------------------------------------------------------------------------------------------- AWS EKS

export const EKS_EVENT_NAMES = ['CreateCluster', 'DeleteCluster', 'CreateNodegroup', 'DeleteNodegroup', 'UpdateClusterConfig'] as const;
export type EksEventName = (typeof EKS_EVENT_NAMES)[number];

/** The fields of an EKS "AWS API Call via CloudTrail" event podreach reads. */
export const eksCloudTrailEventSchema = z.object({
  source: z.literal('aws.eks'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.object({
    eventSource: z.literal('eks.amazonaws.com'),
    eventName: z.enum(EKS_EVENT_NAMES),
    eventTime: z.string().min(1),
    awsRegion: z.string().min(1),
    errorCode: z.string().optional(),
    requestParameters: z
      .object({ name: z.string().min(1).optional(), clusterName: z.string().min(1).optional(), nodegroupName: z.string().min(1).optional() })
      .loose(),
  }).refine((detail) => detail.errorCode === undefined, { message: 'a failed API call changes no cluster', path: ['errorCode'] }),
});
export type EksCloudTrailEvent = z.infer<typeof eksCloudTrailEventSchema>;

export function parseEksCloudTrailEvent(value: unknown): EksCloudTrailEvent {
  return parseWith(eksCloudTrailEventSchema, value, 'event');
}

/** The cluster an EKS API call is about (CreateCluster / DeleteCluster / UpdateClusterConfig: name; node groups: clusterName). */
export function eksClusterName(event: EksCloudTrailEvent): string {
  const { requestParameters, eventName } = event.detail;
  const name = eventName.endsWith('Nodegroup') ? requestParameters.clusterName : requestParameters.name;
  if (!name) throw new InvalidInputError(`event: detail.requestParameters.${eventName.endsWith('Nodegroup') ? 'clusterName' : 'name'}`, 'required');
  return name;
}

/** What an adapter read about an EKS cluster (DescribeCluster, its node groups, DescribeSubnets). */
export interface EksClusterFacts {
  name: string;
  vpcId: string;
  serviceCidr?: string;
  /** remoteNetworkConfig.remotePodNetworks[].cidrs: pods of hybrid nodes, routed from outside the VPC. */
  remotePodCidrs: string[];
  /** The subnets pods take addresses from with the VPC CNI: the cluster's and its live node groups'. */
  podSubnets: Array<{ subnetId: string; cidr: string }>;
}

/**
 * The network model and pod CIDRs of an EKS cluster: hybrid nodes' remote pod networks are routed to the VPC
 * from outside it (vpc-router); otherwise the VPC CNI gives pods addresses of the VPC subnets (eni).
 */
export function eksNetwork(facts: EksClusterFacts): { networkModel: NetworkModel; podCidrs: string[] } {
  if (facts.remotePodCidrs.length > 0) return { networkModel: 'vpc-router', podCidrs: cidrUnion(facts.remotePodCidrs) };
  return { networkModel: 'eni', podCidrs: cidrUnion(facts.podSubnets.map((subnet) => subnet.cidr)) };
}

/** The podreach event for an EKS API call, given the cluster's facts as they are after the call. */
export function eksLifecycleEvent(event: EksCloudTrailEvent, facts: EksClusterFacts | undefined): ClusterEvent {
  const clusterId = eksClusterName(event);
  const occurredAt = isoTime(event.detail.eventTime, 'event: detail.eventTime');
  if (event.detail.eventName === 'DeleteCluster') return parseDetail('Cluster Deleted', { clusterId, occurredAt }, 'detail');
  if (!facts) throw new InvalidInputError('cluster', `EKS cluster ${clusterId} was not found`);
  const { networkModel, podCidrs } = eksNetwork(facts);
  if (event.detail.eventName === 'CreateCluster') {
    const nodeSubnets = [...facts.podSubnets].sort((a, b) => a.subnetId.localeCompare(b.subnetId));
    return parseDetail(
      'Cluster Created',
      { clusterId, provider: 'aws', region: event.detail.awsRegion, vpcId: facts.vpcId, networkModel, podCidrs, ...(facts.serviceCidr ? { serviceCidr: facts.serviceCidr } : {}), nodeSubnets, occurredAt },
      'detail',
    );
  }
  return parseDetail('Cluster CIDR Changed', { clusterId, podCidrs, occurredAt }, 'detail');
}

// ---------------------------------------------------------------------------------------- Tencent TKE

/** TKE's NetworkType (ClusterCIDRSettings / ClusterAdvancedSettings): GR is the global route (VPC route tables), VPC-CNI gives pods subnet IPs. */
const TKE_NETWORK_MODELS: Record<string, NetworkModel> = { GR: 'vpc-router', 'VPC-CNI': 'eni', CiliumOverlay: 'overlay' };

const jsonText = <S extends z.ZodType>(schema: S) =>
  z.union([schema, z.string().transform((text, context) => {
    try {
      return schema.parse(JSON.parse(text)) as z.infer<S>;
    } catch (error) {
      context.addIssue({ code: 'custom', message: `not the expected JSON (${(error as Error).message.split('\n')[0]})` });
      return z.NEVER;
    }
  })]);

const tkeCreateRequest = z
  .object({
    ClusterBasicSettings: z.object({ VpcId: z.string().min(1), ClusterName: z.string().optional() }).loose(),
    ClusterCIDRSettings: z.object({ ClusterCIDR: z.string().optional(), ServiceCIDR: z.string().optional(), EniSubnetIds: z.array(z.string()).optional() }).loose(),
    ClusterAdvancedSettings: z.object({ NetworkType: z.string().optional() }).loose().optional(),
  })
  .loose();

export const tkeAuditEventSchema = z.object({
  source: z.literal('tke.cloud.tencent'),
  type: z.string().regex(/^tke:CloudEvent:/, 'expected a tke:CloudEvent:* type'),
  region: z.string().min(1),
  time: z.union([z.number(), z.string()]),
  data: z
    .object({
      eventName: z.enum(['CreateCluster', 'DeleteCluster']),
      eventRegion: z.string().optional(),
      requestParameters: jsonText(z.object({ ClusterId: z.string().optional() }).loose()),
      responseElements: jsonText(z.object({ ClusterId: z.string().optional() }).loose()).optional(),
    })
    .loose(),
});

/** A TKE CloudAudit event from Tencent EventBridge (CreateCluster / DeleteCluster) as a podreach event. */
export function tkeLifecycleEvent(value: unknown): ClusterEvent {
  const event = parseWith(tkeAuditEventSchema, value, 'tke event');
  const occurredAt = isoTime(event.time, 'tke event: time');
  const clusterId = event.data.responseElements?.ClusterId ?? event.data.requestParameters.ClusterId;
  if (!clusterId) throw new InvalidInputError('tke event: data.responseElements.ClusterId', 'required');
  if (event.data.eventName === 'DeleteCluster') return parseDetail('Cluster Deleted', { clusterId, occurredAt }, 'detail');
  const request = parseWith(tkeCreateRequest, event.data.requestParameters, 'tke event: data.requestParameters');
  const networkType = request.ClusterAdvancedSettings?.NetworkType ?? 'GR';
  const networkModel = TKE_NETWORK_MODELS[networkType];
  if (!networkModel) throw new InvalidInputError('tke event: data.requestParameters.ClusterAdvancedSettings.NetworkType', `unknown network type ${networkType}`);
  const clusterCidr = request.ClusterCIDRSettings.ClusterCIDR;
  if (!clusterCidr) throw new InvalidInputError('tke event: data.requestParameters.ClusterCIDRSettings.ClusterCIDR', 'required (VPC-CNI-only clusters need their pod subnets read first)');
  return parseDetail(
    'Cluster Created',
    {
      clusterId,
      provider: 'tencent',
      region: event.data.eventRegion ?? event.region,
      vpcId: request.ClusterBasicSettings.VpcId,
      networkModel,
      podCidrs: [clusterCidr],
      ...(request.ClusterCIDRSettings.ServiceCIDR ? { serviceCidr: request.ClusterCIDRSettings.ServiceCIDR } : {}),
      occurredAt,
    },
    'detail',
  );
}

// ---------------------------------------------------------------------------------------- Alibaba ACK

export const ackActionTrailEventSchema = z.object({
  source: z.literal('acs.cs'),
  type: z.literal('cs:ActionTrail:ApiCall'),
  data: z
    .object({
      eventName: z.enum(['CreateCluster', 'DeleteCluster']),
      eventTime: z.string().min(1),
      acsRegion: z.string().min(1),
      serviceName: z.string().optional(),
      requestParameters: z
        .object({
          ClusterId: z.string().optional(),
          vpcid: z.string().optional(),
          container_cidr: z.string().optional(),
          service_cidr: z.string().optional(),
          pod_vswitch_ids: z.array(z.string()).optional(),
          addons: z.array(z.object({ name: z.string() }).loose()).optional(),
        })
        .loose(),
      responseElements: z.object({ cluster_id: z.string().optional() }).loose().optional(),
    })
    .loose(),
});

/** An ACK ActionTrail event from Alibaba Cloud EventBridge (CreateCluster / DeleteCluster) as a podreach event. */
export function ackLifecycleEvent(value: unknown): ClusterEvent {
  const event = parseWith(ackActionTrailEventSchema, value, 'ack event');
  const { data } = event;
  const occurredAt = isoTime(data.eventTime, 'ack event: data.eventTime');
  const clusterId = data.responseElements?.cluster_id ?? data.requestParameters.ClusterId;
  if (!clusterId) throw new InvalidInputError('ack event: data.responseElements.cluster_id', 'required');
  if (data.eventName === 'DeleteCluster') return parseDetail('Cluster Deleted', { clusterId, occurredAt }, 'detail');
  const request = data.requestParameters;
  if (!request.vpcid) throw new InvalidInputError('ack event: data.requestParameters.vpcid', 'required');
  // Terway gives pods addresses of the pod vSwitches (their CIDRs must be read); Flannel routes container_cidr.
  const terway = (request.addons ?? []).some((addon) => addon.name.startsWith('terway'));
  if (terway) throw new InvalidInputError('ack event: data.requestParameters.addons', 'a Terway cluster\'s pod CIDRs are its pod vSwitches\' CIDRs, which the event does not carry: read them (DescribeVSwitchAttributes) or let `podreach watch` report them');
  if (!request.container_cidr) throw new InvalidInputError('ack event: data.requestParameters.container_cidr', 'required');
  return parseDetail(
    'Cluster Created',
    { clusterId, provider: 'alibaba', region: data.acsRegion, vpcId: request.vpcid, networkModel: 'vpc-router', podCidrs: [request.container_cidr], ...(request.service_cidr ? { serviceCidr: request.service_cidr } : {}), occurredAt },
    'detail',
  );
}

// ---------------------------------------------------------------------------------------- Huawei CCE

const CCE_NETWORK_MODELS: Record<string, NetworkModel> = { overlay_l2: 'overlay', 'vpc-router': 'vpc-router', eni: 'eni' };

const cceCreateRequest = z
  .object({
    spec: z
      .object({
        hostNetwork: z.object({ vpc: z.string().min(1), subnet: z.string().optional() }).loose(),
        containerNetwork: z.object({ mode: z.string(), cidr: z.string().optional(), cidrs: z.array(z.object({ cidr: z.string() })).optional() }).loose(),
        kubernetesSvcIpRange: z.string().optional(),
      })
      .loose(),
  })
  .loose();

export const cceCtsEventSchema = z.object({
  source: z.literal('HC.CCE'),
  type: z.string().regex(/^CCE:CloudTrace:/, 'expected a CCE:CloudTrace:* type'),
  time: z.string().min(1),
  data: z
    .object({
      service_type: z.literal('CCE'),
      resource_type: z.literal('cluster'),
      trace_name: z.enum(['createCluster', 'deleteCluster']),
      resource_id: z.string().min(1),
      region_id: z.string().optional(),
      time: z.union([z.number(), z.string()]).optional(),
      request: z.string().optional(),
    })
    .loose(),
});

/** A CCE CTS trace from Huawei Cloud EventGrid (createCluster / deleteCluster) as a podreach event; `region` names the EventGrid channel's region when the trace does not. */
export function cceLifecycleEvent(value: unknown, region?: string): ClusterEvent {
  const event = parseWith(cceCtsEventSchema, value, 'cce event');
  const { data } = event;
  const occurredAt = isoTime(data.time ?? event.time, 'cce event: data.time');
  const clusterId = data.resource_id;
  if (data.trace_name === 'deleteCluster') return parseDetail('Cluster Deleted', { clusterId, occurredAt }, 'detail');
  const request = parseWith(jsonText(cceCreateRequest), data.request ?? '', 'cce event: data.request');
  const network = request.spec.containerNetwork;
  const networkModel = CCE_NETWORK_MODELS[network.mode];
  if (!networkModel) throw new InvalidInputError('cce event: data.request.spec.containerNetwork.mode', `unknown mode ${network.mode}`);
  const podCidrs = network.cidrs?.map((entry) => entry.cidr) ?? (network.cidr ? [network.cidr] : []);
  const clusterRegion = data.region_id ?? region;
  if (!clusterRegion) throw new InvalidInputError('cce event: data.region_id', 'required (or pass the region of the EventGrid channel)');
  return parseDetail(
    'Cluster Created',
    { clusterId, provider: 'huawei', region: clusterRegion, vpcId: request.spec.hostNetwork.vpc, networkModel, podCidrs, ...(request.spec.kubernetesSvcIpRange ? { serviceCidr: request.spec.kubernetesSvcIpRange } : {}), occurredAt },
    'detail',
  );
}
