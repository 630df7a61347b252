/** LLM and AI providers: the keys a gateway sees most. */
import type { SecretRule } from '../rule.js';
import { END, START, ci, mixedCase, prefixed } from './helpers.js';

export const AI_RULES: readonly SecretRule[] = [
  {
    // Project, service-account, admin and legacy user keys all embed "T3BlbkFJ" (base64 of "OpenAI").
    id: 'openai-api-key',
    keywords: ['t3blbkfj'],
    anchor: 'window',
    pattern: new RegExp(
      `${START}(?<secret>sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200})${END}`,
      'g',
    ),
    before: 220,
    after: 220,
    confidence: 0.99,
    priority: 2,
  },
  {
    // sk-ant-api03-<93 url-safe base64>AA; the admin variant below. The fixed "AA" tail is part of the format.
    id: 'anthropic-api-key',
    keywords: ['sk-ant-api'],
    pattern: prefixed('sk-ant-api0\\d-', '[A-Za-z0-9_-]{93}AA'),
    confidence: 0.99,
    // Docs and SDK tests use keys spelled "abc123xyz-456def789…": the sequential-run check catches them.
    placeholders: 'strict',
    priority: 2,
  },
  {
    id: 'anthropic-admin-api-key',
    keywords: ['sk-ant-admin'],
    pattern: prefixed('sk-ant-admin0\\d-', '[A-Za-z0-9_-]{93}AA'),
    confidence: 0.99,
    placeholders: 'strict',
    priority: 2,
  },
  {
    // hf_ + 34 letters. Word-ish identifiers such as hf_requiredCharacteristicTypes fail the entropy/mixing check.
    id: 'huggingface-access-token',
    keywords: ['hf_'],
    pattern: new RegExp(`(?<![A-Za-z0-9_])(?<secret>hf_[A-Za-z]{34})(?![A-Za-z0-9_])`, 'g'),
    confidence: 0.9,
    minEntropy: 3.8,
    check: ({ secret }) => mixedCase(secret, 6),
    priority: 2,
  },
  {
    id: 'huggingface-organization-api-token',
    keywords: ['api_org_'],
    pattern: new RegExp(`(?<![A-Za-z0-9_])(?<secret>api_org_[A-Za-z]{34})(?![A-Za-z0-9_])`, 'g'),
    confidence: 0.9,
    minEntropy: 3.8,
    check: ({ secret }) => mixedCase(secret, 6),
    priority: 2,
  },
  {
    id: 'perplexity-api-key',
    keywords: ['pplx-'],
    pattern: prefixed('pplx-', '[A-Za-z0-9]{48}', '(?![A-Za-z0-9])'),
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'groq-api-key',
    keywords: ['gsk_'],
    pattern: prefixed('gsk_', '[A-Za-z0-9]{52}'),
    confidence: 0.95,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    id: 'replicate-api-token',
    keywords: ['r8_'],
    pattern: prefixed('r8_', '[A-Za-z0-9]{37}'),
    confidence: 0.9,
    minEntropy: 3.5,
    priority: 2,
  },
  {
    // Firebase Cloud Messaging's legacy server keys: AAAA + 7, a colon, then APA91b and ~134
    // characters. Retired in 2024, still in old server code, and they send pushes to every user.
    id: 'firebase-fcm-server-key',
    keywords: ['apa91b'],
    anchor: 'window',
    before: 16,
    after: 200,
    pattern: new RegExp(`${START}(?<secret>AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{120,160})(?![A-Za-z0-9_-])`, 'g'),
    confidence: 0.9,
    minEntropy: 4,
    priority: 2,
  },
  {
    // Google API keys (AIza + 35). Firebase and Maps browser keys are public by design and docs
    // are full of them, so a bare key is reported only in a key-ish context on the same line.
    id: 'google-api-key',
    keywords: ['aiza'],
    pattern: new RegExp(`${START}(?<secret>AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_])`, 'g'),
    confidence: 0.85,
    minEntropy: 3.5,
    placeholders: 'strict',
    check: ({ text, start }) => {
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const before = text.slice(Math.max(lineStart, start - 120), start);
      return new RegExp(`${ci('key')}|${ci('token')}|${ci('google')}|${ci('gcp')}|${ci('secret')}|${ci('credential')}|[?&]key=`).test(
        before,
      );
    },
    priority: 2,
  },
  {
    id: 'cohere-api-key',
    keywords: ['cohere', 'co_api_key'],
    pattern: new RegExp(
      `(?:${ci('cohere')}|${ci('co_api_key')})[\\w.\\- ]{0,24}?["']?\\s{0,3}[:=]\\s{0,3}["']?(?<secret>[A-Za-z0-9]{40})(?![A-Za-z0-9])`,
      'g',
    ),
    confidence: 0.8,
    minEntropy: 3.5,
    priority: 1,
  },
];
