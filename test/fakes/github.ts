/**
 * A fake GitHub (github.com or GitHub Enterprise Server) for offline sign-in tests: the OAuth web
 * application flow (`/login/oauth/authorize`, `/login/oauth/access_token`) and the REST endpoints a
 * sign-in reads (`/user`, `/user/emails`, `/user/orgs`, `/user/memberships/orgs`).
 *
 * It answers in GitHub's wire formats, quirks included, because a sign-in that only works against a
 * tidied-up fake breaks against the real thing:
 * - token-exchange errors come back with HTTP 200 and an `error` field, never a 4xx;
 * - the token response is form-encoded unless the client sends `Accept: application/json`;
 * - `scope` in the token response is comma-separated (`read:user,user:email`), not space-separated;
 * - `/user/emails` without the `user:email` (or `user`) scope is a 404, `/user/orgs` without
 *   `read:org` (or `user`) a 403;
 * - the REST API refuses requests without a `User-Agent` header (403);
 * - on github.com the API lives on another host than the OAuth pages (here: another port); on
 *   GitHub Enterprise Server it is `${baseUrl}/api/v3` on the same host;
 * - PKCE is S256-only on github.com and not supported (parameters ignored) on GHES.
 *
 * Where GitHub's behaviour is undocumented the fake picks the strict reading and says so in a comment.
 */
import { randomBytes } from 'node:crypto';
import {
  authorizationCredentials,
  html,
  json,
  PKCE_VALUE,
  randomBase62,
  redirect,
  s256,
  safeEqual,
  startRecordingServer,
  text,
  type FakeReply,
  type FakeServer,
  type OAuthRecordedRequest,
} from './oauth-common.js';

export type GitHubEmail = {
  email: string;
  primary: boolean;
  verified: boolean;
  /** `public` for the address shown on the profile, `private` for the primary address kept private, else null. */
  visibility?: 'public' | 'private' | null;
};

export type GitHubUser = {
  /** GitHub's numeric user id: the stable identifier (logins can be renamed). */
  id: number;
  login: string;
  name: string | null;
  emails: GitHubEmail[];
  /** Logins of the organisations the user belongs to (active memberships). */
  orgs: string[];
  /** Organisations (a subset of `orgs`) where the user's role is `admin` rather than `member`. */
  orgAdmin?: string[];
  /** Organisations where the user has a pending invitation (membership state `pending`); not listed by /user/orgs. */
  pendingOrgs?: string[];
  /** The profile's public email shown by GET /user; null (the default) when the user keeps it private. */
  publicEmail?: string | null;
  twoFactorAuthentication?: boolean;
  siteAdmin?: boolean;
  createdAt?: string;
};

export type NewGitHubUser = Pick<GitHubUser, 'login'> & Partial<GitHubUser>;

export type FakeGitHubOptions = {
  /** GitHub Enterprise Server layout: one host, API at `${baseUrl}/api/v3`, no PKCE. Default false (github.com). */
  enterprise?: boolean;
  clientId?: string;
  clientSecret?: string;
  /**
   * The OAuth app's registered callback URLs. Empty (the default) accepts any `redirect_uri`, for
   * tests that learn their app's port late; set them (here or later via `callbackUrls`) to get
   * GitHub's matching rules (same host and port, path equal to or below the callback's path).
   */
  callbackUrls?: string[];
  /**
   * Refuse authorizations without `state`. GitHub itself only "strongly recommends" state; the fake
   * requires it by default so a sign-in flow that forgets its CSRF protection fails loudly.
   */
  requireState?: boolean;
  /** Honour `code_challenge`/`code_verifier`. Default: true on github.com, false on GHES (documented as unsupported there). */
  pkce?: boolean;
  /** Authorization code lifetime; GitHub's is 10 minutes. */
  codeTtlMs?: number;
  /** Expiring user tokens (the default for new OAuth apps since 2025): adds expires_in and a refresh token. */
  expiringTokens?: boolean;
  /** Version reported in `x-github-enterprise-version` on GHES responses. */
  enterpriseVersion?: string;
};

