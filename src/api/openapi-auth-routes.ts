/**
 * `/api/auth/*` in the OpenAPI document (openapi-described.ts): Portcullis's handlers in front of
 * better-auth (auth-routes.ts, oauth-routes.ts) with the schemas they validate with, and the
 * better-auth endpoints its catch-all forwards unchanged, with schemas of the fields that matter
 * (better-auth's own validation still applies). Disabled better-auth endpoints (DISABLED_AUTH_PATHS)
 * are not listed: they answer 404.
 */
import { z } from 'zod';
import { changePasswordBody } from '../identity/change-password.js';
import { verifyBody } from '../identity/email-verification.js';
import { requestSchema as passwordResetRequestSchema, resetSchema } from '../identity/password-reset.js';
import { recoveryCodeSignInBody } from '../identity/recovery-code-sign-in.js';
import { AUTH_BASE_PATH } from '../identity/session-cookie.js';
import { signInRequestSchema, signInResponseSchema } from '../identity/sign-in.js';
import { codeBody, passwordBody } from '../identity/two-factor.js';
import type { DescribedRoute } from './openapi-described.js';
import { timestampSchema } from './schemas.js';
import { SIGN_UP_PATH, signUpSchema } from './sign-up.js';

const TAG = 'Authentication';
const path = (suffix: string) => `${AUTH_BASE_PATH}${suffix}`;

const messageResponse = z.object({ message: z.string() });
const twoFactorChallenge = z.object({
  twoFactorRequired: z.literal(true),
  methods: z.array(z.string()).describe('Second factors the account can use, e.g. `totp`.'),
});

const webAuthnCredential = z.looseObject({ id: z.string(), type: z.literal('public-key'), transports: z.array(z.string()).optional() });
/** `PublicKeyCredentialCreationOptionsJSON` (WebAuthn Level 3), for `navigator.credentials.create`. */
const registrationOptions = z.looseObject({
  challenge: z.string(),
  rp: z.looseObject({ name: z.string(), id: z.string().optional() }),
  user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ type: z.literal('public-key'), alg: z.number() })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(webAuthnCredential).optional(),
  authenticatorSelection: z.record(z.string(), z.unknown()).optional(),
  attestation: z.string().optional(),
});
/** `PublicKeyCredentialRequestOptionsJSON`, for `navigator.credentials.get`. */
const authenticationOptions = z.looseObject({
  challenge: z.string(),
  rpId: z.string().optional(),
  timeout: z.number().optional(),
  allowCredentials: z.array(webAuthnCredential).optional(),
  userVerification: z.string().optional(),
});
const credentialBase = {
  id: z.string(),
  rawId: z.string(),
  type: z.literal('public-key'),
  clientExtensionResults: z.record(z.string(), z.unknown()),
};
/** `RegistrationResponseJSON`: what `navigator.credentials.create` returned, base64url-encoded. */
const registrationResponse = z.looseObject({
  ...credentialBase,
  response: z.looseObject({ clientDataJSON: z.string(), attestationObject: z.string(), transports: z.array(z.string()).optional() }),
});
/** `AuthenticationResponseJSON`: what `navigator.credentials.get` returned, base64url-encoded. */
const authenticationResponse = z.looseObject({
  ...credentialBase,
  response: z.looseObject({
    clientDataJSON: z.string(),
    authenticatorData: z.string(),
    signature: z.string(),
    userHandle: z.string().optional(),
  }),
});

const sessionView = z
  .object({
    session: z.looseObject({ id: z.string(), userId: z.string(), expiresAt: timestampSchema, createdAt: timestampSchema }),
    user: z.looseObject({
      id: z.string(),
      email: z.string(),
      name: z.string(),
      emailVerified: z.boolean(),
      twoFactorEnabled: z.boolean().optional(),
    }),
  })
  .nullable()
  .describe('`null` when no valid session cookie was sent.');

const providerParams = z.object({ id: z.string().describe('The provider: `github`, `google` or `oidc`.') });
const callbackQuery = z.object({
  code: z.string().optional().describe('The authorization code.'),
  state: z.string().optional(),
  error: z.string().optional().describe('The provider’s error code, when it refused.'),
  error_description: z.string().optional(),
});

const signedIn = { description: 'Signed in: the session cookie is set.', json: signInResponseSchema, setsCookie: true };

