// The cloud credentials (the deployed secret's JSON, and the local credentials file): their zod schema and parsers,
// with no SDK import, so the provider registry and the CLI read them without loading the Secrets Manager client.
// Values never reach an error message: errors name the field only.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InvalidInputError } from '../domain/errors.js';
import { accountSchema } from '../domain/profile.js';

const key = z.string().trim().min(1);

const tencentKeys = z.strictObject({ secretId: key, secretKey: key, token: key.optional() });
const alibabaKeys = z.strictObject({ accessKeyId: key, accessKeySecret: key, securityToken: key.optional() });
const huaweiKeys = z.strictObject({ ak: key, sk: key, projectId: key, securityToken: key.optional() });

/**
 * A role in another account, assumed with the cloud's base credentials (the keys above, else the adapter's chain):
 * AWS STS AssumeRole (with the external id the role's trust policy asks for), Tencent STS AssumeRole, Alibaba RAM
 * role (STS AssumeRole through @alicloud/credentials).
 */
const roleAssumption = z.strictObject({
  roleArn: key,
  externalId: key.optional(),
  /** Shows in the other account's audit trail (CloudTrail, CloudAudit, ActionTrail). Default "podreach". */
  sessionName: z.string().regex(/^[\w+=,.@-]{2,64}$/).optional(),
});
/** A profile of the cloud's own credentials file, local runs only (~/.aws/config, ~/.tencentcloud/credentials, ~/.huaweicloud/credentials). */
const profileReference = z.strictObject({ profile: key });

const accountsOf = <T extends z.ZodType>(entry: T) => z.record(accountSchema, entry).optional();

// Strict objects: a misspelt cloud or field ("tencnet", "secretkey") fails at load instead of silently falling back.
export const cloudCredentialsSchema = z.strictObject({
  tencent: tencentKeys.optional(),
  alibaba: alibabaKeys.optional(),
  huawei: huaweiKeys.optional(),
  /**
   * How to reach the accounts a profile names (spec.accounts, an attachment's `account`), per cloud and account. An
   * account not listed is reached with the cloud's base credentials: the account they belong to.
   */
  accounts: z
    .strictObject({
      aws: accountsOf(z.union([roleAssumption, profileReference], { error: 'expected {roleArn, externalId?, sessionName?} or {profile}' })),
      tencent: accountsOf(z.union([roleAssumption, tencentKeys, profileReference], { error: 'expected {roleArn, externalId?, sessionName?}, {secretId, secretKey, token?} or {profile}' })),
      alibaba: accountsOf(z.union([roleAssumption, alibabaKeys], { error: 'expected {roleArn, externalId?, sessionName?} or {accessKeyId, accessKeySecret, securityToken?}' })),
      huawei: accountsOf(z.union([huaweiKeys, profileReference], { error: 'expected {ak, sk, projectId, securityToken?} or {profile}' })),
    })
    .optional(),
});

export type CloudCredentials = z.infer<typeof cloudCredentialsSchema>;
export type AccountCredentials = NonNullable<CloudCredentials['accounts']>;
export type RoleAssumption = z.infer<typeof roleAssumption>;

/** A role to assume rather than keys or a profile. */
export function isRoleAssumption(entry: object): entry is RoleAssumption {
  return 'roleArn' in entry;
}

/** The field errors name: the JSON path inside the secret, under this prefix. */
export const CLOUD_CREDENTIALS_FIELD = 'cloudCredentials';

const SHAPE =
  '{"tencent": {"secretId", "secretKey", "token"?}, "alibaba": {"accessKeyId", "accessKeySecret", "securityToken"?}, "huawei": {"ak", "sk", "projectId", "securityToken"?}, "accounts"?: {"<cloud>": {"<account>": {...}}}}, every cloud optional';

/** The credentials a secret string holds. Throws InvalidInputError naming the offending field, never echoing a value. */
export function parseCloudCredentials(secretString: string): CloudCredentials {
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    // JSON.parse's own message quotes the input: not repeated here.
    throw new InvalidInputError(CLOUD_CREDENTIALS_FIELD, `the secret is not valid JSON; expected ${SHAPE}`);
  }
  return validated(json, CLOUD_CREDENTIALS_FIELD);
}

/**
 * The local credentials file (`--credentials FILE` or PODREACH_CREDENTIALS_FILE): the secret's JSON, or the same in
 * YAML. Errors name the field under `credentials`, never a value.
 */
export function parseCloudCredentialsFile(text: string): CloudCredentials {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    // the YAML parser's message quotes the line it stopped at, which may hold a key
    throw new InvalidInputError('credentials', `the credentials file is neither JSON nor YAML; expected ${SHAPE}`);
  }
  return validated(document ?? {}, 'credentials');
}

function validated(json: unknown, prefix: string): CloudCredentials {
  const result = cloudCredentialsSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = [prefix, ...(issue?.path ?? []).map(String)].join('.');
    // Built from the issue's code and expectation only: nothing of the received value can reach the message.
    const detail =
      issue?.code === 'unrecognized_keys'
        ? `unknown key ${issue.keys.map((name) => JSON.stringify(name)).join(', ')}`
        : issue?.code === 'invalid_type'
          ? `missing or not a${issue.expected === 'object' ? 'n object' : ` ${issue.expected}`}`
          : issue?.code === 'too_small'
            ? 'must not be empty'
            : issue?.code === 'invalid_union'
              ? issue.message
              : issue?.code === 'invalid_key'
                ? 'not an account id or name'
                : 'invalid';
    throw new InvalidInputError(path, `${detail} in the ${prefix === CLOUD_CREDENTIALS_FIELD ? 'cloud credentials secret' : 'credentials file'}; it must be ${SHAPE}`);
  }
  return result.data;
}
