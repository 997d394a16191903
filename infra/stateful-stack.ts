// What podreach must never lose on a redeploy: the state table (ledger, plans, leases), the Slack webhook secret and
// the cloud credentials secret (Tencent / Alibaba / Huawei keys).
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledgeNag } from './nag.js';
import type { Construct } from 'constructs';

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly slackWebhookSecret: secretsmanager.Secret;
  readonly cloudCredentialsSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.table = new dynamodb.Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Plan history expires; ledger rows and cluster facts have no expiresAt and stay.
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.slackWebhookSecret = new secretsmanager.Secret(this, 'SlackWebhookUrl', {
      description: 'Slack incoming-webhook URL podreach posts execution summaries to, as {"url": "..."}. "{}" means none yet.',
      // "{}" is what notify reads as "no webhook configured" (functions/adapters/slack/secret.ts); a generated random
      // value would make every Notify fail until someone set the secret. It is not a secret, so plaintext is fine.
      secretObjectValue: {},
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.slackWebhookSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason: 'A Slack webhook URL is issued by Slack and cannot be rotated by a Lambda; it is replaced by hand when revoked.',
      },
    ]);

    this.cloudCredentialsSecret = new secretsmanager.Secret(this, 'CloudCredentials', {
      description:
        'Tencent / Alibaba / Huawei keys plan-flow and apply-change sign with, as {"tencent": {...}, "alibaba": {...}, "huawei": {...}} (functions/adapters/cloud-credentials.ts). "{}" means none: each adapter keeps its own chain.',
      // Created empty: a generated random value would not parse as credentials and would fail every plan. The keys
      // are put in by hand after deploying (README "Deployment").
      secretObjectValue: {},
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.cloudCredentialsSecret, [
      {
        id: 'AwsSolutions-SMG4',
        reason:
          'The secret holds access keys issued by Tencent Cloud, Alibaba Cloud and Huawei Cloud IAM; a Secrets Manager rotation Lambda cannot issue them, so they are rotated in each cloud and put here by hand.',
      },
    ]);

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'podreach profile put FILE --table <this>' });
    new CfnOutput(this, 'SlackWebhookSecretArn', { value: this.slackWebhookSecret.secretArn, description: 'put the Slack webhook URL here' });
    new CfnOutput(this, 'CloudCredentialsSecretArn', {
      value: this.cloudCredentialsSecret.secretArn,
      description: 'put the Tencent / Alibaba / Huawei keys here (JSON, see README "Deployment")',
    });
  }
}
