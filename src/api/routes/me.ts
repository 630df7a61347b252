/** `/api/me`: the signed-in user, their orgs, their sessions, their passkeys and their personal-data export. */
import { z } from 'zod';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import { roleSchema, type Role } from '../../auth/permissions.js';
import { sessions } from '../../db/schema/index.js';
import type { EventBus } from '../../events/event-bus.js';
import { eraseAccount } from '../../governance/account-erasure.js';
import { userMemberships } from '../../db/definer.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { badRequest, forbidden, notFound } from '../../http/errors.js';
import { listPasskeys, removePasskey, renamePasskey, type PasskeyView } from '../../identity/passkeys.js';
import { collectPersonalData } from '../../governance/personal-export/collect.js';
import { personalExportSchema } from '../../governance/personal-export/schema.js';
import { countRecoveryCodes, generateRecoveryCodes, recoveryCodeHasher } from '../../identity/recovery-codes.js';
import { listSessions, revokeAllSessions, revokeSession } from '../../identity/sessions.js';
import { getUser } from '../../tenancy/users.js';
import { defineAccountRoute, type AccountRoute } from '../account-registry.js';
import { noContent } from '../registry.js';
import { timestampSchema } from '../schemas.js';

export type MeDeps = { db: ScopedDatabase; sessionMaxAgeSeconds: number; authSecret: string; bus: EventBus; logger: Logger };

/** Deleting the account needs a sign-in this recent: a stolen, long-lived session cannot do it. */
export const ERASURE_REAUTH_SECONDS = 15 * 60;

const TAG = 'Me';
const noParams = z.object({});
const sessionParams = z.object({ sessionId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a session id') });

const passkeyParams = z.object({ passkeyId: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'expected a passkey id') });
const passkeyName = z.string().trim().min(1, 'expected a name').max(100, 'at most 100 characters');

const passkeyView = z.object({
  id: z.string(),
  name: z.string().nullable().describe('Given at registration or by renaming; null if none was given.'),
  createdAt: timestampSchema.nullable(),
  lastUsedAt: timestampSchema.nullable().describe('Last successful sign-in with this passkey; null if never used.'),
  deviceType: z.string().describe('`singleDevice` (bound to one authenticator) or `multiDevice` (a synced passkey).'),
  backedUp: z.boolean().describe('Whether the authenticator says the passkey is backed up (synced).'),
});

const passkeyOut = (p: PasskeyView) => ({
  id: p.id,
  name: p.name,
  createdAt: p.createdAt?.toISOString() ?? null,
  lastUsedAt: p.lastUsedAt?.toISOString() ?? null,
  deviceType: p.deviceType,
  backedUp: p.backedUp,
});

const meResponse = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
  instanceAdmin: z.boolean(),
  memberships: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: roleSchema,
      projectIds: z
        .array(z.string())
        .nullable()
        .describe('The projects of this org you are limited to (a developer or viewer); null for every project.'),
    }),
  ),
});

/** As the session principal applies it (session-principal.ts): only a developer or viewer is ever limited to some projects. */
const projectLimitOf = (role: Role, projectIds: string[] | null): string[] | null =>
  role === 'developer' || role === 'viewer' ? projectIds : null;

const sessionView = z.object({
  id: z.string(),
  createdAt: timestampSchema,
  lastActiveAt: timestampSchema.describe('Last use, to within a few minutes.'),
  expiresAt: timestampSchema.describe('When it ends if unused (idle expiry); it also ends at most SESSION_MAX_AGE after sign-in.'),
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
  current: z.boolean().describe('The session making this request.'),
});

