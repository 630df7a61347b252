/**
 * What a provider key's options change, shown in the key list: for Azure OpenAI the API version and the
 * declared deployments (name -> model), since routing and pricing follow them. Nothing for other keys.
 */
import type { ProviderKey } from '../../api/credential-schemas.ts';
import { AZURE_PROVIDER, draftFromOptions } from './azure-options.ts';

export function ProviderKeyOptionsSummary({ providerKey }: { providerKey: ProviderKey }) {
  if (providerKey.provider !== AZURE_PROVIDER) return null;
  const { apiVersion, deployments } = draftFromOptions(providerKey.options);
  if (apiVersion === '' && deployments.length === 0) return null;
  return (
    <div className="key-options">
      {apiVersion === '' ? null : (
        <p>
          API version <code>{apiVersion}</code>
        </p>
      )}
      {deployments.length === 0 ? null : (
        <ul aria-label={`Deployments of ${providerKey.label}`}>
          {deployments.map((d) => (
            <li key={d.key}>
              <code>{d.name}</code> → {d.model}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
