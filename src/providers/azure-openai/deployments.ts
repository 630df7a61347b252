/**
 * Azure OpenAI deployments. Operators name deployments freely (`prod-gpt`, `gpt4o-eu`), so the
 * deployment name says nothing about the model behind it. A provider key may declare its
 * deployments in `options.deployments` (deployment name -> catalog model id); routing, pricing and
 * `GET /v1/models` read it. A key without the map keeps the convention that each deployment is
 * named after its model.
 */
import { z } from 'zod';
import type { CatalogModel } from '../catalog/catalog.js';
import type { ProviderId } from '../ids.js';

/** What Azure accepts as a deployment name: letters, digits, `.`, `_`, `-`, at most 64, not starting with a symbol. */
export const AZURE_DEPLOYMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const SHAPE =
  'must map deployment names (letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit) to catalog model ids.';

export const azureDeploymentsSchema = z
  .record(z.string().regex(AZURE_DEPLOYMENT_NAME), z.string().min(1).max(200))
  .refine((map) => Object.keys(map).length <= 500, 'at most 500 deployments per key');

export type AzureDeployment = {
  /** The deployment name: what goes in the URL (`/openai/deployments/<name>/…`) or the v1 body's `model`. */
  name: string;
  /** The catalog model id the operator says it runs. */
  model: string;
};

/** The part of the model catalog a deployment map is checked and priced against. */
export type DeploymentCatalog = { find(provider: ProviderId, model: string): CatalogModel | undefined };

/**
 * The catalog entry a deployment runs: the azure-openai entry when the catalog has one (Azure's
 * own price), else the openai entry (Azure's global deployments are sold at OpenAI's list price,
 * and the Azure part of the catalog lags OpenAI's, embeddings included).
 */
export function deploymentModel(model: string, catalog: DeploymentCatalog): CatalogModel | undefined {
  return catalog.find('azure-openai', model) ?? catalog.find('openai', model);
}

// Keyed on the options object: the gateway caches project contexts, so each key's map is parsed
// once per context load, not once per request.
const parsed = new WeakMap<object, readonly AzureDeployment[] | null>();

/**
 * The key's declared deployments in name order (the order routing tries them), or undefined when
 * the key declares none. A stored map that no longer parses (it is checked when saved) counts as
 * none rather than failing every request.
 */
export function azureDeployments(options: Readonly<Record<string, unknown>>): readonly AzureDeployment[] | undefined {
  if (typeof options !== 'object' || options === null) return undefined; // a WeakMap key must be an object
  let result = parsed.get(options);
  if (result === undefined) {
    const map = options.deployments === undefined ? undefined : azureDeploymentsSchema.safeParse(options.deployments);
    result = map?.success
      ? Object.entries(map.data)
          .map(([name, model]) => ({ name, model }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      : null;
    parsed.set(options, result);
  }
  return result ?? undefined;
}

/**
 * Checks `options.deployments` as given by a client: a problem sentence, or undefined when valid.
 * Fixed text, except a deployment name that passed the charset check (never a rejected value:
 * validation errors go back to the client).
 */
export function deploymentMapProblem(value: unknown, catalog: DeploymentCatalog): string | undefined {
  const map = azureDeploymentsSchema.safeParse(value);
  if (!map.success) return map.error.issues.some((issue) => issue.code === 'custom') ? 'at most 500 deployments per key.' : SHAPE;
  const unknown = Object.entries(map.data).find(([, model]) => deploymentModel(model, catalog) === undefined);
  if (unknown) return `${unknown[0]} maps to a model the catalog does not list for azure-openai or openai (see GET /v1/models).`;
  return undefined;
}
