/**
 * The management api (`/api/*` except first-run setup): admin-token authentication, the route
 * registry and the OpenAPI document generated from it.
 */
import { publicCheckpointKey } from '../audit/checkpoint-signing.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { z } from 'zod';
import { createAdminTokenAuthenticator } from '../auth/admin-token-authenticator.js';
import { insuranceReporter } from '../limits/insurance-reporter.js';
import { createKeyedLimiter } from '../limits/keyed-limiter.js';
import { deriveKey } from '../crypto/derive-key.js';
import { noStoreMiddleware } from '../http/security-headers.js';
import { packageRoot } from '../paths.js';
import type { Runtime } from '../server/runtime.js';
import { apiCorsOrigins, dashboardOrigin } from '../http/cors.js';
import { createIdentity } from '../identity/auth.js';
import { csrfProtection } from '../identity/csrf.js';
import { mountAccountRoutes } from './account-registry.js';
import { ACCEPT_INVITATION_PATH, acceptInvitationHandler } from './invitation-accept.js';
import { authRoutes } from './auth-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { apiAuthentication } from './authenticate.js';
import { meRoutes } from './routes/me.js';
import { emailVerificationRoutes, type EmailVerificationDeps } from '../identity/email-verification.js';
import { instanceRoutes } from './routes/instance.js';
import { orgCreationRoutes } from './routes/org-creation.js';
import type { ApiDeps } from './deps.js';
import type { ApiEnv } from './env.js';
import { buildOpenApiDocument } from './openapi.js';
import { mountRoutes } from './registry.js';
import { strongAuthCheck } from '../identity/strong-auth.js';
import { TOTP_REUSE_WINDOW_SECONDS } from '../identity/two-factor.js';
import { managementRoutes } from './routes/index.js';
import type { LiveUsageCounters } from './usage/live-counters.js';
import { apiAlertAuditSink } from '../alerts/audit-sink.js';
import { createSecurityAlerts } from '../alerts/service.js';

export type ManagementOptions = {
  /** The usage limiter's live counters (see live-counters.ts); request logs otherwise. */
  liveUsage?: LiveUsageCounters;
  /** The gateway's URL when it runs in this process (see services.ts), for provider-key connection tests. */
  gatewayUrl?: string;
};

