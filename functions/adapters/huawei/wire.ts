// The parts of Huawei Cloud's JSON answers the adapter reads, checked with zod (the SDK returns raw JSON
// cast to its model classes, so nothing is guaranteed at run time).
import { z } from 'zod';

export const routeTableRoute = z.object({
  type: z.string(),
  destination: z.string(),
  nexthop: z.string().optional().default(''),
  description: z.string().nullish(),
});
export type RouteTableRoute = z.infer<typeof routeTableRoute>;

export const showRouteTableBody = z.object({
  routetable: z.object({
    id: z.string(),
    default: z.boolean().optional(),
    routes: z.array(routeTableRoute).optional().default([]),
    subnets: z.array(z.object({ id: z.string() })).optional().default([]),
  }),
});

export const listRouteTablesBody = z.object({
  routetables: z.array(
    z.object({
      id: z.string(),
      default: z.boolean().optional(),
      subnets: z.array(z.object({ id: z.string() })).optional().default([]),
    }),
  ),
});

export const securityGroupRule = z.object({
  id: z.string(),
  security_group_id: z.string(),
  direction: z.string(),
  protocol: z.string().nullish(),
  multiport: z.string().nullish(),
  remote_ip_prefix: z.string().nullish(),
  ethertype: z.string().nullish(),
  action: z.string().nullish(),
  description: z.string().nullish(),
});
export type SecurityGroupRule = z.infer<typeof securityGroupRule>;

export const listSecurityGroupRulesBody = z.object({
  security_group_rules: z.array(securityGroupRule),
  page_info: z.object({ next_marker: z.string().nullish() }).optional(),
});

export const createSecurityGroupRuleBody = z.object({ security_group_rule: securityGroupRule });

export const dcsWhitelistGroup = z.object({ group_name: z.string(), ip_list: z.array(z.string()) });
export type DcsWhitelistGroup = z.infer<typeof dcsWhitelistGroup>;

export const dcsWhitelistBody = z.object({
  enable_whitelist: z.boolean().optional().default(false),
  whitelist: z.array(dcsWhitelistGroup).optional().default([]),
});
export type DcsWhitelist = z.infer<typeof dcsWhitelistBody>;

export const vpnPolicyRule = z.object({
  rule_index: z.number().int(),
  source: z.string(),
  destination: z.array(z.string()).default([]),
});
export type VpnPolicyRule = z.infer<typeof vpnPolicyRule>;

export const vpnConnectionBody = z.object({
  vpn_connection: z.object({
    id: z.string(),
    style: z.string().optional(),
    status: z.string().optional(),
    policy_rules: z.array(vpnPolicyRule).optional().default([]),
  }),
});
export type VpnConnection = z.infer<typeof vpnConnectionBody>['vpn_connection'];

export const virtualGatewayBody = z.object({
  virtual_gateway: z.object({
    id: z.string(),
    local_ep_group: z.array(z.string()).optional().default([]),
  }),
});

/** ListPorts (VPC v1): the ports holding an address, with their security groups. */
export const listPortsBody = z.object({
  ports: z
    .array(
      z.object({
        id: z.string(),
        network_id: z.string().nullish(),
        device_owner: z.string().nullish(),
        device_id: z.string().nullish(),
        fixed_ips: z.array(z.object({ ip_address: z.string().nullish(), subnet_id: z.string().nullish() })).nullish(),
        security_groups: z.array(z.string()).nullish(),
      }),
    )
    .optional()
    .default([]),
});

/** DCS ListInstances (v2), filtered by the connection address. */
export const dcsInstancesBody = z.object({
  instances: z
    .array(
      z.object({
        instance_id: z.string(),
        ip: z.string().nullish(),
        engine: z.string().nullish(),
        vpc_id: z.string().nullish(),
        subnet_id: z.string().nullish(),
        name: z.string().nullish(),
      }),
    )
    .optional()
    .default([]),
});
