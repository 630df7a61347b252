/**
 * The shapes of the org's credentials as the api shows them (provider keys, admin tokens), validated
 * on arrival. Kept apart from schemas.ts so each page's shapes sit with their own kind.
 * Neither list ever carries a secret: a provider key shows its last 4 characters, a token its mask.
 */
import { z } from 'zod/mini';

const timestamp = z.string();

/** The providers the api accepts (src/providers/ids.ts); the api checks again, this only fills the choice. */
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

export const providerKeySchema = z.object({
  id: z.string(),
  provider: z.string(),
  label: z.string(),
  /** null: the provider's default endpoint. */
  baseUrl: z.nullable(z.string()),
  last4: z.string(),
  /** Provider settings (Azure OpenAI: `apiVersion`, `deployments`); optional for answers of older apis. */
  options: z.optional(z.record(z.string(), z.unknown())),
  /** Empty: every project of the org may use it. */
  projectIds: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export type ProviderKey = z.output<typeof providerKeySchema>;
export const providerKeyListSchema = z.object({ providerKeys: z.array(providerKeySchema) });
export const oneProviderKeySchema = z.object({ providerKey: providerKeySchema });

/** POST …/provider-keys/:id/test: the gateway's answer to one tiny request, as an application would get it. */
export const connectionTestSchema = z.object({
  ok: z.boolean(),
  status: z.number(),
  provider: z.string(),
  model: z.string(),
  latencyMs: z.number(),
  error: z.optional(z.object({ code: z.nullable(z.string()), message: z.string() })),
});
export type ConnectionTest = z.output<typeof connectionTestSchema>;

/** Highest first: a member may give a token no higher role than their own. */
export const MEMBER_ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

export const ADMIN_TOKEN_STATUSES = ['active', 'expired', 'revoked'] as const;
export const adminTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(MEMBER_ROLES),
  maskedToken: z.string(),
  last4: z.string(),
  status: z.enum(ADMIN_TOKEN_STATUSES),
  createdAt: timestamp,
  expiresAt: z.nullable(timestamp),
  revokedAt: z.nullable(timestamp),
  lastUsedAt: z.nullable(timestamp),
});
export type AdminToken = z.output<typeof adminTokenSchema>;
export const adminTokenListSchema = z.object({ adminTokens: z.array(adminTokenSchema) });
export const oneAdminTokenSchema = z.object({ adminToken: adminTokenSchema });
/** The create answer: `token` is the full secret, shown once and never stored by the dashboard. */
export const issuedAdminTokenSchema = z.object({ adminToken: adminTokenSchema, token: z.string() });
