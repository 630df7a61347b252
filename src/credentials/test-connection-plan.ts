/**
 * What a "test connection" of one provider key will send, decided before anything is minted:
 * the project must be able to use the key, and the pinned model must reach THIS key and no other.
 * The gateway routes `provider/model` to every key of that provider the project may use
 * (project-scoped first, healthy first) and fails over between them on a 401; with a second
 * candidate key, a rejected key under test could be answered by the other one and reported as
 * working. Such a test is refused rather than made meaningless.
 */
import { eq } from 'drizzle-orm';
import { projects, providerKeyProjects, providerKeys } from '../db/schema/index.js';
import type { ProjectMode } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { badRequest, HttpError, notFound } from '../http/errors.js';
import { azureDeployments, deploymentModel } from '../providers/azure-openai/deployments.js';
import { findModel, modelsOf } from '../providers/catalog/catalog.js';
import { PROVIDER_IDS, type ProviderId } from '../providers/ids.js';
import { findProviderKeyById } from './provider-keys.js';

export type TestPlan = {
  providerKeyId: string;
  provider: ProviderId;
  label: string;
  projectId: string;
  projectMode: ProjectMode;
  /** `provider/model`, as sent to the gateway and as the only model the minted key may request. */
  pinnedModel: string;
};

const isProviderId = (value: string): value is ProviderId => (PROVIDER_IDS as readonly string[]).includes(value);

/** The cheapest current chat model of the provider in the catalog (input + output price). */
export function cheapestChatModel(provider: ProviderId): string | undefined {
  const price = (m: { pricing: { input: number; output?: number | undefined } }) => m.pricing.input + (m.pricing.output ?? 0);
  const chat = modelsOf(provider).filter((m) => m.mode === 'chat' && m.deprecated !== true);
  return chat.sort((a, b) => price(a) - price(b) || a.id.localeCompare(b.id))[0]?.id;
}

/**
 * The default model of a test of this key. An Azure key with a deployments map serves only its
 * deployments, so the cheapest catalog model (likely unmapped) would answer no_provider_key: it
 * gets its first chat deployment by name instead (the first deployment when none runs a chat model).
 */
export function defaultTestModel(provider: ProviderId, options: Readonly<Record<string, unknown>>): string | undefined {
  const deployments = provider === 'azure-openai' ? azureDeployments(options) : undefined;
  if (deployments && deployments.length > 0) {
    const chat = deployments.find((d) => deploymentModel(d.model, { find: findModel })?.mode === 'chat');
    return (chat ?? deployments[0]!).name;
  }
  return cheapestChatModel(provider);
}

/** Ids of the provider's keys usable by the project: org-wide ones and those scoped to it. */
async function usableKeysOf(tx: Tx, provider: string, projectId: string): Promise<string[]> {
  const keys = await tx.select({ id: providerKeys.id }).from(providerKeys).where(eq(providerKeys.provider, provider));
  const scopes = await tx
    .select({ providerKeyId: providerKeyProjects.providerKeyId, projectId: providerKeyProjects.projectId })
    .from(providerKeyProjects);
  return keys
    .map((k) => k.id)
    .filter((id) => {
      const scopedTo = scopes.filter((s) => s.providerKeyId === id).map((s) => s.projectId);
      return scopedTo.length === 0 || scopedTo.includes(projectId);
    });
}

/** Call inside withTenant(orgId): another org's key or project is simply not found. */
export async function planTest(tx: Tx, providerKeyId: string, projectId: string, model: string | undefined): Promise<TestPlan> {
  const row = await findProviderKeyById(tx, providerKeyId);
  if (!row) throw notFound('Provider key not found', 'provider_key_not_found');
  const [project] = await tx
    .select({ id: projects.id, name: projects.name, mode: projects.mode })
    .from(projects)
    .where(eq(projects.id, projectId));
  if (!project) throw notFound('Project not found', 'project_not_found');
  if (!isProviderId(row.provider)) throw badRequest(`The gateway does not serve the provider ${row.provider}.`, 'unknown_provider');
  const provider = row.provider;

  const usable = await usableKeysOf(tx, provider, projectId);
  if (!usable.includes(row.id))
    throw badRequest(
      `This key is scoped to other projects: project ${project.name} cannot use it. Test it from one of its projects.`,
      'provider_key_not_in_project',
    );
  if (usable.length > 1)
    throw new HttpError(
      409,
      'invalid_request_error',
      'provider_key_ambiguous',
      `Project ${project.name} can use ${usable.length} ${provider} keys, and the gateway fails over between them: the test could be answered by another key. Test from a project where this is its only ${provider} key.`,
    );

  const chosen = model ?? defaultTestModel(provider, row.options);
  if (chosen === undefined)
    throw badRequest(`model: is required for ${provider} (the catalog lists no chat model for it).`, 'model_required');
  return {
    providerKeyId: row.id,
    provider,
    label: row.label,
    projectId: project.id,
    projectMode: project.mode,
    pinnedModel: `${provider}/${chosen}`,
  };
}
