// What podreach must never lose on a redeploy: the state table (ledger, plans, leases) and the Slack webhook secret.
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { acknowledgeNag } from './nag.js';
import type { Construct } from 'constructs';

export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly slackWebhookSecret: secretsmanager.Secret;

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
    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'podreach profile put FILE --table <this>' });
    new CfnOutput(this, 'SlackWebhookSecretArn', { value: this.slackWebhookSecret.secretArn, description: 'put the Slack webhook URL here' });
  }
}
