/**
 * The shapes the dashboard reads from the api (see GET /api/openapi.json), validated on arrival.
 * Only the fields the pages use are required; extra fields are ignored so the api can grow.
 */
import { z } from 'zod/mini';
import { apiKeyRestrictionsShape } from './api-key-schemas.ts';

const timestamp = z.string();

export const roleSchema = z.string();

export const meSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  instanceAdmin: z.boolean(),
  memberships: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: roleSchema,
      /** The projects a developer or viewer is limited to; null for every project (org-wide usage needs every project). */
      projectIds: z.nullable(z.array(z.string())),
    }),
  ),
});
export type Me = z.output<typeof meSchema>;
export type Membership = Me['memberships'][number];

export const projectSchema = z.object({
  id: z.string(),
  name: z.string(),
  mode: z.enum(['live', 'test']),
  createdAt: timestamp,
});
export type Project = z.output<typeof projectSchema>;
export const projectListSchema = z.object({ projects: z.array(projectSchema) });

export const API_KEY_STATUSES = ['active', 'rotating', 'expired', 'revoked'] as const;
export const apiKeySchema = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  kind: z.enum(['live', 'test']),
  maskedKey: z.string(),
  last4: z.string(),
  status: z.enum(API_KEY_STATUSES),
  createdAt: timestamp,
  expiresAt: z.nullable(timestamp),
  revokedAt: z.nullable(timestamp),
  lastUsedAt: z.nullable(timestamp),
  /** While a rotation's grace period runs: the replaced secret, still accepted until `expiresAt`. */
  previousKey: z.nullable(z.object({ maskedKey: z.string(), expiresAt: timestamp })),
  /** Allowed models, IP allow-list and limits: the edit dialog and the usage bars. */
  ...apiKeyRestrictionsShape,
});
export type ApiKey = z.output<typeof apiKeySchema>;
export const apiKeyListSchema = z.object({ apiKeys: z.array(apiKeySchema) });
export const oneApiKeySchema = z.object({ apiKey: apiKeySchema });
/** The create answer: `key` is the full secret, shown once and never stored by the dashboard. */
export const issuedApiKeySchema = z.object({ apiKey: apiKeySchema, key: z.string() });

export const usageSchema = z.object({
  period: z.string(),
  periodStart: z.nullable(timestamp),
  periodEnd: z.nullable(timestamp),
  usage: z.object({ requests: z.number(), tokens: z.number(), costUsd: z.number() }),
  limits: z.array(z.object({ metric: z.string(), period: z.string(), limit: z.number(), used: z.number() })),
});
export type Usage = z.output<typeof usageSchema>;

export const memberSchema = z.object({
  id: z.string(),
  /** Tells the signed-in user's own membership apart (leaving instead of removing). */
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  projectIds: z.nullable(z.array(z.string())),
  createdAt: timestamp,
});
export type Member = z.output<typeof memberSchema>;
export const memberListSchema = z.object({ members: z.array(memberSchema) });

export const providersSchema = z.object({ providers: z.array(z.object({ id: z.string(), label: z.string() })) });
/** GET /api/auth/sign-up: whether self-service sign-up is open on this instance. */
export const signUpStatusSchema = z.object({ open: z.boolean() });
/** better-auth's sign-in answer: a session (cookie set), or a second factor to ask for. */
export const signInResultSchema = z.looseObject({ twoFactorRequired: z.optional(z.boolean()) });
export const socialSignInSchema = z.object({ url: z.string() });
export const anyJsonSchema = z.unknown();
