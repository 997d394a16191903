// EksClusterReader on the AWS SDK: DescribeCluster, ListNodegroups + DescribeNodegroup, DescribeSubnets.
import { DescribeSubnetsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribeNodegroupCommand, paginateListNodegroups, ResourceNotFoundException, type EKSClient } from '@aws-sdk/client-eks';
import type { EksClusterFacts } from '../../domain/cloud-lifecycle.js';
import { ProviderError } from '../../domain/errors.js';
import type { EksClusterReader } from '../../ports/eks-cluster-reader.js';

/** Node groups on their way out add no pod subnet. */
const GONE = new Set(['DELETING', 'DELETE_FAILED']);

export class AwsEksClusterReader implements EksClusterReader {
  readonly #eks: EKSClient;
  readonly #ec2: EC2Client;

  constructor(clients: { eks: EKSClient; ec2: EC2Client }) {
    this.#eks = clients.eks;
    this.#ec2 = clients.ec2;
  }

  async read(clusterName: string, options: { excludeNodegroup?: string } = {}): Promise<EksClusterFacts | undefined> {
    let cluster;
    try {
      cluster = (await this.#eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    if (!cluster) throw new ProviderError(`EKS DescribeCluster ${clusterName} returned no cluster`);
    const clusterSubnets = new Set(cluster.resourcesVpcConfig?.subnetIds ?? []);
    const subnetIds = new Set(cluster.resourcesVpcConfig?.subnetIds ?? []);
    for await (const page of paginateListNodegroups({ client: this.#eks }, { clusterName })) {
      for (const nodegroupName of page.nodegroups ?? []) {
        if (nodegroupName === options.excludeNodegroup) continue;
        const { nodegroup } = await this.#eks.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }));
        if (nodegroup?.status && GONE.has(nodegroup.status)) continue;
        for (const subnetId of nodegroup?.subnets ?? []) subnetIds.add(subnetId);
      }
    }
    const podSubnets: EksClusterFacts['podSubnets'] = [];
    let subnetsVpc: string | undefined;
    if (subnetIds.size > 0) {
      const { Subnets } = await this.#ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...subnetIds].sort() }));
      for (const subnet of Subnets ?? []) {
        if (subnet.SubnetId && subnet.CidrBlock) podSubnets.push({ subnetId: subnet.SubnetId, cidr: subnet.CidrBlock });
        if (subnet.SubnetId && clusterSubnets.has(subnet.SubnetId)) subnetsVpc ??= subnet.VpcId;
      }
    }
    // EKS returns the VPC; its subnets' VPC is the same one (moto leaves vpcId out: docs/notes.md)
    const vpcId = cluster.resourcesVpcConfig?.vpcId || subnetsVpc;
    if (!vpcId) throw new ProviderError(`EKS DescribeCluster ${clusterName} names no VPC and no subnet`);
    const remotePodCidrs = (cluster.remoteNetworkConfig?.remotePodNetworks ?? []).flatMap((network) => network.cidrs ?? []);
    const serviceCidr = cluster.kubernetesNetworkConfig?.serviceIpv4Cidr;
    return { name: clusterName, vpcId, ...(serviceCidr ? { serviceCidr } : {}), remotePodCidrs, podSubnets };
  }
}
