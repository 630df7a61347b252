/**
 * `POST /api/invitations/accept`: the public end of an invitation link. No credential is needed
 * (the token is one), but the request must come from the dashboard's origin with the anti-CSRF
 * header like every cookie-authenticated write (csrf.ts checks this path always), and it is
 * throttled per client address.
 *
 * - Signed in (a session cookie) with the invited address: the membership is added.
 * - Otherwise `{ token, name, password }` creates the account (password policy applies) with the
 *   email marked verified (the link proves the address) and the membership, in one transaction.
 *
 * An expired, revoked, used or unknown token all answer 410 `invitation_invalid`, alike.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { ScopedDatabase } from '../db/tenant.js';
import { HttpError, badRequest, forbidden, tooManyRequests } from '../http/errors.js';
import { readJson } from '../http/json-body.js';
import type { Identity } from '../identity/auth.js';
import { checkPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../identity/password-policy.js';
import { hasSessionCookie } from '../identity/session-cookie.js';
import { resolveSession } from '../identity/session-principal.js';
import type { KeyedLimiter } from '../limits/keyed-limiter.js';
import type { SecurityAlerts } from '../alerts/service.js';
import { signalRoleGranted } from '../alerts/hooks.js';
import { acceptInvitation, InvitationError } from '../tenancy/invitations.js';
import type { ApiEnv } from './env.js';

export const ACCEPT_INVITATION_PATH = '/api/invitations/accept';

export const acceptSchema = z.strictObject({
  token: z.string().min(1).max(200),
  name: z.string().trim().min(1, 'enter your name').max(100).optional(),
  password: z
    .string()
    .max(MAX_PASSWORD_LENGTH * 4)
    .optional(),
});

export type AcceptInvitationDeps = { db: ScopedDatabase; identity: Identity; throttle: KeyedLimiter; securityAlerts?: SecurityAlerts };

export function acceptInvitationHandler(deps: AcceptInvitationDeps) {
  return async (c: Context<ApiEnv>): Promise<Response> => {
    const attempt = await deps.throttle.consume(`ip:${c.get('clientIp') ?? 'unknown'}`);
    if (!attempt.allowed)
      throw tooManyRequests(
        'Too many invitation attempts from your address. Try again later.',
        attempt.retryAfterSeconds,
        'too_many_attempts',
      );
    const input = await readJson(c, acceptSchema);
    const ctx = {
      actor: {
        type: 'system' as const,
        id: null,
        ip: c.get('clientIp') ?? null,
        userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
      },
      requestId: c.get('requestId') ?? null,
    };
    let principal;
    if (hasSessionCookie(c.req.header('cookie'))) {
      const resolved = await resolveSession(deps.identity, deps.db, c);
      for (const cookie of resolved.setCookies) c.header('set-cookie', cookie, { append: true });
      principal = resolved.principal;
    }
    try {
      const result =
        principal?.kind === 'session'
          ? await acceptInvitation(deps.db, { kind: 'session', token: input.token, userId: principal.userId, email: principal.email }, ctx)
          : await acceptInvitation(
              deps.db,
              {
                kind: 'new_user',
                token: input.token,
                name: requireField(input.name, 'name'),
                password: requireField(input.password, 'password'),
                checkPassword: async (email) => {
                  const verdict = await checkPassword(input.password ?? '', {
                    minLength: MIN_PASSWORD_LENGTH,
                    context: [email, input.name ?? ''],
                  });
                  if (!verdict.ok) throw new HttpError(400, 'invalid_request_error', `password_${verdict.code}`, verdict.message);
                },
              },
              ctx,
            );
      signalRoleGranted(deps.securityAlerts, {
        orgId: result.orgId,
        userId: result.userId,
        from: null,
        to: result.role,
        via: 'invitation_accepted',
        actor: { type: 'user', id: result.userId },
      });
      return c.json({ orgId: result.orgId, role: result.role, userCreated: result.created }, 201);
    } catch (error) {
      if (!(error instanceof InvitationError)) throw error;
      switch (error.reason) {
        case 'invalid':
          throw new HttpError(410, 'invalid_request_error', 'invitation_invalid', error.message);
        case 'email_mismatch':
          throw forbidden(error.message, 'invitation_email_mismatch');
        case 'already_member':
          throw new HttpError(409, 'invalid_request_error', 'already_member', error.message);
        case 'account_exists':
          throw new HttpError(409, 'invalid_request_error', 'sign_in_required', error.message);
      }
    }
  };
}

function requireField(value: string | undefined, name: 'name' | 'password'): string {
  if (value === undefined || value === '')
    throw badRequest(`Invalid request body: ${name} is required to create your account (or sign in first)`, 'validation_error');
  return value;
}
