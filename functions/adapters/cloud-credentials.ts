// Tencent / Alibaba / Huawei keys for the deployed functions: one Secrets Manager secret (CLOUD_CREDENTIALS_SECRET_ARN)
// holding JSON, handed to createProviderRegistry({ credentials }). A cloud missing from the JSON ("{}" = none) falls
// back to that adapter's own chain (environment, profile). Values never reach a log or an error message: errors
// name the field only.
//
// The keys are rotated by hand, so a container must not keep them for its whole life: cachedCloudCredentials reads
// the secret through Powertools Parameters' SecretsProvider with a TTL (maxAge), and the registry rebuilds an
// adapter whose keys changed. The secret is fetched as text and parsed here, never with `transform: 'json'`: that
// rethrows JSON.parse's message, which quotes part of the input, i.e. part of a secret key.
import { ResourceNotFoundException, SecretsManagerClient, type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { InvalidInputError, NotFoundError } from '../domain/errors.js';
import { CLOUD_CREDENTIALS_FIELD, parseCloudCredentials, type CloudCredentials } from './cloud-credentials-schema.js';

export * from './cloud-credentials-schema.js';

export interface CachedCloudCredentialsOptions {
  /** Secret name or ARN (CLOUD_CREDENTIALS_SECRET_ARN in the functions). */
  secretId: string;
  /** How long keys read are used before the secret is read again. Default 300 s. */
  maxAgeSeconds?: number;
  /** A client to use; otherwise one is built from `clientConfig` (region, endpoint of an emulator). */
  client?: SecretsManagerClient;
  clientConfig?: SecretsManagerClientConfig;
}

/**
 * Where the registry reads the keys: the secret, cached for `maxAgeSeconds` (Powertools SecretsProvider), parsed at
 * every read of a new value. NotFoundError when the secret does not exist; other SDK errors are rethrown.
 */
export function cachedCloudCredentials(options: CachedCloudCredentialsOptions): () => Promise<CloudCredentials> {
  const provider = new SecretsProvider(options.client ? { awsSdkV3Client: options.client } : { clientConfig: options.clientConfig ?? {} });
  const maxAge = options.maxAgeSeconds ?? 300;
  let parsed: { text: string; value: CloudCredentials } | undefined;
  return async () => {
    let text: string | Uint8Array | undefined;
    try {
      text = await provider.get(options.secretId, { maxAge });
    } catch (error) {
      // Powertools wraps the SDK's error in a GetParameterError, keeping it as `cause`
      const cause = (error as { cause?: unknown }).cause ?? error;
      if (cause instanceof ResourceNotFoundException) throw new NotFoundError(`cloud credentials secret ${options.secretId} does not exist`);
      throw error;
    }
    if (typeof text !== 'string') throw new InvalidInputError(CLOUD_CREDENTIALS_FIELD, 'the secret holds binary data; put the JSON as its secret string');
    if (parsed?.text !== text) parsed = { text, value: parseCloudCredentials(text) };
    return parsed.value;
  };
}