export const AUTH_ROUTE_DESCRIPTIONS: readonly DescribedRoute[] = [
  {
    operationId: 'authSignInEmail',
    method: 'post',
    path: path('/sign-in/email'),
    tag: TAG,
    summary: 'Sign in with email and password',
    description:
      'Throttled per address and per account. A wrong email or password answers the same 401 `invalid_credentials`. With two-factor on, a right password answers `{ twoFactorRequired, methods }` and sets only the challenge cookie; finish with `/two-factor/verify-totp` or `/two-factor/verify-backup-code`.',
    auth: 'none',
    body: signInRequestSchema,
    responses: {
      200: {
        description: 'Signed in (session cookie set), or a second factor is needed (challenge cookie set).',
        json: z.union([signInResponseSchema, twoFactorChallenge]),
        setsCookie: true,
      },
    },
    errors: [400, 401, 429],
  },
  {
    operationId: 'authSignUpStatus',
    method: 'get',
    path: SIGN_UP_PATH,
    tag: TAG,
    summary: 'Whether self-service sign-up is open',
    auth: 'none',
    responses: { 200: { description: 'The sign-up mode, and nothing else about the instance.', json: z.object({ open: z.boolean() }) } },
  },
  {
    operationId: 'authSignUp',
    method: 'post',
    path: SIGN_UP_PATH,
    tag: TAG,
    summary: 'Create an account (when sign-up is open)',
    description:
      'Only when an instance administrator opened sign-up (403 `signup_closed` otherwise, before any other check). The password policy applies. The new user is signed in when possible (`signedIn`).',
    auth: 'none',
    body: signUpSchema,
    responses: {
      201: {
        description: 'Account created; the session cookie is set when `signedIn` is true.',
        json: z.object({ user: signInResponseSchema.shape.user, signedIn: z.boolean() }),
        setsCookie: true,
      },
    },
    errors: [400, 403, 429],
  },
  {
    operationId: 'authRequestPasswordReset',
    method: 'post',
    path: path('/request-password-reset'),
    tag: TAG,
    summary: 'Email a password-reset link',
    description: 'Answers the same whether or not the address has an account. The link is single-use and expires.',
    auth: 'none',
    body: passwordResetRequestSchema,
    responses: { 200: { description: 'Accepted (a mail is sent if the account exists).', json: messageResponse } },
    errors: [400, 429],
  },
  {
    operationId: 'authResetPassword',
    method: 'post',
    path: path('/reset-password'),
    tag: TAG,
    summary: 'Set a new password with the token from a reset link',
    description: 'Ends every session of the account. A used, expired or unknown token answers 410.',
    auth: 'none',
    body: resetSchema,
    responses: { 200: { description: 'The password was changed.', json: messageResponse } },
    errors: [400, 410, 429],
  },
  {
    operationId: 'authVerifyEmail',
    method: 'post',
    path: path('/verify-email'),
    tag: TAG,
    summary: 'Verify an email address with the token from the link',
    description: 'Single use; an expired, used or unknown token answers 400 `invalid_token`.',
    auth: 'none',
    body: verifyBody,
    responses: { 200: { description: 'The address is verified.', json: z.object({ verified: z.literal(true) }) } },
    errors: [400, 429],
  },
  {
    operationId: 'authChangePassword',
    method: 'post',
    path: path('/change-password'),
    tag: TAG,
    summary: 'Change the signed-in user’s password',
    description: 'Ends every other session; this one gets a new cookie. A wrong current password is 400 `invalid_current_password`.',
    auth: 'session',
    body: changePasswordBody,
    responses: { 200: { description: 'Changed; the session cookie is renewed.', json: signInResponseSchema, setsCookie: true } },
    errors: [400, 401, 429],
  },
  {
    operationId: 'authSignInRecoveryCode',
    method: 'post',
    path: path('/sign-in/recovery-code'),
    tag: TAG,
    summary: 'Sign in with a recovery code',
    description: 'Each recovery code works once. A wrong email or code answers the same 401 `invalid_credentials`.',
    auth: 'none',
    body: recoveryCodeSignInBody,
    responses: { 200: signedIn },
    errors: [400, 401, 429],
  },
  {
    operationId: 'authTwoFactorEnable',
    method: 'post',
    path: path('/two-factor/enable'),
    tag: TAG,
    summary: 'Start enabling TOTP two-factor',
    description:
      'Returns the `otpauth://` URI and the backup codes, once. Two-factor is on when the first code verifies (`/two-factor/verify-totp` with the session cookie).',
    auth: 'session',
    body: passwordBody,
    responses: {
      200: {
        description: 'The TOTP secret (as a URI) and backup codes.',
        json: z.object({ totpURI: z.string(), backupCodes: z.array(z.string()) }),
        setsCookie: true,
      },
    },
    errors: [400, 429],
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authTwoFactorDisable',
    method: 'post',
    path: path('/two-factor/disable'),
    tag: TAG,
    summary: 'Turn two-factor off',
    auth: 'session',
    body: passwordBody,
    responses: {
      200: { description: 'Two-factor is off.', json: z.object({ twoFactorEnabled: z.literal(false) }), setsCookie: true },
    },
    errors: [400, 429],
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authTwoFactorVerifyTotp',
    method: 'post',
    path: path('/two-factor/verify-totp'),
    tag: TAG,
    summary: 'Give a TOTP code',
    description:
      'After a password sign-in with two-factor on (challenge cookie), it completes the sign-in; signed in, it confirms enabling two-factor. A code works once (401 `CODE_ALREADY_USED`).',
    auth: 'twoFactor',
    body: codeBody,
    responses: { 200: signedIn },
    errors: [400, 401, 429],
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authTwoFactorVerifyBackupCode',
    method: 'post',
    path: path('/two-factor/verify-backup-code'),
    tag: TAG,
    summary: 'Complete a two-factor sign-in with a backup code',
    auth: 'twoFactor',
    body: codeBody,
    responses: { 200: signedIn },
    errors: [400, 429],
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authPasskeyVerifyAuthentication',
    method: 'post',
    path: path('/passkey/verify-authentication'),
    tag: TAG,
    summary: 'Sign in with a passkey',
    description:
      'The assertion from `navigator.credentials.get` with the options of `/passkey/generate-authenticate-options`. Throttled per address and per credential; better-auth verifies the assertion.',
    auth: 'none',
    body: z.object({ response: authenticationResponse }),
    responses: { 200: signedIn },
    errors: [429],
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authProviders',
    method: 'get',
    path: path('/providers'),
    tag: TAG,
    summary: 'The enabled sign-in providers',
    description: 'Id and button label of each configured provider (GitHub, Google, OIDC); never a secret.',
    auth: 'none',
    responses: {
      200: {
        description: 'The providers, possibly none.',
        json: z.object({ providers: z.array(z.object({ id: z.enum(['github', 'google', 'oidc']), label: z.string() })) }),
      },
    },
  },
  {
    operationId: 'authSignInSocial',
    method: 'post',
    path: path('/sign-in/social'),
    tag: TAG,
    summary: 'Start a sign-in with a provider',
    description:
      'Answers the provider’s authorization URL (state and PKCE kept server-side); the browser goes there, and the provider sends it back to `/api/auth/callback/{id}`. Redirect targets must be relative or on a trusted origin.',
    auth: 'none',
    betterAuth: true,
    body: z.looseObject({
      provider: z.string().describe('An id from `/api/auth/providers`.'),
      callbackURL: z.string().optional().describe('Where to land after signing in, e.g. `/sign-in`.'),
      errorCallbackURL: z.string().optional().describe('Where to land on failure, e.g. `/sign-in/error`.'),
      newUserCallbackURL: z.string().optional(),
      disableRedirect: z.boolean().optional(),
    }),
    responses: { 200: { description: 'The URL to send the browser to.', json: z.object({ url: z.string(), redirect: z.boolean() }) } },
    betterAuthErrors: [400, 403, 404],
  },
  ...(['get', 'post'] as const).map((method): DescribedRoute => ({
    operationId: method === 'get' ? 'authOAuthCallback' : 'authOAuthCallbackFormPost',
    method,
    path: path('/callback/:id'),
    tag: TAG,
    summary: method === 'get' ? 'The provider’s redirect back (OAuth callback)' : 'The provider’s redirect back (form_post)',
    description:
      'Exchanges the code, then redirects. Throttled per client address (each callback costs calls to the provider): over the limit, a 429 HTML page with `retry-after`. A refused sign-in is audited (`auth.login_failed`) and redirected to `/sign-in/error?error=<code>`.' +
      (method === 'post' ? ' The same fields as the GET query, form-encoded by the provider (response_mode=form_post).' : ''),
    auth: 'none',
    betterAuth: true,
    params: providerParams,
    ...(method === 'get' ? { query: callbackQuery } : {}),
    responses: {
      302: {
        description: 'Signed in (session or two-factor challenge cookie set), or refused.',
        location: 'The `callbackURL` given at the start, or `/sign-in/error?error=<code>` when the sign-in was refused.',
        setsCookie: true,
      },
      429: { description: 'Too many callbacks from this address (an HTML page; see `retry-after`).', html: true },
    },
  })),
  ...(['get', 'post'] as const).map((method): DescribedRoute => ({
    operationId: method === 'get' ? 'authGetSession' : 'authGetSessionPost',
    method,
    path: path('/get-session'),
    tag: TAG,
    summary: 'The current session and user',
    description: 'Also slides the idle expiry forward (renewing the cookie).',
    auth: 'optionalSession',
    betterAuth: true,
    responses: { 200: { description: 'The session and its user, or null.', json: sessionView, setsCookie: true } },
  })),
  {
    operationId: 'authSignOut',
    method: 'post',
    path: path('/sign-out'),
    tag: TAG,
    summary: 'Sign out',
    description: 'Ends this session (audited `auth.logout`) and clears the cookie.',
    auth: 'session',
    betterAuth: true,
    responses: { 200: { description: 'Signed out.', json: z.object({ success: z.boolean() }), setsCookie: true } },
    betterAuthErrors: [400],
  },
  {
    operationId: 'authVerifyPassword',
    method: 'post',
    path: path('/verify-password'),
    tag: TAG,
    summary: 'Check the signed-in user’s password',
    auth: 'session',
    betterAuth: true,
    body: z.object({ password: z.string() }),
    responses: { 200: { description: 'The password is right.', json: z.object({ status: z.boolean() }) } },
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authListAccounts',
    method: 'get',
    path: path('/list-accounts'),
    tag: TAG,
    summary: 'The sign-in methods linked to the signed-in user',
    description: 'One entry per method: `credential` (a password) or a provider id.',
    auth: 'session',
    betterAuth: true,
    responses: {
      200: {
        description: 'The linked accounts (never a token or password hash).',
        json: z.array(
          z.looseObject({
            id: z.string(),
            providerId: z.string(),
            accountId: z.string(),
            userId: z.string(),
            scopes: z.array(z.string()),
            createdAt: timestampSchema,
            updatedAt: timestampSchema,
          }),
        ),
      },
    },
    betterAuthErrors: [401],
  },
  {
    operationId: 'authPasskeyRegisterOptions',
    method: 'get',
    path: path('/passkey/generate-register-options'),
    tag: TAG,
    summary: 'Options to register a passkey',
    auth: 'session',
    betterAuth: true,
    query: z.object({
      authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
      name: z.string().optional().describe('A name for the passkey.'),
    }),
    responses: { 200: { description: 'Options for `navigator.credentials.create`.', json: registrationOptions } },
    betterAuthErrors: [401],
  },
  {
    operationId: 'authPasskeyVerifyRegistration',
    method: 'post',
    path: path('/passkey/verify-registration'),
    tag: TAG,
    summary: 'Register a passkey',
    description: 'The credential from `navigator.credentials.create`. Audited, and the user is notified by mail.',
    auth: 'session',
    betterAuth: true,
    body: z.object({ response: registrationResponse, name: z.string().optional() }),
    responses: {
      200: {
        description: 'The new passkey.',
        json: z.looseObject({
          id: z.string(),
          name: z.string().nullable().optional(),
          userId: z.string(),
          credentialID: z.string(),
          deviceType: z.string(),
          backedUp: z.boolean(),
          createdAt: timestampSchema,
        }),
      },
    },
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authPasskeyAuthenticateOptions',
    method: 'get',
    path: path('/passkey/generate-authenticate-options'),
    tag: TAG,
    summary: 'Options to sign in with a passkey',
    auth: 'none',
    betterAuth: true,
    responses: { 200: { description: 'Options for `navigator.credentials.get`.', json: authenticationOptions } },
  },
  {
    operationId: 'authTwoFactorTotpUri',
    method: 'post',
    path: path('/two-factor/get-totp-uri'),
    tag: TAG,
    summary: 'The TOTP URI again (to add another authenticator app)',
    auth: 'session',
    betterAuth: true,
    body: passwordBody,
    responses: { 200: { description: 'The `otpauth://` URI.', json: z.object({ totpURI: z.string() }) } },
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authTwoFactorBackupCodes',
    method: 'post',
    path: path('/two-factor/generate-backup-codes'),
    tag: TAG,
    summary: 'Replace the backup codes',
    description: 'The old codes stop working; the new ones are shown once.',
    auth: 'session',
    betterAuth: true,
    body: passwordBody,
    responses: {
      200: { description: 'The new backup codes.', json: z.object({ status: z.boolean(), backupCodes: z.array(z.string()) }) },
    },
    betterAuthErrors: [400, 401],
  },
  {
    operationId: 'authOk',
    method: 'get',
    path: path('/ok'),
    tag: TAG,
    summary: 'better-auth liveness',
    auth: 'none',
    betterAuth: true,
    responses: { 200: { description: 'The identity layer answers.', json: z.object({ ok: z.literal(true) }) } },
  },
  {
    operationId: 'authErrorPage',
    method: 'get',
    path: path('/error'),
    tag: TAG,
    summary: 'better-auth’s error page',
    description: 'Provider sign-ins are sent to `/sign-in/error` instead; this page is only reached directly.',
    auth: 'none',
    betterAuth: true,
    query: z.object({ error: z.string().optional() }),
    responses: { 200: { description: 'An HTML page naming the error.', html: true } },
  },
];
