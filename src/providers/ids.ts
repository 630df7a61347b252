/** Providers Portcullis speaks to. Each gets a folder under src/providers/ with the same shape. */
export const PROVIDER_IDS = [
  'openai',
  'azure-openai',
  'anthropic',
  'gemini',
  'mistral',
  'groq',
  'deepseek',
  'xai',
  'together',
  'openai-compatible',
] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];