const packageVersion = () =>
  z.object({ version: z.string() }).parse(JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'))).version;

export function managementApp(runtime: Runtime, options: ManagementOptions = {}): Hono<ApiEnv> {
  // Every throttle below spreads this: the shared store, and the reporter that logs (once per
  // outage) and meters its per-process fallback while Redis does not answer.
  const redis = {
    ...(runtime.config.redisUrl ? { redis: runtime.config.redisUrl } : {}),
    onInsurance: insuranceReporter({ logger: runtime.logger.child({ component: 'limits' }), redisPrefix: runtime.config.redisPrefix }),
  };
  const authenticator = createAdminTokenAuthenticator({
    db: runtime.apiDb,
    pepper: deriveKey(runtime.secrets.authSecret, 'admin-token-cache-pepper'),
    logger: runtime.logger.child({ component: 'admin-token-auth' }),
    throttle: {
      byLookupId: createKeyedLimiter({
        points: 10,
        durationSeconds: 60,
        blockDurationSeconds: 60,
        ...redis,
        prefix: `${runtime.config.redisPrefix}admin-auth-lookup:`,
      }),
      byIp: createKeyedLimiter({
        points: 50,
        durationSeconds: 60,
        blockDurationSeconds: 60,
        ...redis,
        prefix: `${runtime.config.redisPrefix}admin-auth-ip:`,
      }),
    },
  });
  // A token revoked or deleted on another replica arrives as org.changed: drop that org's cached
  // tokens; the next request verifies again.
  runtime.bus.subscribe((event) => {
    if (event.type === 'org.changed') authenticator.forgetOrg(event.orgId);
  });
  // Security alerts of api-side signals (failed sign-ins, admin grants), recorded in the org's trail.
  const securityAlerts = createSecurityAlerts({
    db: runtime.apiDb,
    keyring: runtime.keyring,
    store: runtime.store,
    mailer: runtime.mailer,
    allowPrivate: runtime.config.allowPrivateProviderUrls,
    logger: runtime.logger.child({ component: 'security-alerts' }),
    audit: apiAlertAuditSink(runtime.apiDb, runtime.keyring),
  });
  const deps: ApiDeps = {
    securityAlerts,
    db: runtime.apiDb,
    bus: runtime.bus,
    logger: runtime.logger.child({ component: 'api' }),
    authenticator,
    keyring: runtime.keyring,
    liveUsage: options.liveUsage,
    providerUrlPolicy: { allowPrivate: runtime.config.allowPrivateProviderUrls },
    gatewayUrl: options.gatewayUrl,
    mailer: runtime.mailer,
    publicUrl: runtime.config.publicUrl,
    checkpointKey: publicCheckpointKey(runtime.secrets.authSecret),
    previousCheckpointKeys: runtime.secrets.previousAuthSecrets.map(publicCheckpointKey),
    orgDeletionGraceDays: runtime.config.orgDeletionGraceDays,
    // An admin may invite a team, not spray mail: 50 invitations an hour per user or token.
    inviteThrottle: createKeyedLimiter({
      points: 50,
      durationSeconds: 3600,
      ...redis,
      prefix: `${runtime.config.redisPrefix}invite-sender:`,
    }),
    // Playground chats: a person typing sends a few a minute; 30 a minute per user or token.
    playgroundThrottle: createKeyedLimiter({
      points: 30,
      durationSeconds: 60,
      ...redis,
      prefix: `${runtime.config.redisPrefix}playground:`,
    }),
  };
  const routes = managementRoutes(deps);
  // Email verification: 3 links an hour per account, 10 sends and 20 token checks per 15 minutes per address.
  const emailVerification: EmailVerificationDeps = {
    db: runtime.apiDb,
    mailer: runtime.mailer,
    publicUrl: runtime.config.publicUrl,
    authSecret: runtime.secrets.authSecret,
    logger: deps.logger,
    throttle: {
      byUser: createKeyedLimiter({
        points: 3,
        durationSeconds: 3600,
        blockDurationSeconds: 3600,
        ...redis,
        prefix: `${runtime.config.redisPrefix}email-verification-user:`,
      }),
      byIp: createKeyedLimiter({
        points: 20,
        durationSeconds: 900,
        blockDurationSeconds: 900,
        ...redis,
        prefix: `${runtime.config.redisPrefix}email-verification-ip:`,
      }),
    },
  };
  const accountRoutes = [
    ...emailVerificationRoutes(emailVerification),
    ...meRoutes({
      db: runtime.apiDb,
      sessionMaxAgeSeconds: runtime.config.session.maxAgeSeconds,
      authSecret: runtime.secrets.authSecret,
      bus: runtime.bus,
      logger: runtime.logger.child({ component: 'account' }),
    }),
    ...orgCreationRoutes({ db: runtime.apiDb }),
    ...instanceRoutes({ db: runtime.apiDb, securityAlerts }),
  ];
  const document = buildOpenApiDocument(routes, { version: packageVersion() }, accountRoutes);

  const identity = createIdentity({
    config: runtime.config,
    authSecret: runtime.secrets.authSecret,
    previousAuthSecrets: runtime.secrets.previousAuthSecrets,
    db: runtime.apiDb,
    logger: runtime.logger.child({ component: 'identity' }),
    mailer: runtime.mailer,
    bus: runtime.bus,
  });
  // Sign-in throttles: an address gets a few dozen tries a minute (a shared office NAT signs in
  // too); an account, whoever asks, 10 per 15 minutes, then a 15-minute pause.
  const signInThrottle = {
    byIp: createKeyedLimiter({
      points: 30,
      durationSeconds: 60,
      blockDurationSeconds: 120,
      ...redis,
      prefix: `${runtime.config.redisPrefix}sign-in-ip:`,
    }),
    byAccount: createKeyedLimiter({
      points: 10,
      durationSeconds: 900,
      blockDurationSeconds: 900,
      ...redis,
      prefix: `${runtime.config.redisPrefix}sign-in-account:`,
    }),
  };
  // Open sign-up: its own budgets, so creating accounts from an office address cannot lock its
  // colleagues out of signing in (nor their failed sign-ins stop a sign-up). Accounts are made far
  // more rarely than sessions: 10 attempts an hour per address (room for a few password-policy
  // retries), 5 an hour per email.
  const signUpThrottle = {
    byIp: createKeyedLimiter({
      points: 10,
      durationSeconds: 3600,
      blockDurationSeconds: 3600,
      ...redis,
      prefix: `${runtime.config.redisPrefix}sign-up-ip:`,
    }),
    byAccount: createKeyedLimiter({
      points: 5,
      durationSeconds: 3600,
      blockDurationSeconds: 3600,
      ...redis,
      prefix: `${runtime.config.redisPrefix}sign-up-account:`,
    }),
  };
  // Password reset: requests 10 per 15 minutes per address and 3 per hour per email; resets
  // (token guesses, 192-bit tokens anyway) share the address budget.
  const resetThrottle = {
    byIp: createKeyedLimiter({
      points: 10,
      durationSeconds: 900,
      blockDurationSeconds: 900,
      ...redis,
      prefix: `${runtime.config.redisPrefix}password-reset-ip:`,
    }),
    byAccount: createKeyedLimiter({
      points: 3,
      durationSeconds: 3600,
      blockDurationSeconds: 3600,
      ...redis,
      prefix: `${runtime.config.redisPrefix}password-reset-account:`,
    }),
  };
  // Accepting invitations: 10 attempts per 15 minutes per address (each may hash a password).
  const acceptThrottle = createKeyedLimiter({
    points: 10,
    durationSeconds: 900,
    blockDurationSeconds: 900,
    ...redis,
    prefix: `${runtime.config.redisPrefix}invite-accept-ip:`,
  });
  const cors = apiCorsOrigins(runtime.config);

  const api = new Hono<ApiEnv>();
  // Management responses carry keys shown once, tokens and spend figures: no browser, proxy or
  // CDN may keep a copy.
  api.use('/api/*', noStoreMiddleware());
  api.get('/api/openapi.json', (c) => c.json(document));
  // CORS_ORIGINS=* (development) trusts no extra origin for cookie-authenticated writes.
  api.use('/api/*', csrfProtection(cors === '*' ? [dashboardOrigin(runtime.config.publicUrl)] : cors, new Set([ACCEPT_INVITATION_PATH])));
  api.use('/api/*', apiAuthentication({ authenticator, identity, db: runtime.apiDb }));
  // Sign-in providers: the provider list, the error page, and a per-address throttle on callbacks
  // (each costs calls to the provider): 30 a minute, then 2 minutes blocked.
  api.route(
    '/',
    oauthRoutes({
      oauth: runtime.config.oauth,
      db: runtime.apiDb,
      logger: deps.logger,
      callbackThrottle: createKeyedLimiter({
        points: 30,
        durationSeconds: 60,
        blockDurationSeconds: 120,
        ...redis,
        prefix: `${runtime.config.redisPrefix}oauth-callback-ip:`,
      }),
    }),
  );
  api.route(
    '/',
    authRoutes({
      identity,
      db: runtime.apiDb,
      logger: deps.logger,
      authSecret: runtime.secrets.authSecret,
      throttle: signInThrottle,
      signUpThrottle,
      // A TOTP code signs in once (two-factor.ts): each (user, code) claimed for the plugin's window.
      usedTotpCodes: createKeyedLimiter({
        points: 1,
        durationSeconds: TOTP_REUSE_WINDOW_SECONDS,
        ...redis,
        prefix: `${runtime.config.redisPrefix}totp-used:`,
      }),
      securityAlerts,
      passwordReset: {
        identity,
        mailer: runtime.mailer,
        logger: deps.logger,
        authSecret: runtime.secrets.authSecret,
        throttle: resetThrottle,
      },
      emailVerification,
    }),
  );
  api.post(ACCEPT_INVITATION_PATH, acceptInvitationHandler({ db: runtime.apiDb, identity, throttle: acceptThrottle, securityAlerts }));
  mountRoutes(api, routes, { strongAuth: strongAuthCheck(runtime.apiDb) });
  mountAccountRoutes(api, accountRoutes);
  return api;
}