export type IssuedGitHubToken = {
  token: string;
  login: string;
  scopes: string[];
  expiresAt?: number;
  revoked: boolean;
};

export type FakeGitHub = {
  /** Where the OAuth pages live: `/login/oauth/authorize` and `/login/oauth/access_token` are under it. */
  readonly baseUrl: string;
  /** REST API root: a separate origin on github.com, `${baseUrl}/api/v3` on GHES. No trailing slash. */
  readonly apiUrl: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly enterprise: boolean;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Registered callback URLs; mutable. */
  readonly callbackUrls: string[];
  /** Users by login. Prefer `addUser`, which fills the defaults. */
  readonly users: Map<string, GitHubUser>;
  /** Adds (or replaces) a user; returns the stored record. */
  addUser(user: NewGitHubUser): GitHubUser;
  /** Pre-selects who "signs in" at the next authorizations (sticky until changed). */
  authorize(login: string): void;
  /** The next authorization is refused by the user: redirect with `error=access_denied`. */
  denyNext(): void;
  /** Every access token issued so far (for asserting scopes or simulating revocation). */
  readonly tokens: ReadonlyMap<string, IssuedGitHubToken>;
  /** Revokes a token as if the user removed the app's authorization: the API then answers 401. */
  revokeToken(token: string): void;
  /** Every request received, in order, on both the OAuth pages and the API. */
  readonly requests: OAuthRecordedRequest[];
  /** Forgets recorded requests. */
  reset(): void;
  stop(): Promise<void>;
};

type PendingCode = {
  clientId: string;
  login: string;
  scopes: string[];
  /** The redirect URI the code was sent to. */
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
  /** Set on the first successful exchange; a second exchange revokes it (RFC 6749 §4.1.2). */
  issuedToken?: string;
};

const DOCS = 'https://docs.github.com';
const TOKEN_ERROR_DOCS = `${DOCS}/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors`;
const AUTHORIZE_ERROR_DOCS = `${DOCS}/apps/managing-oauth-apps/troubleshooting-authorization-request-errors`;

/** Scopes GitHub knows; others are silently dropped from the grant, as GitHub does. */
const KNOWN_SCOPES = new Set([
  'repo',
  'repo:status',
  'repo_deployment',
  'public_repo',
  'repo:invite',
  'security_events',
  'admin:repo_hook',
  'write:repo_hook',
  'read:repo_hook',
  'admin:org',
  'write:org',
  'read:org',
  'admin:public_key',
  'write:public_key',
  'read:public_key',
  'admin:org_hook',
  'gist',
  'notifications',
  'user',
  'read:user',
  'user:email',
  'user:follow',
  'project',
  'read:project',
  'delete_repo',
  'write:packages',
  'read:packages',
  'delete:packages',
  'admin:gpg_key',
  'write:gpg_key',
  'read:gpg_key',
  'codespace',
  'workflow',
  'admin:enterprise',
  'manage_runners:enterprise',
  'read:enterprise',
  'audit_log',
  'read:audit_log',
  'admin:ssh_signing_key',
  'write:ssh_signing_key',
  'read:ssh_signing_key',
]);

/** Scopes that include others: GitHub normalises a grant by dropping the included ones. */
const IMPLIED: Record<string, string[]> = {
  user: ['read:user', 'user:email', 'user:follow'],
  repo: ['repo:status', 'repo_deployment', 'public_repo', 'repo:invite', 'security_events'],
  'admin:org': ['write:org', 'read:org'],
  'write:org': ['read:org'],
  'admin:repo_hook': ['write:repo_hook', 'read:repo_hook'],
  'write:repo_hook': ['read:repo_hook'],
  'admin:public_key': ['write:public_key', 'read:public_key'],
  'write:public_key': ['read:public_key'],
  'admin:gpg_key': ['write:gpg_key', 'read:gpg_key'],
  'write:gpg_key': ['read:gpg_key'],
  project: ['read:project'],
  'write:packages': ['read:packages'],
};

