/**
 * The better-auth instances behind `/api/auth/*` and session cookies. better-auth decides a
 * cookie's `Secure` flag and `__Secure-` name prefix once, at construction; Portcullis needs it per
 * request (Secure whenever the request came over HTTPS, and always in production), so there are
 * two instances over the same database and secret, and `forRequest` picks one. A cookie set over
 * HTTPS is named `__Secure-portcullis.session_token` and is read only by the secure instance.
 *
 * `__Host-` would be stronger (no Domain, fixed path) but requires `Path=/`; the cookie is scoped to
 * `/api` so it never travels with gateway, dashboard or static-asset requests, hence `__Secure-`.
 */
import type { Context } from 'hono';
import { betterAuth, type BetterAuthOptions } from 'better-auth';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Config } from '../config/load.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { EventBus } from '../events/event-bus.js';
import { apiCorsOrigins, dashboardOrigin } from '../http/cors.js';
import { isSecureRequest } from '../http/security-headers.js';
import { oauthAuthOptions } from './oauth-options.js';
import { passkeyPlugin } from './passkey-plugin.js';
import { recoveryCodePlugin } from './recovery-code-plugin.js';
import { betterAuthSecrets } from './auth-secret-versions.js';
import { recoveryCodeHasher } from './recovery-codes.js';
import { oauthSecondFactorPlugin } from './oauth-second-factor.js';
import { twoFactorPlugin } from './two-factor-plugin.js';
import { trackPasskeys } from './passkey-storage-adapter.js';
import { passwordPolicyHook } from './password-policy-hook.js';
import { passwordResetHooks } from './password-reset.js';
import type { Mailer } from '../email/mailer.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './password-policy.js';
import { roleScopedDrizzleAdapter } from './role-scoped-adapter.js';
import { createSecurityNotices, signInMethodOf, type SecurityNotices } from './security-notices.js';
import { protectSessions } from './session-storage-adapter.js';
import { sessionTokenHasher } from './session-token-hash.js';
import { AUTH_BASE_PATH, COOKIE_PREFIX, SESSION_COOKIE_PATH } from './session-cookie.js';

/**
 * better-auth endpoints Portcullis does not serve: sign-up (the first user comes from the setup
 * link, others will be invited), and the session list/revoke family, replaced by `/api/me/sessions`
 * (which audits and never shows a token), and the passkey plugin's list/rename/delete, replaced by
 * `/api/me/passkeys`. Its registration and sign-in ceremonies stay open. The rest are not needed yet; closed until they are.
 */
export const DISABLED_AUTH_PATHS: readonly string[] = [
  '/sign-up/email',
  '/list-sessions',
  '/revoke-session',
  '/revoke-sessions',
  '/revoke-other-sessions',
  '/update-session',
  '/update-user',
  '/delete-user',
  '/change-email',
  '/link-social',
  '/unlink-account',
  '/refresh-token',
  '/get-access-token',
  '/account-info',
  // Passkeys are listed, renamed and removed through /api/me/passkeys (audited, last-method check).
  '/passkey/list-user-passkeys',
  '/passkey/update-passkey',
  '/passkey/delete-passkey',
  // Two-factor is TOTP only (no email/SMS codes); backup codes are shown once, never listed again.
  '/two-factor/send-otp',
  '/two-factor/verify-otp',
  // Email verification is Portcullis's own single-use link (email-verification.ts); better-auth's
  // links are JWTs that work until they expire, however often they are used.
  '/send-verification-email',
  '/verify-email',
];

export type IdentityOptions = {
  config: Pick<Config, 'publicUrl' | 'corsOrigins' | 'production' | 'tls' | 'trustProxy' | 'session' | 'webauthn'> & {
    /** Sign-in providers (oauth-providers.ts); none when absent. */
    oauth?: Config['oauth'];
  };
  authSecret: string;
  /** AUTH_SECRET_PREVIOUS: what they encrypted or hashed still opens (auth-secret-versions.ts). */
  previousAuthSecrets?: readonly string[];
  db: ScopedDatabase;
  logger: Logger;
  /** Sends password-reset mails and security notices; without it, both are off. */
  mailer?: Mailer;
  /** For tests of expiry; defaults to the clock. */
  now?: () => Date;
  /** Announces credentials revoked at sign-in (OIDC group mapping) to every gateway replica. */
  bus?: EventBus;
};

/** Which provider a sign-in callback was for (`/callback/:id`, `/oauth2/callback/:providerId`). */
const callbackParams = z.object({ id: z.string().optional(), providerId: z.string().optional() }).catch({});

