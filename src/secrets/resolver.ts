/**
 * One resolver for all schemes. Each scheme's client is created on first use, so a configuration
 * without references never imports a cloud SDK, and one with only vault:// imports none.
 */
import { describeFailure, SecretResolutionError } from './errors.js';
import { selectField } from './field.js';
import { describeReference, type SecretReference, type SecretScheme } from './reference.js';
import type { SchemeResolver } from './resolvers/types.js';
import type { SecretManagerSettings } from './settings.js';

export type ResolveReference = (ref: SecretReference) => Promise<string>;

type Resolvers = { [S in SecretScheme]: SchemeResolver<S> };

export function createReferenceResolver(settings: SecretManagerSettings): ResolveReference {
  const created: { [S in SecretScheme]?: Promise<SchemeResolver<S>> } = {};
  const factories: { [S in SecretScheme]: () => Promise<Resolvers[S]> } = {
    vault: async () => (await import('./resolvers/vault.js')).createVaultResolver(settings.vault),
    'aws-sm': async () => (await import('./resolvers/aws-secrets-manager.js')).createAwsSecretsManagerResolver(settings.aws),
    'gcp-sm': async () => (await import('./resolvers/gcp-secret-manager.js')).createGcpSecretManagerResolver(settings.gcp),
    'azure-kv': async () => (await import('./resolvers/azure-key-vault.js')).createAzureKeyVaultResolver(settings.azure),
  };
  function resolverFor<S extends SecretScheme>(scheme: S): Promise<Resolvers[S]> {
    let pending = created[scheme] as Promise<Resolvers[S]> | undefined;
    if (!pending) {
      pending = factories[scheme]();
      // A failed set-up (bad settings) is retried on the next refresh rather than cached.
      pending.catch(() => delete created[scheme]);
      (created as Record<S, Promise<Resolvers[S]>>)[scheme] = pending;
    }
    return pending;
  }

  return async (ref) => {
    try {
      // Vault values are maps, so the Vault resolver selects the field itself; the others return text.
      if (ref.scheme === 'vault') return await (await resolverFor('vault'))(ref);
      const text =
        ref.scheme === 'aws-sm'
          ? await (
              await resolverFor('aws-sm')
            )(ref)
          : ref.scheme === 'gcp-sm'
            ? await (
                await resolverFor('gcp-sm')
              )(ref)
            : await (
                await resolverFor('azure-kv')
              )(ref);
      return selectField(text, ref.field);
    } catch (error) {
      throw new SecretResolutionError(describeReference(ref), describeFailure(error));
    }
  };
}
