/** AWS Secrets Manager through the official client, imported only when an aws-sm:// reference is configured. */
import { SafeReason } from '../errors.js';
import type { SecretManagerSettings } from '../settings.js';
import type { SchemeResolver } from './types.js';

// arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME: an ARN names its region.
const ARN_REGION = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/;

export async function createAwsSecretsManagerResolver(settings: SecretManagerSettings['aws']): Promise<SchemeResolver<'aws-sm'>> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const clients = new Map<string, InstanceType<typeof SecretsManagerClient>>();
  const clientFor = (region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new SecretsManagerClient({
        region,
        maxAttempts: 2,
        // The SDK waits forever by default; a hung endpoint must fail start-up, not stall it.
        requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 },
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...(settings.credentials ? { credentials: settings.credentials } : {}),
      });
      clients.set(region, client);
    }
    return client;
  };
  return async (ref) => {
    const region = settings.region ?? ARN_REGION.exec(ref.secretId)?.[1];
    if (!region) throw new SafeReason('set AWS_REGION (or use the secret ARN)');
    const output = await clientFor(region).send(new GetSecretValueCommand({ SecretId: ref.secretId }));
    if (output.SecretString !== undefined) return output.SecretString;
    if (output.SecretBinary !== undefined) return Buffer.from(output.SecretBinary).toString('utf8');
    throw new SafeReason('the secret version has no value');
  };
}
