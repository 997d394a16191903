// Credentials for an AWS account other than the one the base credentials belong to: its role, assumed through STS
// AssumeRole with the external id its trust policy asks for (refreshed before it expires), or, locally, a profile of
// ~/.aws/config (which may itself assume a role).
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { EC2ClientConfig } from '@aws-sdk/client-ec2';

export type AwsCredentials = NonNullable<EC2ClientConfig['credentials']>;

export interface AwsAccountEntry {
  roleArn?: string;
  externalId?: string | undefined;
  sessionName?: string | undefined;
  profile?: string;
}

/** STS is called in the change's region, at the same endpoint as EC2 when one is set (an emulator). */
export function awsAccountCredentials(entry: AwsAccountEntry, options: { region: string; endpoint?: string }): AwsCredentials {
  if (entry.roleArn) {
    return fromTemporaryCredentials({
      params: { RoleArn: entry.roleArn, RoleSessionName: entry.sessionName ?? 'podreach', ...(entry.externalId ? { ExternalId: entry.externalId } : {}) },
      clientConfig: { region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) },
    });
  }
  return fromIni({ profile: entry.profile ?? '' });
}
