/**
 * Azure OpenAI: the OpenAI wire formats on deployment URLs, authenticated with an `api-key`
 * header. `target.model` is the deployment name. There is no public default base URL: each
 * resource has its own endpoint, carried by the provider key.
 */
import { openAiDialect } from '../openai/dialect.js';
import { openAiEmbeddingsDialect } from '../openai/embeddings.js';
import { createOpenAiFamilyAdapter } from '../openai/family.js';
import type { ProviderAdapter } from '../types.js';
import { azureChatUrl, azureEmbeddingsUrl, azureResponsesUrl } from './endpoints.js';

export { AZURE_DEFAULT_API_VERSION, azureApiVersion, azureChatUrl, azureEmbeddingsUrl, azureResponsesUrl } from './endpoints.js';

export const azureOpenaiAdapter: ProviderAdapter = createOpenAiFamilyAdapter({
  id: 'azure-openai',
  defaultBaseUrl: undefined,
  // Same models, same wire format. (Features newer than the configured api-version, e.g.
  // reasoning_effort before 2024-12-01-preview, are answered by Azure with its own 400.)
  dialect: { ...openAiDialect, provider: 'azure-openai' },
  native: ['openai-chat', 'openai-responses'],
  embeddings: { ...openAiEmbeddingsDialect, provider: 'azure-openai' },
  endpoints: {
    chat: azureChatUrl,
    responses: azureResponsesUrl,
    embeddings: azureEmbeddingsUrl,
    auth: (target) => ({ 'api-key': target.apiKey }),
  },
});