export function meRoutes(deps: MeDeps): AccountRoute[] {
  const recoveryHash = recoveryCodeHasher(deps.authSecret);
  return [
    defineAccountRoute({
      operationId: 'getMyRecoveryCodes',
      method: 'get',
      path: '/api/me/recovery-codes',
      tag: TAG,
      summary: 'How many unused recovery codes I have',
      description: 'The codes themselves are shown only when generated; only their keyed hashes are stored.',
      params: noParams,
      status: 200,
      response: z.object({ remaining: z.number().int() }),
      async handler({ principal }) {
        return { remaining: await countRecoveryCodes(deps.db, principal.userId) };
      },
    }),
    defineAccountRoute({
      operationId: 'generateMyRecoveryCodes',
      method: 'post',
      path: '/api/me/recovery-codes',
      tag: TAG,
      summary: 'Generate 10 new recovery codes (shown once; replaces the previous ones)',
      description:
        'For accounts without a password (passkeys only): each code signs in once at `POST /api/auth/sign-in/recovery-code`. ' +
        'Refused (409 `password_account`) for an account with a password: two-factor backup codes are its recovery codes.',
      params: noParams,
      status: 200,
      response: z.object({ codes: z.array(z.string()) }),
      errors: [409],
      async handler({ principal, ctx }) {
        return { codes: await generateRecoveryCodes(deps.db, recoveryHash, principal.userId, ctx) };
      },
    }),
    defineAccountRoute({
      operationId: 'getMe',
      method: 'get',
      path: '/api/me',
      tag: TAG,
      summary: 'The signed-in user, their organizations, roles and project limits',
      params: noParams,
      status: 200,
      response: meResponse,
      async handler({ principal }) {
        const { user, memberships } = await deps.db.withRole(async (tx) => ({
          user: await getUser(tx, principal.userId),
          memberships: await userMemberships(tx, principal.userId),
        }));
        if (!user) throw notFound();
        return {
          user: { id: user.id, email: user.email, name: user.name },
          instanceAdmin: principal.instanceAdmin,
          memberships: memberships.flatMap((m) => {
            const role = roleSchema.safeParse(m.role);
            return role.success
              ? [{ orgId: m.orgId, orgName: m.orgName, role: role.data, projectIds: projectLimitOf(role.data, m.projectIds) }]
              : [];
          }),
        };
      },
    }),
    defineAccountRoute({
      operationId: 'deleteMyAccount',
      method: 'delete',
      path: '/api/me',
      tag: TAG,
      summary: 'Delete my account and erase my personal data',
      description:
        'GDPR erasure. `confirm` must be the account’s email address, and the session must come from a sign-in in the last ' +
        '15 minutes (403 `reauthentication_required`: sign in again). Refused while you are the only owner of an organization ' +
        '(409 `sole_owner`, the orgs listed: transfer ownership first) or the only instance administrator (409 ' +
        '`last_instance_admin`). Removes every membership (your personal API keys and the admin tokens you created are revoked), ' +
        'deletes invitations to your address, your sessions, sign-in methods, passkeys and two-factor settings, and destroys ' +
        'your data key: the IP addresses, user agents, email and name sealed in audit events about you can no longer be read, ' +
        'and the audit chains still verify. Recorded as `user.deleted` (counts only).',
      params: noParams,
      body: z.strictObject({ confirm: z.string().max(320) }),
      status: 200,
      errors: [409],
      response: z.object({
        deleted: z.literal(true),
        memberships: z.number().int(),
        apiKeysRevoked: z.number().int(),
        adminTokensRevoked: z.number().int(),
        invitationsDeleted: z.number().int(),
      }),
      async handler({ body, principal, ctx }) {
        if (body.confirm.trim().toLowerCase() !== principal.email.toLowerCase())
          throw badRequest('The confirmation must be your account’s email address.', 'confirmation_mismatch');
        const [session] = await deps.db.withRole((tx) =>
          tx.select({ createdAt: sessions.createdAt }).from(sessions).where(eq(sessions.id, principal.sessionId)).limit(1),
        );
        if (!session || Date.now() - session.createdAt.getTime() > ERASURE_REAUTH_SECONDS * 1000)
          throw forbidden('Sign in again (within the last 15 minutes) to delete your account.', 'reauthentication_required');
        const summary = await eraseAccount({ db: deps.db, bus: deps.bus, logger: deps.logger }, principal.userId, ctx);
        return {
          deleted: true as const,
          memberships: summary.memberships,
          apiKeysRevoked: summary.apiKeysRevoked,
          adminTokensRevoked: summary.adminTokensRevoked,
          invitationsDeleted: summary.invitationsDeleted,
        };
      },
    }),
    defineAccountRoute({
      operationId: 'exportMyPersonalData',
      method: 'get',
      path: '/api/me/export',
      tag: TAG,
      summary: 'Download all personal data held about me (JSON archive)',
      description:
        'GDPR access and portability: profile, sign-in accounts, sessions, passkeys, two-factor status, memberships, ' +
        'invitations to my email, my personal API keys with their request logs (metadata, never bodies) and the audit events ' +
        'I caused or that were recorded about my account. Never a secret: passwords, tokens and keys are reported as present only. ' +
        'Lists are cut at 100,000 rows (`truncated`). Sessions only (403 `session_required` for an admin token); ' +
        'recorded as `user.data_exported` in the instance audit chain.',
      params: noParams,
      status: 200,
      response: personalExportSchema,
      async handler({ principal, ctx, c }) {
        const archive = await collectPersonalData(deps.db, principal.userId, ctx);
        if (!archive) throw notFound();
        c.header('content-disposition', `attachment; filename="portcullis-personal-data-${archive.exportedAt.slice(0, 10)}.json"`);
        c.header('cache-control', 'no-store');
        return archive;
      },
    }),
    defineAccountRoute({
      operationId: 'listMySessions',
      method: 'get',
      path: '/api/me/sessions',
      tag: TAG,
      summary: 'My active sessions',
      description: 'Never includes a session token: none is stored, only its keyed hash.',
      params: noParams,
      status: 200,
      response: z.object({ sessions: z.array(sessionView) }),
      async handler({ principal }) {
        const rows = await listSessions(deps.db, principal.userId, deps.sessionMaxAgeSeconds);
        return {
          sessions: rows.map((s) => ({
            id: s.id,
            createdAt: s.createdAt.toISOString(),
            lastActiveAt: s.lastActiveAt.toISOString(),
            expiresAt: s.expiresAt.toISOString(),
            ipAddress: s.ipAddress || null,
            userAgent: s.userAgent || null,
            current: s.id === principal.sessionId,
          })),
        };
      },
    }),
    defineAccountRoute({
      operationId: 'revokeMySession',
      method: 'delete',
      path: '/api/me/sessions/:sessionId',
      tag: TAG,
      summary: 'End one of my sessions',
      description: 'Ending the current session signs this browser out; its next request answers 401.',
      params: sessionParams,
      status: 204,
      response: noContent,
      async handler({ params, principal, ctx }) {
        // Another user's session id is simply not found: no way to learn that it exists.
        if (!(await revokeSession(deps.db, principal.userId, params.sessionId, ctx))) throw notFound();
        return undefined;
      },
    }),
    defineAccountRoute({
      operationId: 'revokeAllMySessions',
      method: 'post',
      path: '/api/me/sessions/revoke-all',
      tag: TAG,
      summary: 'Sign out everywhere',
      description:
        'Ends every other session of the signed-in user and keeps the current one, unless `includeCurrent` is true ' +
        '(then this browser is signed out too).',
      params: noParams,
      body: z.strictObject({ includeCurrent: z.boolean().default(false) }),
      status: 200,
      response: z.object({ revoked: z.number().int() }),
      async handler({ body, principal, ctx }) {
        const keep = body.includeCurrent ? undefined : principal.sessionId;
        return { revoked: await revokeAllSessions(deps.db, principal.userId, keep, ctx) };
      },
    }),
    defineAccountRoute({
      operationId: 'listMyPasskeys',
      method: 'get',
      path: '/api/me/passkeys',
      tag: TAG,
      summary: 'My passkeys',
      description:
        'Registration and passkey sign-in are at `/api/auth/passkey/*` (WebAuthn ceremonies); never includes a public key or credential id.',
      params: noParams,
      status: 200,
      response: z.object({ passkeys: z.array(passkeyView) }),
      async handler({ principal }) {
        return { passkeys: (await listPasskeys(deps.db, principal.userId)).map(passkeyOut) };
      },
    }),
    defineAccountRoute({
      operationId: 'renameMyPasskey',
      method: 'patch',
      path: '/api/me/passkeys/:passkeyId',
      tag: TAG,
      summary: 'Rename one of my passkeys',
      params: passkeyParams,
      body: z.strictObject({ name: passkeyName }),
      status: 200,
      response: passkeyView,
      async handler({ params, body, principal, ctx }) {
        const renamed = await renamePasskey(deps.db, principal.userId, params.passkeyId, body.name, ctx);
        if (!renamed) throw notFound();
        return passkeyOut(renamed);
      },
    }),
    defineAccountRoute({
      operationId: 'removeMyPasskey',
      method: 'delete',
      path: '/api/me/passkeys/:passkeyId',
      tag: TAG,
      summary: 'Remove one of my passkeys',
      description: 'Refused (409 `last_sign_in_method`) for the last passkey of an account without a password or other sign-in.',
      params: passkeyParams,
      status: 204,
      response: noContent,
      errors: [409],
      async handler({ params, principal, ctx }) {
        // Another user's passkey id is simply not found.
        if (!(await removePasskey(deps.db, principal.userId, params.passkeyId, ctx))) throw notFound();
        return undefined;
      },
    }),
  ];
}
