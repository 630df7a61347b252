/**
 * Google Secret Manager through the official client over its REST fallback (no gRPC channel,
 * and it can be pointed at a plain HTTP endpoint). Imported only when a gcp-sm:// reference is configured.
 */
import { SafeReason } from '../errors.js';
import type { SecretManagerSettings } from '../settings.js';
import type { SchemeResolver } from './types.js';

export async function createGcpSecretManagerResolver(settings: SecretManagerSettings['gcp']): Promise<SchemeResolver<'gcp-sm'>> {
  const [{ SecretManagerServiceClient }, { googleAuthLibrary }] = await Promise.all([
    import('@google-cloud/secret-manager'),
    import('google-gax'),
  ]);
  const endpoint = settings.endpoint ? new URL(settings.endpoint) : undefined;
  let authClient: InstanceType<typeof googleAuthLibrary.OAuth2Client> | undefined;
  if (settings.accessToken) {
    // A static token (e.g. minted by a sidecar): without it the client uses Application Default Credentials.
    authClient = new googleAuthLibrary.OAuth2Client();
    authClient.setCredentials({ access_token: settings.accessToken });
  }
  const client = new SecretManagerServiceClient({
    fallback: true,
    ...(endpoint
      ? {
          apiEndpoint: endpoint.hostname,
          port: Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80)),
          protocol: endpoint.protocol.replace(/:$/, ''),
        }
      : {}),
    ...(authClient ? { authClient } : {}),
  });
  return async (ref) => {
    const [version] = await client.accessSecretVersion(
      { name: `projects/${ref.project}/secrets/${ref.secret}/versions/${ref.version}` },
      { timeout: 10_000 },
    );
    const data = version.payload?.data;
    if (data === undefined || data === null) throw new SafeReason('the secret version has no payload');
    return typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
  };
}
