/**
 * Google Gemini through AI Studio (generativelanguage.googleapis.com, API v1beta). Gemini speaks none of the
 * gateway's inbound formats, so every request is translated; see the files next to this one for each step.
 */
import type { ProviderAdapter } from '../types.js';
import { countTokensRequest, countTokensResponse } from './count-tokens.js';
import { embeddingsRequest, embeddingsResponse } from './embeddings.js';
import { errorInfo } from './errors.js';
import { MAX_CANDIDATES } from './generation-config.js';
import { chatRequest } from './request.js';
import { chatResponse } from './response.js';
import { chatStreamDecoder } from './stream.js';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

export const geminiAdapter: ProviderAdapter = {
  id: 'gemini',
  defaultBaseUrl: GEMINI_DEFAULT_BASE_URL,
  capabilities: { native: [], embeddings: true, countTokens: true, maxChoices: MAX_CANDIDATES },
  chatRequest,
  chatResponse,
  chatStreamDecoder,
  embeddingsRequest,
  embeddingsResponse,
  countTokensRequest,
  countTokensResponse,
  errorInfo,
};