function normaliseScopes(requested: string | null): string[] {
  // GitHub documents `scope` as space-delimited and also accepts commas.
  const asked = [...new Set((requested ?? '').split(/[\s,]+/).filter((s) => KNOWN_SCOPES.has(s)))];
  const covered = new Set(asked.flatMap((s) => IMPLIED[s] ?? []));
  return asked.filter((s) => !covered.has(s));
}

/** Whether a grant includes `needed`, directly or through a broader scope. */
function hasScope(scopes: readonly string[], needed: string): boolean {
  return scopes.some((s) => s === needed || (IMPLIED[s]?.includes(needed) ?? false));
}

/** GitHub's legacy node ids are base64 of `<len(type)>:<Type><id>`, e.g. `04:User1`. */
function nodeId(type: 'User' | 'Organization', id: number): string {
  return Buffer.from(`${String(type.length).padStart(2, '0')}:${type}${id}`).toString('base64');
}

/** A stable org id derived from its login, so the same org has the same id in every response. */
function orgId(login: string): number {
  let hash = 0;
  for (const c of login.toLowerCase()) hash = (hash * 31 + c.charCodeAt(0)) % 900_000_000;
  return 100_000_000 + hash;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === '[::1]' || host === 'localhost';

/**
 * GitHub's redirect_uri rule: same scheme, same host (subdomains allowed), same port (any port
 * for loopback callbacks), and a path equal to or below the callback's path.
 */
function redirectMatches(callback: string, candidate: string): boolean {
  let cb: URL;
  let rd: URL;
  try {
    cb = new URL(callback);
    rd = new URL(candidate);
  } catch {
    return false;
  }
  if (cb.protocol !== rd.protocol) return false;
  if (rd.hostname !== cb.hostname && !rd.hostname.endsWith(`.${cb.hostname}`)) return false;
  if (rd.port !== cb.port && !(isLoopback(cb.hostname) && rd.hostname === cb.hostname)) return false;
  const base = cb.pathname.endsWith('/') ? cb.pathname : `${cb.pathname}/`;
  return rd.pathname === cb.pathname || rd.pathname.startsWith(base);
}

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const enterprise = options.enterprise ?? false;
  // Shapes of a current OAuth app's credentials: `Ov23li…` client id, 40 hex characters of secret.
  const clientId = options.clientId ?? `Ov23li${randomBase62(14)}`;
  const clientSecret = options.clientSecret ?? randomBytes(20).toString('hex');
  const callbackUrls = [...(options.callbackUrls ?? [])];
  const requireState = options.requireState ?? true;
  const pkce = options.pkce ?? !enterprise;
  const codeTtlMs = options.codeTtlMs ?? 10 * 60_000;
  const enterpriseVersion = options.enterpriseVersion ?? '3.17.0';

  const users = new Map<string, GitHubUser>();
  const codes = new Map<string, PendingCode>();
  const tokens = new Map<string, IssuedGitHubToken>();
  const requests: OAuthRecordedRequest[] = [];
  let selectedLogin: string | undefined;
  let denyCount = 0;
  let nextUserId = 1000;
  let apiUrl = '';

  const findUser = (login: string) => [...users.values()].find((u) => u.login.toLowerCase() === login.toLowerCase());

  // ---- OAuth pages ----

  function authorizePage(req: OAuthRecordedRequest): FakeReply {
    const q = req.query;
    // An unknown client_id gets GitHub's 404 page: there is no app to send the user back to.
    if (q.get('client_id') !== clientId) return html(404, 'Not Found');

    const state = q.get('state') ?? undefined;
    const asked = q.get('redirect_uri');
    let redirectUri: string;
    if (asked) {
      if (callbackUrls.length > 0 && !callbackUrls.some((cb) => redirectMatches(cb, asked))) {
        // GitHub reports a mismatch at the registered callback, never at the unverified URI.
        return redirect(callbackUrls[0]!, {
          error: 'redirect_uri_mismatch',
          error_description: 'The redirect_uri MUST match the registered callback URL for this application.',
          error_uri: `${AUTHORIZE_ERROR_DOCS}/#redirect-uri-mismatch`,
          state,
        });
      }
      redirectUri = asked;
    } else if (callbackUrls[0]) {
      // Without redirect_uri GitHub uses the app's first callback URL.
      redirectUri = callbackUrls[0];
    } else {
      return html(400, 'fake GitHub: no redirect_uri given and no callback URL registered (set callbackUrls)');
    }

    if (requireState && !state) {
      return html(400, 'fake GitHub: authorization without state refused (the fake requires state; pass requireState: false to allow)');
    }

    let codeChallenge: string | undefined;
    if (pkce && q.has('code_challenge')) {
      // github.com accepts S256 only and documents the challenge as 43 characters. How it reports a
      // bad challenge is undocumented: the fake redirects with invalid_request like RFC 6749 §4.1.2.1.
      const challenge = q.get('code_challenge')!;
      if (q.get('code_challenge_method') !== 'S256') {
        return redirect(redirectUri, {
          error: 'invalid_request',
          error_description: 'code_challenge_method must be S256; the plain method is not supported.',
          state,
        });
      }
      if (challenge.length !== 43 || !PKCE_VALUE.test(challenge)) {
        return redirect(redirectUri, {
          error: 'invalid_request',
          error_description: 'code_challenge must be a 43 character SHA-256 hash.',
          state,
        });
      }
      codeChallenge = challenge;
    }

    if (denyCount > 0) {
      denyCount--;
      return redirect(redirectUri, {
        error: 'access_denied',
        error_description: 'The user has denied your application access.',
        error_uri: `${AUTHORIZE_ERROR_DOCS}/#access-denied`,
        state,
      });
    }

    // Who signs in: the pre-selected user, else the `login` hint, else the only user there is.
    const hint = q.get('login');
    const user =
      (selectedLogin !== undefined ? findUser(selectedLogin) : undefined) ??
      (hint ? findUser(hint) : undefined) ??
      (users.size === 1 ? [...users.values()][0] : undefined);
    if (!user) return html(400, 'fake GitHub: nobody is signed in (call authorize(login) or add exactly one user)');

    const code = randomBase62(20).toLowerCase();
    codes.set(code, {
      clientId,
      login: user.login,
      scopes: normaliseScopes(q.get('scope')),
      redirectUri,
      codeChallenge,
      expiresAt: Date.now() + codeTtlMs,
    });
    return redirect(redirectUri, { code, state });
  }

  /** Token responses are negotiated on Accept; errors too, and always with HTTP 200. */
  function tokenReply(req: OAuthRecordedRequest, fields: Record<string, string | number>): FakeReply {
    const accept = (req.headers.accept ?? '').toLowerCase();
    if (accept.includes('application/json')) return json(200, fields, { 'cache-control': 'no-store' });
    if (accept.includes('application/xml')) {
      const inner = Object.entries(fields)
        .map(([k, v]) => `<${k}>${String(v).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`)}</${k}>`)
        .join('');
      return {
        status: 200,
        headers: { 'content-type': 'application/xml; charset=utf-8', 'cache-control': 'no-store' },
        body: `<OAuth>${inner}</OAuth>`,
      };
    }
    const form = new URLSearchParams(Object.entries(fields).map(([k, v]): [string, string] => [k, String(v)]));
    return {
      status: 200,
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', 'cache-control': 'no-store' },
      body: form.toString(),
    };
  }

  function tokenError(req: OAuthRecordedRequest, error: string, description: string, anchor: string): FakeReply {
    return tokenReply(req, { error, error_description: description, error_uri: `${TOKEN_ERROR_DOCS}/#${anchor}` });
  }

  function accessToken(req: OAuthRecordedRequest): FakeReply {
    // GitHub reads parameters from the form body, a JSON body, or the query string.
    const param = (name: string) => req.form.get(name) ?? req.query.get(name) ?? undefined;
    // Only body parameters are documented for client authentication, so that is all the fake takes:
    // a sign-in configured for HTTP Basic fails here rather than in production.
    if (param('client_id') !== clientId || !safeEqual(param('client_secret') ?? '', clientSecret)) {
      return tokenError(
        req,
        'incorrect_client_credentials',
        'The client_id and/or client_secret passed are incorrect.',
        'incorrect-client-credentials',
      );
    }
    const badCode = () => tokenError(req, 'bad_verification_code', 'The code passed is incorrect or expired.', 'bad-verification-code');
    const code = param('code');
    const pending = code ? codes.get(code) : undefined;
    if (!pending || pending.clientId !== clientId) return badCode();
    if (pending.issuedToken) {
      // A replayed code revokes what the first exchange issued (RFC 6749 §4.1.2 "SHOULD").
      const first = tokens.get(pending.issuedToken);
      if (first) first.revoked = true;
      return badCode();
    }
    if (Date.now() > pending.expiresAt) {
      codes.delete(code!);
      return badCode();
    }
    const redirectUri = param('redirect_uri');
    if (redirectUri !== undefined && redirectUri !== pending.redirectUri) {
      return tokenError(
        req,
        'redirect_uri_mismatch',
        'The redirect_uri MUST match the registered callback URL for this application.',
        'redirect-uri-mismatch',
      );
    }
    if (pkce) {
      const verifier = param('code_verifier');
      // GitHub documents code_verifier as "required if code_challenge was sent" without saying how a
      // failure is reported; the fake answers bad_verification_code. A verifier for a code issued
      // without a challenge is refused too (the PKCE downgrade of RFC 9700 §4.8.2).
      if (pending.codeChallenge !== undefined) {
        if (!verifier || !PKCE_VALUE.test(verifier) || s256(verifier) !== pending.codeChallenge) return badCode();
      } else if (verifier !== undefined) {
        return badCode();
      }
    }

    const token = `gho_${randomBase62(36)}`;
    const expiresIn = 8 * 3600;
    tokens.set(token, {
      token,
      login: pending.login,
      scopes: pending.scopes,
      expiresAt: options.expiringTokens ? Date.now() + expiresIn * 1000 : undefined,
      revoked: false,
    });
    pending.issuedToken = token;
    const fields: Record<string, string | number> = { access_token: token, token_type: 'bearer', scope: pending.scopes.join(',') };
    if (options.expiringTokens) {
      fields.expires_in = expiresIn;
      fields.refresh_token = `ghr_${randomBase62(76)}`;
      fields.refresh_token_expires_in = 15_811_200;
    }
    return tokenReply(req, fields);
  }

  // ---- REST API ----

  function apiError(status: number, message: string, documentation: string, headers: Record<string, string> = {}): FakeReply {
    return json(status, { message, documentation_url: `${DOCS}/${documentation}`, status: String(status) }, headers);
  }

  function simpleUser(user: GitHubUser) {
    return {
      login: user.login,
      id: user.id,
      node_id: nodeId('User', user.id),
      avatar_url: `https://avatars.githubusercontent.com/u/${user.id}?v=4`,
      gravatar_id: '',
      url: `${apiUrl}/users/${user.login}`,
      html_url: `${baseUrl}/${user.login}`,
      type: 'User',
      site_admin: user.siteAdmin ?? false,
    };
  }

  function simpleOrg(login: string) {
    const id = orgId(login);
    return {
      login,
      id,
      node_id: nodeId('Organization', id),
      url: `${apiUrl}/orgs/${login}`,
      repos_url: `${apiUrl}/orgs/${login}/repos`,
      events_url: `${apiUrl}/orgs/${login}/events`,
      hooks_url: `${apiUrl}/orgs/${login}/hooks`,
      issues_url: `${apiUrl}/orgs/${login}/issues`,
      members_url: `${apiUrl}/orgs/${login}/members{/member}`,
      public_members_url: `${apiUrl}/orgs/${login}/public_members{/member}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      description: null,
    };
  }

  function membership(user: GitHubUser, org: string, state: 'active' | 'pending') {
    return {
      url: `${apiUrl}/orgs/${org}/memberships/${user.login}`,
      state,
      role: (user.orgAdmin ?? []).some((o) => o.toLowerCase() === org.toLowerCase()) ? 'admin' : 'member',
      organization_url: `${apiUrl}/orgs/${org}`,
      organization: simpleOrg(org),
      user: simpleUser(user),
    };
  }

  /** GitHub's pagination: `page`/`per_page` (default 30, max 100) and a Link header. */
  function paginate<T>(req: OAuthRecordedRequest, path: string, items: T[], headers: Record<string, string>): FakeReply {
    const perPage = Math.min(Math.max(Number(req.query.get('per_page')) || 30, 1), 100);
    const page = Math.max(Number(req.query.get('page')) || 1, 1);
    const last = Math.max(Math.ceil(items.length / perPage), 1);
    const link = (p: number, rel: string) => {
      const url = new URL(`${apiUrl}${path}`);
      for (const [k, v] of req.query) url.searchParams.set(k, v);
      url.searchParams.set('per_page', String(perPage));
      url.searchParams.set('page', String(p));
      return `<${url.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return json(200, items.slice((page - 1) * perPage, page * perPage), links.length ? { ...headers, link: links.join(', ') } : headers);
  }

  function api(req: OAuthRecordedRequest, path: string): FakeReply {
    if (!req.headers['user-agent']) {
      return text(
        403,
        'Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.\n',
      );
    }
    const base: Record<string, string> = {
      'x-github-media-type': 'github.v3; format=json',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4999',
      'x-ratelimit-used': '1',
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-resource': 'core',
    };
    if (enterprise) base['x-github-enterprise-version'] = enterpriseVersion;
    if (req.method !== 'GET') return apiError(404, 'Not Found', 'rest', base);

    const credentials = authorizationCredentials(req.headers, ['bearer', 'token']);
    if (!credentials) {
      if (path.startsWith('/user')) return apiError(401, 'Requires authentication', 'rest/users/users#get-the-authenticated-user', base);
      return apiError(404, 'Not Found', 'rest', base);
    }
    const issued = tokens.get(credentials.credentials);
    const user = issued ? findUser(issued.login) : undefined;
    if (!issued || issued.revoked || (issued.expiresAt !== undefined && Date.now() > issued.expiresAt) || !user) {
      return apiError(401, 'Bad credentials', 'rest', base);
    }
    const headers = { ...base, 'x-oauth-scopes': issued.scopes.join(', ') };

    if (path === '/user') {
      const profile: Record<string, unknown> = {
        ...simpleUser(user),
        name: user.name,
        company: null,
        blog: '',
        location: null,
        email: user.publicEmail ?? null,
        hireable: null,
        bio: null,
        twitter_username: null,
        public_repos: 0,
        public_gists: 0,
        followers: 0,
        following: 0,
        created_at: user.createdAt ?? '2020-01-01T00:00:00Z',
        updated_at: user.createdAt ?? '2020-01-01T00:00:00Z',
      };
      // The private profile fields need the `user` scope.
      if (hasScope(issued.scopes, 'user')) {
        Object.assign(profile, {
          private_gists: 0,
          total_private_repos: 0,
          owned_private_repos: 0,
          disk_usage: 0,
          collaborators: 0,
          two_factor_authentication: user.twoFactorAuthentication ?? false,
          plan: { name: 'free', space: 976562499, collaborators: 0, private_repos: 10000 },
        });
      }
      return json(200, profile, { ...headers, 'x-accepted-oauth-scopes': '' });
    }
    if (path === '/user/emails') {
      const accepted = { ...headers, 'x-accepted-oauth-scopes': 'user, user:email' };
      if (!hasScope(issued.scopes, 'user:email')) {
        return apiError(404, 'Not Found', 'rest/users/emails#list-email-addresses-for-the-authenticated-user', accepted);
      }
      const emails = user.emails.map((e) => ({
        email: e.email,
        primary: e.primary,
        verified: e.verified,
        visibility: e.visibility ?? null,
      }));
      return paginate(req, path, emails, accepted);
    }
    if (path === '/user/orgs') {
      const accepted = { ...headers, 'x-accepted-oauth-scopes': 'admin:org, read:org, user, write:org' };
      if (!hasScope(issued.scopes, 'read:org') && !hasScope(issued.scopes, 'user')) {
        return apiError(
          403,
          'You need at least read:org scope or user scope to list your organizations.',
          'rest/orgs/orgs#list-organizations-for-the-authenticated-user',
          accepted,
        );
      }
      return paginate(req, path, user.orgs.map(simpleOrg), accepted);
    }
    if (path === '/user/memberships/orgs' || path.startsWith('/user/memberships/orgs/')) {
      const accepted = { ...headers, 'x-accepted-oauth-scopes': 'admin:org, read:org, user, write:org' };
      // Undocumented which 4xx a missing scope gives here; the fake mirrors /user/orgs.
      if (!hasScope(issued.scopes, 'read:org') && !hasScope(issued.scopes, 'user')) {
        return apiError(
          403,
          'You need at least read:org scope or user scope to list your organization memberships.',
          'rest/orgs/members',
          accepted,
        );
      }
      const all = [
        ...user.orgs.map((o) => membership(user, o, 'active')),
        ...(user.pendingOrgs ?? []).map((o) => membership(user, o, 'pending')),
      ];
      if (path === '/user/memberships/orgs') {
        const state = req.query.get('state');
        return paginate(req, path, state ? all.filter((m) => m.state === state) : all, accepted);
      }
      const org = decodeURIComponent(path.slice('/user/memberships/orgs/'.length));
      const found = all.find((m) => m.organization.login.toLowerCase() === org.toLowerCase());
      return found
        ? json(200, found, accepted)
        : apiError(404, 'Not Found', 'rest/orgs/members#get-an-organization-membership-for-the-authenticated-user', accepted);
    }
    return apiError(404, 'Not Found', 'rest', headers);
  }

  // ---- Servers ----

  function oauthPages(req: OAuthRecordedRequest): FakeReply | undefined {
    if (req.path === '/login/oauth/authorize' && req.method === 'GET') return authorizePage(req);
    if (req.path === '/login/oauth/access_token' && req.method === 'POST') return accessToken(req);
    return undefined;
  }

  let baseUrl = '';
  const servers: FakeServer[] = [];
  if (enterprise) {
    // GHES: one host; the REST API is under /api/v3 and nothing else answers API paths.
    const server = await startRecordingServer(requests, (req) => {
      if (req.path === '/api/v3' || req.path.startsWith('/api/v3/')) return api(req, req.path.slice('/api/v3'.length) || '/');
      return oauthPages(req) ?? html(404, 'Not Found');
    });
    servers.push(server);
    baseUrl = server.origin;
    apiUrl = `${server.origin}/api/v3`;
  } else {
    // github.com: the OAuth pages and the API are different hosts, so a sign-in that derives one
    // from the other is caught.
    const web = await startRecordingServer(requests, (req) => oauthPages(req) ?? html(404, 'Not Found'));
    const apiServer = await startRecordingServer(requests, (req) => api(req, req.path));
    servers.push(web, apiServer);
    baseUrl = web.origin;
    apiUrl = apiServer.origin;
  }

  return {
    baseUrl,
    apiUrl,
    authorizeUrl: `${baseUrl}/login/oauth/authorize`,
    tokenUrl: `${baseUrl}/login/oauth/access_token`,
    enterprise,
    clientId,
    clientSecret,
    callbackUrls,
    users,
    addUser(user) {
      const stored: GitHubUser = {
        id: user.id ?? nextUserId++,
        login: user.login,
        name: user.name ?? null,
        emails: user.emails ?? [],
        orgs: user.orgs ?? [],
        orgAdmin: user.orgAdmin,
        pendingOrgs: user.pendingOrgs,
        publicEmail: user.publicEmail ?? null,
        twoFactorAuthentication: user.twoFactorAuthentication,
        siteAdmin: user.siteAdmin,
        createdAt: user.createdAt,
      };
      users.set(stored.login, stored);
      return stored;
    },
    authorize(login) {
      if (!findUser(login)) throw new Error(`fake GitHub: no user ${login}`);
      selectedLogin = login;
    },
    denyNext() {
      denyCount++;
    },
    tokens,
    revokeToken(token) {
      const issued = tokens.get(token);
      if (issued) issued.revoked = true;
    },
    requests,
    reset() {
      requests.length = 0;
    },
    async stop() {
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
