// The bounds podreach holds its input to (README "Limits"). Each is at least what the largest real cluster needs,
// so a bound is never what stops a real network, only a runaway or hostile input: past one, the input is refused
// with exit 2 (or InvalidInputError in AWS) before anything is recorded.
export const LIMITS = {
  /** EventBridge's own limit for one event (PutEvents entry). */
  eventBytes: 256 * 1024,
  /** A profile file, and the profile as stored (one DynamoDB item holds at most 400 KB). */
  profileBytes: 256 * 1024,
  /** A sandbox seed file. */
  sandboxBytes: 16 * 1024 * 1024,
  /** Container CIDRs of one cluster (the event's whole list); the clouds allow far fewer, 2,000 must run. */
  podCidrsPerCluster: 2048,
  /** Nodes of one cluster: Kubernetes' documented largest cluster. */
  nodesPerCluster: 5000,
  /** Node subnets of one cluster. */
  nodeSubnetsPerCluster: 1024,
  /** Labels on one node (Kubernetes sets none; real nodes carry 10-30). */
  labelsPerNode: 64,
  /** Entries of one profile section (directConnect, vpn, cloudConnect, peering, securityGroups, whitelists, bgp.peers). */
  sectionEntries: 256,
  /** CIDRs in one profile list (idcCidrs, remoteCidrs, secondaryCidrs, idcHostCidrs). */
  cidrsPerList: 1024,
  /** Ids in one profile list (routeTableIds, subnetIds, match.clusterIds, match.vpcIds, speakers). */
  idsPerList: 1024,
  /** Ports on one security group target. */
  portsPerTarget: 64,
  /** Keys in one nodeSelector. */
  selectorKeys: 64,
  /** A resource id (VPC, route table, gateway, instance, ...): the clouds' ids and names are far shorter. */
  resourceIdChars: 256,
} as const;
