/**
 * The personal-data archive (`GET /api/me/export`, GDPR articles 15 and 20): what Portcullis holds
 * about one user, machine-readable. Secrets are never part of it: a password or provider token is
 * reported as present, never exported; session tokens, passkey public keys, the TOTP secret and
 * every token hash are left out. Request bodies are the org's tenant data, not the user's.
 */
import { z } from 'zod';
import { CACHE_STATUSES, USAGE_SOURCES } from '../../db/schema/logs.js';

/** Rows per list beyond which the archive is cut (and says so in `truncated`). */
export const PERSONAL_EXPORT_ROW_CAP = 100_000;

const ts = z.iso.datetime({ offset: true });

const auditEventView = z.object({
  orgId: z.string().nullable().describe('The org’s chain; null for the instance chain (sign-ins, password and session changes).'),
  seq: z.number().int(),
  occurredAt: ts,
  actor: z
    .enum(['you', 'system'])
    .describe('`you`: an action you took. `system`: recorded about your account without you, e.g. a failed sign-in with your email.'),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable() }).nullable(),
  outcome: z.string(),
  reason: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  diff: z.record(z.string(), z.unknown()).nullable(),
});

export const personalExportSchema = z.object({
  format: z.literal('portcullis-personal-data/1'),
  exportedAt: ts,
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    image: z.string().nullable(),
    createdAt: ts,
    updatedAt: ts,
  }),
  instanceAdmin: z.boolean(),
  accounts: z.array(
    z.object({
      providerId: z.string().describe('`credential` for a password, else the sign-in provider (e.g. an OIDC provider id).'),
      accountId: z.string().describe('Your id at that provider (your user id for `credential`).'),
      hasPassword: z.boolean().describe('A password is set; only its hash is stored, and it is never exported.'),
      hasProviderTokens: z.boolean().describe('The provider’s tokens are stored for this account; they are never exported.'),
      scope: z.string().nullable(),
      createdAt: ts,
      updatedAt: ts,
    }),
  ),
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: ts,
      lastActiveAt: ts,
      expiresAt: ts,
      ipAddress: z.string().nullable(),
      userAgent: z.string().nullable(),
    }),
  ),
  passkeys: z.array(
    z.object({
      id: z.string(),
      name: z.string().nullable(),
      createdAt: ts.nullable(),
      lastUsedAt: ts.nullable(),
      deviceType: z.string(),
      backedUp: z.boolean(),
      transports: z.string().nullable(),
      aaguid: z.string().nullable().describe('The authenticator model’s identifier (not unique to you).'),
    }),
  ),
  twoFactor: z.object({ enabled: z.boolean() }),
  pendingVerifications: z
    .array(z.object({ kind: z.string(), count: z.number().int(), createdAt: ts, expiresAt: ts }))
    .describe(
      'Single-use links and codes stored about you, by kind: `recovery_codes` (unused), `email_verification`, ' +
        '`sign_in_locations` (hashes of where you signed in, for new-location notices), `sign_in_step` (a password-reset link or ' +
        'two-factor challenge in progress). Only kinds and dates: the codes and tokens are stored hashed and never exported.',
    ),
  memberships: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: z.string(),
      projectAccess: z
        .union([z.literal('all'), z.array(z.string())])
        .describe('`all`, or the ids of the only projects you may see (developers and viewers).'),
    }),
  ),
  invitations: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: z.string(),
      createdAt: ts,
      expiresAt: ts,
      acceptedAt: ts.nullable(),
      revokedAt: ts.nullable(),
    }),
  ),
  apiKeys: z
    .array(
      z.object({
        id: z.string(),
        orgId: z.string(),
        projectId: z.string(),
        name: z.string(),
        kind: z.string(),
        last4: z.string(),
        createdAt: ts,
        expiresAt: ts.nullable(),
        revokedAt: ts.nullable(),
        rotatedAt: ts.nullable(),
      }),
    )
    .describe('Your personal API keys (owned by your membership); service keys belong to the org.'),
  auditEvents: z.array(auditEventView),
  requestLogs: z
    .array(
      z.object({
        orgId: z.string(),
        projectId: z.string().nullable(),
        apiKeyId: z.string().nullable(),
        requestId: z.string(),
        createdAt: ts,
        endpoint: z.string(),
        model: z.string().nullable(),
        servedModel: z.string().nullable(),
        provider: z.string().nullable(),
        status: z.number().int(),
        errorCode: z.string().nullable(),
        latencyMs: z.number().int().nullable(),
        inputTokens: z.number().nullable(),
        outputTokens: z.number().nullable(),
        costMicroUsd: z.number().nullable(),
        cacheStatus: z.enum(CACHE_STATUSES).nullable(),
        usageSource: z.enum(USAGE_SOURCES).nullable().describe('Who counted the tokens: the provider or the gateway (a cut stream).'),
      }),
    )
    .describe('Requests made with your personal API keys: metadata only, never the bodies (they are the org’s data).'),
  truncated: z
    .object({ auditEvents: z.boolean(), requestLogs: z.boolean() })
    .describe(`A list is cut at ${PERSONAL_EXPORT_ROW_CAP} rows; true when there were more.`),
  notes: z.array(z.string()).describe('What the archive leaves out, and why.'),
});

export type PersonalExport = z.input<typeof personalExportSchema>;
export type AuditEventView = z.input<typeof auditEventView>;
