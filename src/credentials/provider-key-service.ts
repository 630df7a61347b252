/**
 * Provider-key management for the api: every change validated (SSRF policy, provider rules,
 * projects of the same org), written and audited in one transaction, then announced on the bus
 * (`provider_key.changed`) so every gateway replica drops its decrypted copy and its view of the
 * org's keys at once. The key is write-only: nothing here returns it, in any form.
 */
import { inArray } from 'drizzle-orm';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { ActionContext } from '../audit/context.js';
import { projects } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import type { SsrfPolicy } from '../gateway/upstream/ssrf.js';
import { HttpError, notFound } from '../http/errors.js';
import type { ProviderId } from '../providers/ids.js';
import { announce } from './announce.js';
import type { CredentialDeps } from './api-key-service.js';
import { isUniqueViolation } from './db-errors.js';
import type { CreateProviderKeyInput, UpdateProviderKeyInput } from './provider-key-input.js';
import { checkBaseUrl, checkBaseUrlPresence, checkOptions } from './provider-key-rules.js';
import { listProviderKeyViews, providerKeyView, type ProviderKeyView } from './provider-key-view.js';
import { createProviderKey, deleteProviderKey, findProviderKey, findProviderKeyById, updateProviderKey } from './provider-keys.js';

export type ProviderKeyDeps = CredentialDeps & { keyring: MasterKeyring; providerUrlPolicy: SsrfPolicy };

export const providerKeyNotFound = (): HttpError => notFound('Provider key not found', 'provider_key_not_found');
const labelTaken = () =>
  new HttpError(409, 'invalid_request_error', 'label_taken', 'This organization already has a key of this provider with that label.');

/** The projects' names by id; unknown ids (or another org's: RLS hides them) are a 404 naming nothing. */
async function projectNames(tx: Tx, projectIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(projectIds)];
  if (unique.length === 0) return new Map();
  const rows = await tx.select({ id: projects.id, name: projects.name }).from(projects).where(inArray(projects.id, unique));
  if (rows.length !== unique.length) throw notFound('Project not found', 'project_not_found');
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** As bootstrap names them: the provider for an org-wide key, `<project>/<provider>` for a key of one project. */
function defaultLabel(provider: ProviderId, projectIds: readonly string[], names: Map<string, string>): string {
  const only = projectIds.length === 1 ? names.get(projectIds[0]!) : undefined;
  return only === undefined ? provider : `${only}/${provider}`;
}

export async function listProviderKeys(deps: ProviderKeyDeps, orgId: string): Promise<ProviderKeyView[]> {
  return deps.db.withTenant(orgId, (tx) => listProviderKeyViews(tx));
}

export async function getProviderKey(deps: ProviderKeyDeps, orgId: string, id: string): Promise<ProviderKeyView> {
  const view = await deps.db.withTenant(orgId, (tx) => providerKeyView(tx, id));
  if (!view) throw providerKeyNotFound();
  return view;
}

export async function createProviderKeyFromApi(
  deps: ProviderKeyDeps,
  orgId: string,
  input: CreateProviderKeyInput,
  ctx: ActionContext,
): Promise<ProviderKeyView> {
  const baseUrl = input.baseUrl === undefined ? null : checkBaseUrl(input.baseUrl, deps.providerUrlPolicy);
  checkBaseUrlPresence(input.provider, baseUrl);
  const options = input.options ?? {};
  checkOptions(input.provider, options);
  const projectIds = [...new Set(input.projectIds ?? [])];
  let view: ProviderKeyView;
  try {
    view = await deps.db.withTenant(orgId, async (tx) => {
      const names = await projectNames(tx, projectIds);
      const label = input.label ?? defaultLabel(input.provider, projectIds, names);
      if (await findProviderKey(tx, orgId, input.provider, label)) throw labelTaken();
      const { id } = await createProviderKey(
        tx,
        { orgId, provider: input.provider, label, baseUrl, options, secret: input.key, projectIds },
        deps.keyring,
        ctx,
      );
      const created = await providerKeyView(tx, id);
      if (!created) throw new Error('inserted provider key not found');
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw labelTaken();
    throw error;
  }
  await announce(deps.bus, { type: 'provider_key.changed', orgId, providerKeyId: view.id }, deps.logger);
  return view;
}

export async function updateProviderKeyFromApi(
  deps: ProviderKeyDeps,
  orgId: string,
  id: string,
  input: UpdateProviderKeyInput,
  ctx: ActionContext,
): Promise<ProviderKeyView> {
  const baseUrl =
    input.baseUrl === undefined || input.baseUrl === null ? input.baseUrl : checkBaseUrl(input.baseUrl, deps.providerUrlPolicy);
  let changed = false;
  let view: ProviderKeyView;
  try {
    view = await deps.db.withTenant(orgId, async (tx) => {
      const row = await findProviderKeyById(tx, id, true);
      if (!row) throw providerKeyNotFound();
      const provider = row.provider as ProviderId;
      checkBaseUrlPresence(provider, baseUrl === undefined ? row.baseUrl : baseUrl);
      if (input.options !== undefined) checkOptions(provider, input.options);
      if (input.projectIds !== undefined) await projectNames(tx, input.projectIds);
      if (input.label !== undefined && input.label !== row.label && (await findProviderKey(tx, orgId, row.provider, input.label)))
        throw labelTaken();
      changed = await updateProviderKey(
        tx,
        row,
        { secret: input.key, label: input.label, baseUrl, options: input.options, projectIds: input.projectIds },
        deps.keyring,
        ctx,
      );
      const updated = await providerKeyView(tx, id);
      if (!updated) throw providerKeyNotFound();
      return updated;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw labelTaken();
    throw error;
  }
  if (changed) await announce(deps.bus, { type: 'provider_key.changed', orgId, providerKeyId: id }, deps.logger);
  return view;
}

export async function deleteProviderKeyFromApi(deps: ProviderKeyDeps, orgId: string, id: string, ctx: ActionContext): Promise<void> {
  const deleted = await deps.db.withTenant(orgId, (tx) => deleteProviderKey(tx, orgId, id, ctx));
  if (!deleted) throw providerKeyNotFound();
  await announce(deps.bus, { type: 'provider_key.changed', orgId, providerKeyId: id }, deps.logger);
}
