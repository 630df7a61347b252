/**
 * Azure OpenAI URLs. Chat Completions and embeddings use the deployment paths with a dated
 * `api-version`; the Responses API is served only by the v1 surface (`/openai/v1/responses`, GA
 * since August 2025, no api-version), where the deployment name goes in the body's `model`.
 * Setting `apiVersion: "v1"` on the provider key moves chat and embeddings to the v1 surface too.
 */
import type { UpstreamTarget } from '../types.js';

/** The latest GA data-plane inference version (Azure OpenAI REST reference). */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

/** A dated version (optionally -preview), or the v1 surface. */
const API_VERSION = /^(?:\d{4}-\d{2}-\d{2}(?:-preview)?|v1)$/;

export function azureApiVersion(target: UpstreamTarget): string {
  const value = target.options.apiVersion;
  if (value === undefined) return AZURE_DEFAULT_API_VERSION;
  if (typeof value !== 'string' || !API_VERSION.test(value)) {
    throw new Error('azure-openai: options.apiVersion must look like 2024-10-21, 2025-04-01-preview or v1');
  }
  return value;
}

/**
 * The resource endpoint (`https://<resource>.openai.azure.com`). Keys are sometimes stored with the
 * `/openai` or `/openai/v1` suffix the Azure portal shows in samples; both are accepted.
 */
export function azureResourceUrl(target: UpstreamTarget): string {
  return target.baseUrl.replace(/\/+$/, '').replace(/\/openai(?:\/v1)?$/, '');
}

function deploymentUrl(target: UpstreamTarget, operation: 'chat/completions' | 'embeddings'): string {
  const version = azureApiVersion(target);
  const base = azureResourceUrl(target);
  if (version === 'v1') return `${base}/openai/v1/${operation}`;
  return `${base}/openai/deployments/${encodeURIComponent(target.model)}/${operation}?api-version=${encodeURIComponent(version)}`;
}

export const azureChatUrl = (target: UpstreamTarget): string => deploymentUrl(target, 'chat/completions');
export const azureEmbeddingsUrl = (target: UpstreamTarget): string => deploymentUrl(target, 'embeddings');
export const azureResponsesUrl = (target: UpstreamTarget): string => `${azureResourceUrl(target)}/openai/v1/responses`;
