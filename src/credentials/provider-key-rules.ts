/**
 * Checks on a provider key's configuration that need the provider or the instance's policy. Done
 * when the key is saved, so a mistake is a 400 naming the field, not a failure on the first
 * request; the gateway checks the base URL again at connect time (DNS can change in between).
 */
import { badRequest } from '../http/errors.js';
import { validateProviderBaseUrl, UnsafeUpstreamUrlError, type SsrfPolicy } from '../gateway/upstream/ssrf.js';
import { azureApiVersion } from '../providers/azure-openai/endpoints.js';
import { deploymentMapProblem } from '../providers/azure-openai/deployments.js';
import { findModel } from '../providers/catalog/catalog.js';
import type { ProviderId } from '../providers/ids.js';

/** Providers without a fixed public endpoint: the key is useless without a base URL. */
const NEEDS_BASE_URL: ReadonlySet<ProviderId> = new Set(['azure-openai', 'openai-compatible']);

/** The options each provider reads (everything else would be stored and shown, never used). */
const ACCEPTED_OPTIONS: Readonly<Partial<Record<ProviderId, readonly string[]>>> = { 'azure-openai': ['apiVersion', 'deployments'] };

/**
 * The base URL as given, once it passed the SSRF policy. The message names the host and the
 * reason only: never the URL, which may carry credentials.
 */
export function checkBaseUrl(baseUrl: string, policy: SsrfPolicy): string {
  let parsed: URL;
  try {
    parsed = validateProviderBaseUrl(baseUrl, policy);
  } catch (error) {
    if (error instanceof UnsafeUpstreamUrlError) throw badRequest(`baseUrl: ${error.message}.`, 'invalid_base_url');
    throw error;
  }
  // Some providers take keys in the query string; a base URL has no business carrying one, and
  // this field is shown in every listing. (`search` is empty for a bare `?`, `href` keeps it.)
  if (parsed.href.includes('?'))
    throw badRequest(`baseUrl: a query string is not allowed (provider settings go in options).`, 'invalid_base_url');
  return baseUrl;
}

export function checkBaseUrlPresence(provider: ProviderId, baseUrl: string | null): void {
  if (baseUrl === null && NEEDS_BASE_URL.has(provider))
    throw badRequest(
      `baseUrl: is required for ${provider} (${provider === 'azure-openai' ? 'your resource endpoint, https://<resource>.openai.azure.com' : 'the server it speaks to'}).`,
      'base_url_required',
    );
}

export function checkOptions(provider: ProviderId, options: Record<string, unknown>): void {
  const accepted = ACCEPTED_OPTIONS[provider] ?? [];
  // Unknown names are not echoed: they are client input.
  if (Object.keys(options).some((name) => !accepted.includes(name)))
    throw badRequest(
      accepted.length === 0 ? `options: ${provider} takes no options.` : `options: ${provider} accepts only ${accepted.join(', ')}.`,
      'invalid_options',
    );
  if (provider === 'azure-openai') {
    try {
      // The adapter's own check, so what is accepted here is exactly what it will use.
      azureApiVersion({ baseUrl: '', apiKey: '', model: '', options });
    } catch {
      throw badRequest('options.apiVersion: must look like 2024-10-21, 2025-04-01-preview or v1.', 'invalid_options');
    }
    const problem = options.deployments === undefined ? undefined : deploymentMapProblem(options.deployments, { find: findModel });
    if (problem) throw badRequest(`options.deployments: ${problem}`, 'invalid_options');
  }
}
