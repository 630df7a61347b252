/**
 * The non-secret edit of a provider key (PATCH …/provider-keys/:id without `key`): name, base URL,
 * options and project scope. The secret is never part of this request, so nothing here can leak it.
 */
import { request, seg } from './client.ts';
import { oneProviderKeySchema, type ProviderKey } from './credential-schemas.ts';

export type ProviderKeyEdit = {
  label: string;
  /** null: the provider's default endpoint. */
  baseUrl: string | null;
  /** Empty: every project of the org; the api replaces the list as a whole. */
  projectIds: string[];
  /** Left out: unchanged. Given: replaces the stored options as a whole ({} clears them). */
  options?: Record<string, unknown>;
};

export const editProviderKey = (orgId: string, providerKeyId: string, edit: ProviderKeyEdit): Promise<ProviderKey> =>
  request('PATCH', `/api/orgs/${seg(orgId)}/provider-keys/${seg(providerKeyId)}`, oneProviderKeySchema, { body: edit }).then(
    (r) => r.providerKey,
  );
