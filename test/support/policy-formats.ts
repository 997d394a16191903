// Each cloud's policy grammar, as zod schemas, for checking that a printed policy parses as its cloud's format.
import { z } from 'zod';
import type { PolicyProvider } from '../../functions/adapters/permissions.js';

// Each cloud's policy grammar, as its documentation shows it (AWS IAM JSON reference; Tencent CAM "policy syntax";
// Alibaba RAM "policy structure and syntax"; Huawei IAM "custom policies", role/policy authorization).
const awsPolicy = z.strictObject({
  Version: z.literal('2012-10-17'),
  Statement: z
    .array(
      z.strictObject({
        Sid: z.string().regex(/^[A-Za-z0-9]+$/),
        Effect: z.literal('Allow'),
        Action: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/)).min(1),
        Resource: z.union([z.literal('*'), z.array(z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-*]*:(\d{12}|\*)?:.+$/)).min(1)]),
      }),
    )
    .min(1),
});
const tencentPolicy = z.strictObject({
  version: z.literal('2.0'),
  statement: z.array(z.strictObject({ effect: z.literal('allow'), action: z.array(z.string().regex(/^[a-z]+:[A-Z][A-Za-z]+$/)).min(1), resource: z.array(z.string()).min(1) })).min(1),
});
const alibabaPolicy = z.strictObject({
  Version: z.literal('1'),
  Statement: z.array(z.strictObject({ Effect: z.literal('Allow'), Action: z.array(z.string().regex(/^[a-z]+:[A-Z][A-Za-z]+$/)).min(1), Resource: z.union([z.literal('*'), z.array(z.string())]) })).min(1),
});
const huaweiPolicy = z.strictObject({
  Version: z.literal('1.1'),
  Statement: z.array(z.strictObject({ Effect: z.literal('Allow'), Action: z.array(z.string().regex(/^[a-z]+:[a-zA-Z]+:[a-zA-Z]+$/)).min(1) })).min(1),
});
export const POLICY_SCHEMAS: Record<PolicyProvider, z.ZodType> = { aws: awsPolicy, tencent: tencentPolicy, alibaba: alibabaPolicy, huawei: huaweiPolicy };