function createAuth(options: IdentityOptions, secure: boolean, notices: SecurityNotices) {
  const { config } = options;
  const cors = apiCorsOrigins(config);
  const scoped = roleScopedDrizzleAdapter(options.db);
  const hashToken = sessionTokenHasher(options.authSecret);
  const idle = config.session.idleTimeoutSeconds;
  const oauth = oauthAuthOptions({
    oauth: config.oauth,
    publicUrl: config.publicUrl,
    db: options.db,
    logger: options.logger,
    bus: options.bus,
  });
  return betterAuth({
    appName: 'Portcullis',
    baseURL: dashboardOrigin(config.publicUrl),
    basePath: AUTH_BASE_PATH,
    ...betterAuthSecrets(options.authSecret, options.previousAuthSecrets ?? []),
    // '*' (development only) never extends to credentialed requests: then only the dashboard.
    trustedOrigins: cors === '*' ? [dashboardOrigin(config.publicUrl)] : cors,
    database: (betterAuthOptions: BetterAuthOptions) =>
      trackPasskeys(
        protectSessions(scoped(betterAuthOptions), {
          db: options.db,
          hashToken,
          maxAgeSeconds: config.session.maxAgeSeconds,
          now: options.now,
        }),
        {
          db: options.db,
          now: options.now,
          onAdded: (passkey) => notices.passkeyAdded({ userId: passkey.userId, passkeyName: passkey.name }),
        },
      ),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
      // Password hashing stays better-auth's scrypt, as first-run setup uses.
      // Reset by emailed single-use link (password-reset.ts).
      ...(options.mailer
        ? passwordResetHooks({ mailer: options.mailer, publicUrl: config.publicUrl, db: options.db, logger: options.logger })
        : {}),
    },
    // Reset tokens are stored hashed: a database dump yields no usable reset link.
    verification: {
      storeIdentifier: { default: 'plain', overrides: { 'reset-password:': 'hashed' } },
    },
    session: {
      // expiresIn is the idle timeout: better-auth slides it forward on use, at most every
      // updateAge seconds, so idle expiry is exact to within updateAge. The absolute limit
      // (SESSION_MAX_AGE) is enforced by the session store (session-storage-adapter.ts).
      expiresIn: idle,
      updateAge: Math.max(1, Math.min(300, Math.floor(idle / 10))),
      // Every request reads the session row, so revocation and expiry apply at once.
      cookieCache: { enabled: false },
    },
    // Throttling is Portcullis's own (sign-in-throttle.ts), shared through Redis across replicas.
    rateLimit: { enabled: false },
    disabledPaths: [...DISABLED_AUTH_PATHS],
    hooks: { before: passwordPolicyHook(MIN_PASSWORD_LENGTH) },
    // Every session, whichever way it was granted, passes here once committed: the new-location
    // notice (security-notices.ts decides whether it is a sign-in and whether the place is new).
    databaseHooks: {
      session: {
        create: {
          after: async (session, ctx) => {
            const params = callbackParams.parse(ctx?.params ?? {});
            await notices.sessionCreated({ userId: session.userId, method: signInMethodOf(ctx?.path, params.providerId ?? params.id) });
          },
        },
      },
    },
    plugins: [
      passkeyPlugin(config.webauthn),
      twoFactorPlugin(),
      oauthSecondFactorPlugin(dashboardOrigin(config.publicUrl)),
      recoveryCodePlugin({ db: options.db, hash: recoveryCodeHasher(options.authSecret, options.previousAuthSecrets) }),
      ...oauth.plugins,
    ],
    // Sign-in providers: account linking, the new-user gate, the error page (oauth-options.ts).
    ...oauth.options,
    telemetry: { enabled: false },
    advanced: {
      cookiePrefix: COOKIE_PREFIX,
      useSecureCookies: secure,
      defaultCookieAttributes: { path: SESSION_COOKIE_PATH, sameSite: 'lax', httpOnly: true, secure },
      // The client address is Portcullis's (TRUST_PROXY-aware), set by the session store.
      ipAddress: { disableIpTracking: true },
    },
    logger: {
      level: 'warn',
      log: (level, message) => options.logger[level]({ component: 'better-auth' }, message),
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

export type Identity = {
  /** The instance for this request: Secure cookies when it came over HTTPS or in production. */
  forRequest(c: Context): Auth;
  secure: Auth;
  plain: Auth;
  /** Security notices by mail (security-notices.ts), for the routes in front of better-auth. */
  notices: SecurityNotices;
};

export function createIdentity(options: IdentityOptions): Identity {
  const { config } = options;
  const notices = createSecurityNotices({
    db: options.db,
    mailer: options.mailer,
    logger: options.logger,
    authSecret: options.authSecret,
    now: options.now,
  });
  const secure = createAuth(options, true, notices);
  // In production, and when this process terminates TLS itself, every cookie is Secure.
  const alwaysSecure = config.production || config.tls !== undefined;
  const plain = alwaysSecure ? secure : createAuth(options, false, notices);
  return {
    forRequest: (c) => (alwaysSecure || isSecureRequest(c, config.trustProxy) ? secure : plain),
    secure,
    plain,
    notices,
  };
}
