// slackWebhookSecret() against Secrets Manager on moto (or LocalStack): read once, cached, normalised.
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { slackWebhookSecret, type SlackWebhookContext } from '../../functions/adapters/slack/secret.js';
import { awsClientConfig, awsEndpoint, describeIfAws, type AwsEndpoint } from '../support/aws-endpoint.js';

describeIfAws('Function: slackWebhookSecret', () => {
  let aws: AwsEndpoint;
  let secrets: SecretsManagerClient;

  beforeAll(async () => {
    const found = await awsEndpoint();
    if (!found) throw new Error('no AWS emulator');
    aws = found;
    secrets = new SecretsManagerClient(awsClientConfig(aws.endpoint, aws.region));
  });

  afterAll(async () => {
    secrets?.destroy();
    await aws?.stop();
  });

  const handlerWith = (secretId: string) =>
    middy()
      .use(slackWebhookSecret({ secretId, awsClientOptions: awsClientConfig(aws.endpoint, aws.region), disablePrefetch: true }))
      .handler(async (_event: unknown, context: SlackWebhookContext) => context.slackWebhookUrl ?? 'none');

  it('puts the URL of a JSON secret on the context, and keeps the first read for later invocations', async () => {
    // Prepare
    const created = await secrets.send(new CreateSecretCommand({ Name: `podreach-slack-${process.pid}-a`, SecretString: '{"url":"http://127.0.0.1:9/hook-a"}' }));
    const handler = handlerWith(created.ARN ?? '');

    // Act
    const first = await handler({}, {} as never);
    await secrets.send(new PutSecretValueCommand({ SecretId: created.ARN, SecretString: '{"url":"http://127.0.0.1:9/hook-b"}' }));
    const second = await handler({}, {} as never);

    // Assess
    expect(first).toBe('http://127.0.0.1:9/hook-a');
    expect(second).toBe('http://127.0.0.1:9/hook-a');
  });

  it('reads a plain-text URL, and treats {} as not configured', async () => {
    // Prepare
    const plain = await secrets.send(new CreateSecretCommand({ Name: `podreach-slack-${process.pid}-b`, SecretString: 'http://127.0.0.1:9/hook-plain' }));
    const empty = await secrets.send(new CreateSecretCommand({ Name: `podreach-slack-${process.pid}-c`, SecretString: '{}' }));

    // Act
    const fromPlain = await handlerWith(plain.ARN ?? '')({}, {} as never);
    const fromEmpty = await handlerWith(empty.ARN ?? '')({}, {} as never);

    // Assess
    expect(fromPlain).toBe('http://127.0.0.1:9/hook-plain');
    expect(fromEmpty).toBe('none');
  });

  it('fails without echoing a secret that holds no URL', async () => {
    // Prepare
    const bad = await secrets.send(new CreateSecretCommand({ Name: `podreach-slack-${process.pid}-d`, SecretString: 's3cret-not-a-url' }));

    // Act
    const result = handlerWith(bad.ARN ?? '')({}, {} as never);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidInputError', field: 'SLACK_WEBHOOK_SECRET_ARN' });
    await expect(result).rejects.toThrow(/^(?!.*s3cret)/);
  });
});
