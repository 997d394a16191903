// Use case: an EKS lifecycle API call (CloudTrail via EventBridge) arrives. Read what the cluster's network is now
// and publish the podreach event it amounts to (Cluster Created, Cluster CIDR Changed, Cluster Deleted).
import type { ClusterEvent } from '../../events/schemas.js';
import { eksClusterName, eksLifecycleEvent, parseEksCloudTrailEvent } from '../domain/cloud-lifecycle.js';
import type { EksClusterReader } from '../ports/eks-cluster-reader.js';

export interface ForwardEksEventDeps {
  reader: EksClusterReader;
  publish(event: ClusterEvent): Promise<unknown>;
}

export async function forwardEksEvent(raw: unknown, deps: ForwardEksEventDeps): Promise<ClusterEvent> {
  const event = parseEksCloudTrailEvent(raw);
  const { eventName, requestParameters } = event.detail;
  const facts =
    eventName === 'DeleteCluster'
      ? undefined
      : await deps.reader.read(eksClusterName(event), eventName === 'DeleteNodegroup' && requestParameters.nodegroupName ? { excludeNodegroup: requestParameters.nodegroupName } : {});
  const clusterEvent = eksLifecycleEvent(event, facts);
  await deps.publish(clusterEvent);
  return clusterEvent;
}
