/**
 * MASTER_KEY_PROVIDER and its variables, checked together so a start-up error names every
 * variable a KMS still needs (never a value: VAULT_TOKEN is a secret).
 */
import type { MasterKeyProvider } from '../crypto/kms/provider.js';
import type { RawVariables } from './variables.js';

export type MasterKeyProviderConfig = { provider: MasterKeyProvider; cacheSeconds: number };

export function parseMasterKeyProvider(raw: RawVariables, problems: string[]): MasterKeyProviderConfig {
  const cacheSeconds = raw.MASTER_KEY_CACHE_SECONDS;
  const missing = (names: [string, unknown][]) => names.filter(([, value]) => value === undefined).map(([name]) => name);
  switch (raw.MASTER_KEY_PROVIDER) {
    case 'vault-transit': {
      const absent = missing([
        ['VAULT_ADDR', raw.VAULT_ADDR],
        ['VAULT_TOKEN', raw.VAULT_TOKEN],
        ['MASTER_KEY_VAULT_KEY', raw.MASTER_KEY_VAULT_KEY],
      ]);
      if (absent.length > 0 || !raw.VAULT_ADDR || !raw.VAULT_TOKEN || !raw.MASTER_KEY_VAULT_KEY) {
        problems.push(`MASTER_KEY_PROVIDER=vault-transit: set ${absent.join(', ')}`);
        return { provider: { kind: 'local' }, cacheSeconds };
      }
      return {
        provider: {
          kind: 'vault-transit',
          address: raw.VAULT_ADDR,
          token: raw.VAULT_TOKEN,
          namespace: raw.VAULT_NAMESPACE,
          mount: raw.MASTER_KEY_VAULT_MOUNT ?? 'transit',
          key: raw.MASTER_KEY_VAULT_KEY,
        },
        cacheSeconds,
      };
    }
    case 'aws-kms':
      if (!raw.MASTER_KEY_AWS_KMS_KEY_ID) {
        problems.push('MASTER_KEY_PROVIDER=aws-kms: set MASTER_KEY_AWS_KMS_KEY_ID');
        return { provider: { kind: 'local' }, cacheSeconds };
      }
      return {
        provider: { kind: 'aws-kms', keyId: raw.MASTER_KEY_AWS_KMS_KEY_ID, endpoint: raw.MASTER_KEY_AWS_KMS_ENDPOINT, region: undefined },
        cacheSeconds,
      };
    default:
      return { provider: { kind: 'local' }, cacheSeconds };
  }
}
