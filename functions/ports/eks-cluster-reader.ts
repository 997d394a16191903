import type { EksClusterFacts } from '../domain/cloud-lifecycle.js';

/** Reads what an EKS cluster's network is now (the lifecycle forwarder's only read). */
export interface EksClusterReader {
  /**
   * The cluster's VPC, pod subnets (its own and its live node groups', less `excludeNodegroup`) and remote pod
   * networks; undefined when the cluster does not exist.
   */
  read(clusterName: string, options?: { excludeNodegroup?: string }): Promise<EksClusterFacts | undefined>;
}
