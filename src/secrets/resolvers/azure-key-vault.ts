/**
 * Azure Key Vault through the official client and @azure/identity, imported only when an
 * azure-kv:// reference is configured. A service principal (AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET) or, without one, DefaultAzureCredential (managed or workload identity).
 */
import { SafeReason } from '../errors.js';
import type { SecretManagerSettings } from '../settings.js';
import type { SchemeResolver } from './types.js';

const DEFAULT_VAULT_URL = 'https://{vault}.vault.azure.net';

export async function createAzureKeyVaultResolver(settings: SecretManagerSettings['azure']): Promise<SchemeResolver<'azure-kv'>> {
  const [{ SecretClient }, { ClientSecretCredential, DefaultAzureCredential }] = await Promise.all([
    import('@azure/keyvault-secrets'),
    import('@azure/identity'),
  ]);
  // A custom authority (sovereign cloud, Azure Stack, a test double) is not in Microsoft's instance
  // metadata, so discovery would fail or reach the internet: trust the configured host instead.
  const authority = settings.authorityHost ? { authorityHost: settings.authorityHost, disableInstanceDiscovery: true } : {};
  const credential = settings.clientSecret
    ? new ClientSecretCredential(
        settings.clientSecret.tenantId,
        settings.clientSecret.clientId,
        settings.clientSecret.clientSecret,
        authority,
      )
    : new DefaultAzureCredential(authority);
  // Key Vault's auth challenge names a resource that must match the vault's domain; a vault URL
  // outside *.vault.azure.net (private link alias, test double) needs that check off.
  const customUrl = settings.vaultUrl !== DEFAULT_VAULT_URL;
  const clients = new Map<string, InstanceType<typeof SecretClient>>();
  const clientFor = (vault: string) => {
    let client = clients.get(vault);
    if (!client) {
      client = new SecretClient(settings.vaultUrl.replaceAll('{vault}', vault), credential, {
        disableChallengeResourceVerification: customUrl,
        retryOptions: { maxRetries: 1 },
      });
      clients.set(vault, client);
    }
    return client;
  };
  return async (ref) => {
    const secret = await clientFor(ref.vault).getSecret(ref.name, {
      ...(ref.version === undefined ? {} : { version: ref.version }),
      requestOptions: { timeout: 10_000 },
    });
    if (secret.value === undefined) throw new SafeReason('the secret has no value');
    return secret.value;
  };
}
