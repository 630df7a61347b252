/**
 * Issue 8: every action in the documented list (`AUDIT_ACTIONS`) produces exactly one event, with
 * the right fields, when it is performed the way production performs it: through the real api
 * routes (a distinctive user agent and our own `x-request-id` on every request), the loopback
 * admin endpoint the CLI talks to, the gateway, or the retention job.
 *
 * One instance for the whole file, on a database of its own that starts empty: the server applies
 * the migrations and issues the setup link at start (both audited), and setup, the sign-up mode and
 * instance admins are instance-wide state no other test file may see changed. Rows run in order and
 * build on each other (the setup row makes the instance admin, the org row the org, …).
 *
 * Org events are read through the api (`GET /api/orgs/:orgId/audit/events`), the view that returns
 * actor IP and user agent decrypted; instance events (no api lists them) with the owner connection,
 * where only the presence of IP and user agent is checked (they are encrypted at rest per user).
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApp } from '../src/admin/app.js';
import { AUDIT_ACTIONS, type AuditAction } from '../src/audit/actions.js';
import { createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { loadConfig } from '../src/config/load.js';
import { generateMasterKey, parseMasterKey } from '../src/crypto/master-key.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { openDatabase, type DatabaseHandle } from '../src/db/open.js';
import { queryRows } from '../src/db/rows.js';
import { accounts, organizations, passkeys } from '../src/db/schema/index.js';
import { runRetention } from '../src/governance/retention-job.js';
import { startHttpServer } from '../src/http/serve.js';
import { createLogger } from '../src/logging/logger.js';
import { openRuntime } from '../src/server/runtime.js';
import { startServices } from '../src/server/services.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { startFakeSmtp, type FakeSmtp } from './fakes/smtp.js';
import { createOrg, eventually, mintToken, type TestOrg } from './support/api.js';
import { uniqueName } from './support/database.js';
import { memoryLogDestination, type TestServer } from './support/server.js';
import { createPasswordUser } from './support/sessions.js';
import { totpFromUri, unusedTotp } from './support/totp.js';
import { eq } from 'drizzle-orm';

const ORIGIN = 'https://portcullis.example.test';
const CSRF = { 'x-portcullis-csrf': '1' } as const;
/** Sent on every request of this file: an event whose user agent is this came from our request. */
const USER_AGENT = `PortcullisEveryAction/1.0 (audit-every-action; ${randomUUID().slice(0, 8)})`;
const PASSWORD = 'amber-kestrel-quarry-4711';
const NEW_PASSWORD = 'copper-lichen-meadow-2208';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ------------------------------------------------------------------------------------------------
// Actions not covered by a row here, and rows that show a defect (the row still runs: it must keep
// failing its checks, so a fix makes this test fail until the entry is removed).

const NOT_COVERED_HERE: Readonly<Record<string, string>> = {
  'passkey.added': 'covered by test/browser/passkeys.test.ts (the WebAuthn ceremony needs a browser authenticator)',
  'org.deleted': 'covered by test/org-deletion.test.ts (after the grace period, by the purge job)',
  'user.deleted': 'covered by test/account-erasure.test.ts (it ends the account this file signs in with)',
  'org.deletion_scheduled': 'covered by test/org-deletion.test.ts',
  'org.deletion_cancelled': 'covered by test/org-deletion.test.ts',
  'org.exported': 'covered by test/org-export.test.ts',
  'security_alerts.changed': 'covered by test/security-alerts.test.ts',
  'security_alert.sent': 'covered by test/security-alerts.test.ts',
  'instance.backup_restored': 'covered by test/backup-restore.test.ts (a restore runs on a database of its own)',
  'request_log.body_read': 'covered by test/api-request-logs.test.ts (needs a project that stores bodies)',
};

/** Documented actions that are not recorded as documented: reported, to be fixed in src/. */
const KNOWN_DEFECTS: Readonly<Record<string, string>> = {};

// ------------------------------------------------------------------------------------------------
// The instance

type Fixture = {
  server: TestServer;
  smtp: FakeSmtp;
  openai: FakeOpenAI;
  adminApi: { url: string; token: string; close(): Promise<void> };
  /** The key the operator rotates to (`MASTER_KEY` of the CLI); the server knows it as a previous key. */
  nextMasterKey: string;
  dropDatabase(): Promise<void>;
};

let fx: Fixture;
let startedAt: number;

/** An empty database: a new in-memory PGlite, or a new PostgreSQL database next to TEST_DATABASE_URL. */
async function openEmptyDatabase(): Promise<{ handle: DatabaseHandle; drop(): Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { handle: await openDatabase({ kind: 'pglite' }), drop: () => Promise.resolve() };
  const name = `portcullis_every_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const own = new URL(url);
  own.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: own.toString(), poolMax: 4 });
  return {
    handle,
    async drop() {
      await handle.close().catch(() => undefined);
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

async function startInstance(): Promise<Fixture> {
  const [smtp, openai] = await Promise.all([startFakeSmtp(), startFakeOpenAI()]);
  const nextMasterKey = generateMasterKey();
  const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-every-'));
  const config = loadConfig({
    env: {
      PORTCULLIS_DATA_DIR: dataDir,
      GATEWAY_PORT: '0',
      API_PORT: '0',
      MASTER_KEY: generateMasterKey(),
      MASTER_KEY_PREVIOUS: nextMasterKey,
      AUTH_SECRET: randomTokenBase64Url(48),
      LOG_LEVEL: 'warn',
      PUBLIC_URL: ORIGIN,
      SMTP_URL: smtp.url,
      REDIS_URL: process.env.TEST_REDIS_URL ?? '',
      REDIS_PREFIX: `every-${randomTokenBase64Url(6).replace(/[^A-Za-z0-9]/g, 'x')}:`,
    },
  });
  const logLines: string[] = [];
  const announcements: string[] = [];
  const logger = createLogger({ level: config.logLevel, destination: memoryLogDestination(logLines) });
  const database = await openEmptyDatabase();
  // As `portcullis start` on a new install: pending migrations are applied (and audited).
  const runtime = await openRuntime(config, logger, { migrations: 'apply', database: database.handle });
  const services = await startServices(runtime, ['gateway', 'api'], { announce: (line) => announcements.push(line) });
  // The loopback admin endpoint the CLI uses while a server holds the data dir (a test server has
  // no data-dir lock, so it is mounted here, exactly as services.ts mounts it).
  const adminToken = randomTokenBase64Url(32);
  const adminServer = await startHttpServer({
    app: createAdminApp(runtime, adminToken, { services: ['api'] }),
    host: '127.0.0.1',
    port: 0,
    logger: logger.child({ service: 'admin' }),
  });
  const server: TestServer = {
    runtime,
    services,
    gatewayUrl: services.gateway?.url ?? '',
    apiUrl: services.api?.url ?? '',
    logLines,
    announcements,
    async stop() {
      await adminServer.close(1_000);
      await services.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return {
    server,
    smtp,
    openai,
    adminApi: { url: adminServer.url, token: adminToken, close: () => adminServer.close(1_000) },
    nextMasterKey,
    dropDatabase: () => database.drop(),
  };
}

// ------------------------------------------------------------------------------------------------
// HTTP, as a browser or a script would send it

type Res<T = Record<string, unknown>> = { status: number; body: T; text: string; headers: Headers; requestId: string };

/** One request with our user agent and a fresh request id (checked to come back in the response). */
async function request<T = Record<string, unknown>>(
  method: string,
  url: string,
  options: { body?: unknown; cookie?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Res<T>> {
  const requestId = `every-${randomUUID()}`;
  const response = await fetch(url, {
    method,
    headers: {
      'user-agent': USER_AGENT,
      'x-request-id': requestId,
      origin: ORIGIN,
      ...CSRF,
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  expect(response.headers.get('x-request-id'), `${method} ${url}: the api echoes our request id`).toBe(requestId);
  lastCookies = response.headers.getSetCookie();
  return { status: response.status, body: body as T, text, headers: response.headers, requestId };
}
let lastCookies: string[] = [];

/** A cookie jar over the api: what the dashboard is. */
class Browser {
  readonly jar = new Map<string, string>();
  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Res<T>> {
    const cookie = this.jar.size ? [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
    const res = await request<T>(method, fx.server.apiUrl + path, { body, ...(cookie ? { cookie } : {}) });
    for (const set of lastCookies) {
      const [pair, ...attributes] = set.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      if (value === '' || attributes.some((a) => /max-age=0$/i.test(a.trim()))) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return res;
  }
  signIn(email: string, password: string) {
    return this.call('POST', '/api/auth/sign-in/email', { email, password });
  }
}

/** A bearer client (admin token) over the api. */
function tokenClient(token: string) {
  return <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    request<T>(method, fx.server.apiUrl + path, { body, token });
}

/** The loopback admin endpoint, as the CLI calls it; NDJSON answers end with `{"result": …}`. */
async function adminCall(path: string, body: unknown): Promise<Res<unknown> & { result: unknown }> {
  const res = await request<unknown>('POST', fx.adminApi.url + path, { body, token: fx.adminApi.token });
  const lines = res.text.trim().split('\n').filter(Boolean);
  const last = lines.length > 0 ? (JSON.parse(lines[lines.length - 1]!) as { result?: unknown; error?: unknown }) : undefined;
  const result = res.headers.get('content-type')?.includes('ndjson') ? last?.result : res.body;
  if (res.status !== 200 || result === undefined) throw new Error(`admin ${path}: ${res.status} ${res.text}`);
  return { ...res, result };
}

function assertStatus(res: Res<unknown>, status: number): void {
  expect(res.status, res.text).toBe(status);
}

async function mailLink(email: string, prefix: string, after = 0): Promise<string> {
  const mail = await fx.smtp.waitFor(
    (m) => fx.smtp.messages.indexOf(m) >= after && m.to.includes(email) && m.links.some((l) => l.startsWith(`${ORIGIN}${prefix}`)),
  );
  const link = mail.links.find((l) => l.startsWith(`${ORIGIN}${prefix}`))!;
  return decodeURIComponent(link.split('#token=')[1]!);
}

// ------------------------------------------------------------------------------------------------
// Reading the events

type Event = {
  id: string;
  occurredAt: string;
  orgId: string | null;
  actor: { type: string; id: string | null; ip: string | null; userAgent: string | null };
  action: string;
  target: { type: string; id: string | null } | null;
  outcome: string;
  reason: string | null;
  requestId: string | null;
  diff: Record<string, unknown> | null;
  /** Instance events only: whether IP and user agent are stored (read raw, possibly encrypted). */
  stored?: { ip: boolean; userAgent: boolean };
};

/** A reader (admin token, minted by the operator) per org. */
const readers = new Map<string, string>();

async function readerFor(orgId: string): Promise<string> {
  let token = readers.get(orgId);
  if (token === undefined) {
    const [row] = await queryRows<{ name: string }>(fx.server.runtime.database.db, sql`select name from organizations where id = ${orgId}`);
    token = await mintToken(fx.server, { orgName: row!.name } as TestOrg, 'admin', uniqueName('audit-reader'));
    readers.set(orgId, token);
  }
  return token;
}

async function orgEvents(orgId: string, action: string): Promise<Event[]> {
  const reader = await readerFor(orgId);
  const response = await fetch(`${fx.server.apiUrl}/api/orgs/${orgId}/audit/events?action=${encodeURIComponent(action)}&limit=1000`, {
    headers: { authorization: `Bearer ${reader}` },
  });
  const body = (await response.json()) as { events: Omit<Event, 'orgId'>[] };
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body.events.map((e) => ({ ...e, orgId }));
}

type InstanceRow = Record<string, unknown> & {
  id: string;
  occurred_at: Date | string;
  org_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  reason: string | null;
  request_id: string | null;
  diff: Record<string, unknown> | null;
};

/** Instance-chain events, read with the owner connection (no api lists them). */
async function instanceEvents(action: string): Promise<Event[]> {
  const rows = await queryRows<InstanceRow>(
    fx.server.runtime.database.db,
    sql`select * from audit_events where org_id is null and action = ${action} order by seq`,
  );
  // IP and user agent may be stored encrypted (per user): only whether something is stored counts.
  const present = (row: InstanceRow, pattern: RegExp) =>
    Object.entries(row).some(([column, value]) => pattern.test(column) && value !== null && value !== '');
  return rows.map((row) => ({
    id: row.id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    orgId: row.org_id,
    actor: { type: row.actor_type, id: row.actor_id, ip: null, userAgent: null },
    action: row.action,
    target: row.target_type === null ? null : { type: row.target_type, id: row.target_id },
    outcome: row.outcome,
    reason: row.reason,
    requestId: row.request_id,
    diff: row.diff,
    stored: { ip: present(row, /(^|_)ip($|_)/), userAgent: present(row, /user_agent/) },
  }));
}

// ------------------------------------------------------------------------------------------------
// The table

/** What a row's perform learnt: the ids to expect and the secrets that must not be in the diff. */
type Performed = {
  /** The request that caused the event (null: not an HTTP request). */
  requestId: string | null;
  actorId: string | null;
  targetId?: string | null;
  /** Org events: the org (default: the main org). */
  orgId?: string;
  secrets?: string[];
};

type Row = {
  action: AuditAction;
  chain: 'org' | 'instance';
  /** Performed by the instance's start, before any row ran (the database was empty: 0 before). */
  atStart?: boolean;
  perform: () => Promise<Performed>;
  expect: {
    actorType: 'user' | 'token' | 'api_key' | 'system';
    /** Matched instead of Performed.actorId (a system actor's `cli@host`). */
    actorId?: RegExp | null;
    targetType: string | null;
    outcome?: 'success' | 'failure';
    reason?: string | RegExp;
    /** Whether the event came over HTTP with our user agent (default: when requestId is set). */
    http?: boolean;
    /** The org whose chain holds the event, when known only after perform. */
    diff?: Record<string, unknown>;
  };
  /** Events that arrive after perform returns (the gateway's budget alerts). */
  eventually?: boolean;
};

/** State built up by the rows, in order. */
const s = {
  setupLink: '',
  admin: { id: '', email: '', password: '' },
  adminBrowser: new Browser(),
  signedUp: { id: '', email: '' },
  orgId: '',
  orgName: '',
  projectId: '',
  ownerToken: '',
  tokenId: '',
  revokedTokenId: '',
  providerKeyId: '',
  apiKeyId: '',
  invitedEmail: '',
  invitationToken: '',
  invitationId: '',
  memberId: '',
  memberUserId: '',
  second: undefined as TestOrg | undefined,
  twoFactor: { id: '', email: '', uri: '', backupCodes: [] as string[] },
};
const secrets = new Set<string>([PASSWORD, NEW_PASSWORD]);
const keep = (...values: string[]) => {
  for (const v of values) if (v) secrets.add(v);
  return values;
};
const api = (token: string) => tokenClient(token);
const owner = () => api(s.ownerToken);
const adminSession = () => s.adminBrowser;

async function passwordUser(verified = true) {
  const user = await createPasswordUser(fx.server, { password: PASSWORD });
  if (!verified) await fx.server.runtime.database.db.execute(sql`update users set email_verified = false where id = ${user.id}`);
  const browser = new Browser();
  assertStatus(await browser.signIn(user.email, user.password), 200);
  return { ...user, browser };
}

async function memberIdOf(email: string): Promise<{ id: string; userId: string }> {
  const list = await owner()<{ members: { id: string; userId: string; email: string }[] }>('GET', `/api/orgs/${s.orgId}/members`);
  const member = list.body.members.find((m) => m.email === email);
  if (!member) throw new Error(`no member ${email}`);
  return member;
}

async function inviteAndAccept(role = 'developer') {
  const email = `${uniqueName('invitee')}@example.test`;
  const mails = fx.smtp.messages.length;
  const created = await owner()<{ invitation: { id: string } }>('POST', `/api/orgs/${s.orgId}/invitations`, { email, role });
  assertStatus(created, 201);
  const token = await mailLink(email, '/invite#token=', mails);
  keep(token);
  return { email, token, invitationId: created.body.invitation.id };
}

async function totpUser() {
  const user = await passwordUser();
  const enabled = await user.browser.call<{ totpURI: string; backupCodes: string[] }>('POST', '/api/auth/two-factor/enable', {
    password: user.password,
  });
  assertStatus(enabled, 200);
  keep(new URL(enabled.body.totpURI).searchParams.get('secret')!, ...enabled.body.backupCodes);
  return { user, uri: enabled.body.totpURI, backupCodes: enabled.body.backupCodes };
}

async function addPasskeyRow(userId: string, name: string): Promise<string> {
  const id = randomUUID();
  await fx.server.runtime.apiDb.withRole((tx) =>
    tx.insert(passkeys).values({
      id,
      name,
      userId,
      publicKey: 'pQECAyYgASFYIA',
      credentialID: randomUUID(),
      counter: 0,
      deviceType: 'singleDevice',
      backedUp: false,
      transports: 'internal',
    }),
  );
  return id;
}

const cliActor = /^cli@/;
const serverActor = /^server@/;

const ROWS: Row[] = [
  // -------------------------------------------------------------------------- instance
  {
    action: 'instance.migrations_applied',
    chain: 'instance',
    atStart: true,
    // Applied by the start (openRuntime with pending migrations), before any row.
    perform: () => Promise.resolve({ requestId: null, actorId: null, targetId: null }),
    expect: { actorType: 'system', actorId: serverActor, targetType: null, http: false },
  },
  {
    action: 'instance.setup_link_issued',
    chain: 'instance',
    atStart: true,
    // Issued by the start: the instance has no administrator yet.
    perform: () => {
      s.setupLink = fx.server.services.setupLink!;
      expect(s.setupLink).toContain('/setup#token=');
      keep(s.setupLink.split('#token=')[1]!);
      return Promise.resolve({ requestId: null, actorId: null, targetId: null });
    },
    expect: { actorType: 'system', actorId: serverActor, targetType: null, http: false },
  },
  {
    action: 'instance.setup_failed',
    chain: 'instance',
    perform: async () => {
      const res = await request('POST', `${fx.server.apiUrl}/api/setup`, {
        body: { token: 'not-the-token', name: 'Mallory', email: 'mallory@example.test', password: PASSWORD },
      });
      assertStatus(res, 410);
      return { requestId: res.requestId, actorId: null, targetId: null };
    },
    expect: { actorType: 'system', targetType: null, outcome: 'failure', reason: 'invalid_token' },
  },
  {
    action: 'instance.setup_completed',
    chain: 'instance',
    perform: async () => {
      const email = `${uniqueName('admin')}@example.test`;
      const res = await request<{ user: { id: string } }>('POST', `${fx.server.apiUrl}/api/setup`, {
        body: { token: s.setupLink.split('#token=')[1], name: 'Ada Admin', email, password: PASSWORD },
      });
      assertStatus(res, 201);
      s.admin = { id: res.body.user.id, email, password: PASSWORD };
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.admin.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'auth.login',
    chain: 'instance',
    perform: async () => {
      const res = await adminSession().signIn(s.admin.email, s.admin.password);
      assertStatus(res, 200);
      const sessions = await adminSession().call<{ sessions: { id: string; current: boolean }[] }>('GET', '/api/me/sessions');
      return { requestId: res.requestId, actorId: s.admin.id, targetId: sessions.body.sessions.find((x) => x.current)!.id };
    },
    expect: { actorType: 'user', targetType: 'session' },
  },
  {
    action: 'auth.login_failed',
    chain: 'instance',
    perform: async () => {
      const res = await new Browser().signIn(s.admin.email, 'not-the-password-at-all');
      assertStatus(res, 401);
      return { requestId: res.requestId, actorId: null, targetId: s.admin.id, secrets: ['not-the-password-at-all'] };
    },
    expect: { actorType: 'system', targetType: 'user', outcome: 'failure', reason: /./ },
  },
  {
    action: 'instance.signup_mode_changed',
    chain: 'instance',
    perform: async () => {
      const res = await adminSession().call('PUT', '/api/instance/settings', { signupMode: 'open' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: null };
    },
    expect: { actorType: 'user', targetType: 'instance', diff: { signupMode: { from: 'invite_only', to: 'open' } } },
  },
  {
    action: 'auth.signed_up',
    chain: 'instance',
    perform: async () => {
      const email = `${uniqueName('signup')}@example.test`;
      const res = await new Browser().call<{ user: { id: string } }>('POST', '/api/auth/sign-up', {
        email,
        name: 'Sign Up',
        password: PASSWORD,
      });
      assertStatus(res, 201);
      s.signedUp = { id: res.body.user.id, email };
      return { requestId: res.requestId, actorId: res.body.user.id, targetId: res.body.user.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'user.created',
    chain: 'instance',
    perform: async () => {
      const email = `${uniqueName('created')}@example.test`;
      const res = await new Browser().call<{ user: { id: string } }>('POST', '/api/auth/sign-up', {
        email,
        name: 'Created',
        password: PASSWORD,
      });
      assertStatus(res, 201);
      // The new account is its own creator.
      return { requestId: res.requestId, actorId: res.body.user.id, targetId: res.body.user.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  // -------------------------------------------------------------------------- the org and its credentials
  {
    action: 'org.created',
    chain: 'org',
    perform: async () => {
      s.orgName = uniqueName('every');
      const res = await adminSession().call<{ id: string }>('POST', '/api/orgs', { name: s.orgName });
      assertStatus(res, 201);
      s.orgId = res.body.id;
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.orgId, orgId: s.orgId };
    },
    expect: { actorType: 'user', targetType: 'org' },
  },
  {
    action: 'project.created',
    chain: 'org',
    perform: async () => {
      const res = await adminSession().call<{ project: { id: string } }>('POST', `/api/orgs/${s.orgId}/projects`, { name: 'app' });
      assertStatus(res, 201);
      s.projectId = res.body.project.id;
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.projectId };
    },
    expect: { actorType: 'user', targetType: 'project' },
  },
  {
    action: 'project.deleted',
    chain: 'org',
    perform: async () => {
      const made = await adminSession().call<{ project: { id: string } }>('POST', `/api/orgs/${s.orgId}/projects`, { name: 'scratch' });
      assertStatus(made, 201);
      const res = await adminSession().call('DELETE', `/api/orgs/${s.orgId}/projects/${made.body.project.id}`, { confirm: 'scratch' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: made.body.project.id };
    },
    expect: { actorType: 'user', targetType: 'project' },
  },
  {
    action: 'admin_token.created',
    chain: 'org',
    perform: async () => {
      const res = await adminSession().call<{ adminToken: { id: string }; token: string }>('POST', `/api/orgs/${s.orgId}/admin-tokens`, {
        name: 'automation',
        role: 'owner',
      });
      assertStatus(res, 201);
      s.ownerToken = res.body.token;
      s.tokenId = res.body.adminToken.id;
      keep(s.ownerToken);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.tokenId };
    },
    expect: { actorType: 'user', targetType: 'admin_token' },
  },
  {
    action: 'admin_token.revoked',
    chain: 'org',
    perform: async () => {
      const created = await owner()<{ adminToken: { id: string }; token: string }>('POST', `/api/orgs/${s.orgId}/admin-tokens`, {
        name: 'short-lived',
        role: 'viewer',
      });
      assertStatus(created, 201);
      keep(created.body.token);
      s.revokedTokenId = created.body.adminToken.id;
      const res = await owner()('POST', `/api/orgs/${s.orgId}/admin-tokens/${s.revokedTokenId}/revoke`);
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.revokedTokenId };
    },
    expect: { actorType: 'token', targetType: 'admin_token' },
  },
  {
    action: 'admin_token.deleted',
    chain: 'org',
    perform: async () => {
      const res = await owner()('DELETE', `/api/orgs/${s.orgId}/admin-tokens/${s.revokedTokenId}`);
      expect([200, 204]).toContain(res.status);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.revokedTokenId };
    },
    expect: { actorType: 'token', targetType: 'admin_token' },
  },
  {
    action: 'org.updated',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PUT', `/api/orgs/${s.orgId}/security`, { oidcGroupRoles: { engineering: 'developer' } });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.orgId };
    },
    expect: { actorType: 'token', targetType: 'org' },
  },
  {
    action: 'org_secret.updated',
    chain: 'org',
    perform: async () => {
      const res = await owner()<{ secret: string }>('PUT', `/api/orgs/${s.orgId}/budget-webhook`, {
        url: 'https://hooks.example.test/budget',
      });
      assertStatus(res, 200);
      keep(res.body.secret);
      return { requestId: res.requestId, actorId: s.tokenId };
    },
    expect: { actorType: 'token', targetType: 'org_secret' },
  },
  {
    action: 'project.updated',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PUT', `/api/orgs/${s.orgId}/projects/${s.projectId}/limits`, {
        rate: { requestsPerMinute: 600 },
      });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.projectId };
    },
    expect: { actorType: 'token', targetType: 'project' },
  },
  {
    action: 'guardrail_policy.changed',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PUT', `/api/orgs/${s.orgId}/guardrails`, { pii: { actions: { EMAIL: 'redact' } } });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.orgId };
    },
    expect: { actorType: 'token', targetType: 'org' },
  },
  {
    action: 'retention.changed',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PUT', `/api/orgs/${s.orgId}/retention`, { requestLogDays: 14 });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.orgId };
    },
    expect: { actorType: 'token', targetType: 'org' },
  },
  {
    action: 'provider_key.created',
    chain: 'org',
    perform: async () => {
      const res = await owner()<{ providerKey: { id: string } }>('POST', `/api/orgs/${s.orgId}/provider-keys`, {
        provider: 'openai',
        key: fx.openai.apiKey,
        baseUrl: fx.openai.baseUrl,
      });
      assertStatus(res, 201);
      s.providerKeyId = res.body.providerKey.id;
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.providerKeyId, secrets: keep(fx.openai.apiKey) };
    },
    expect: { actorType: 'token', targetType: 'provider_key' },
  },
  {
    action: 'provider_key.updated',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PATCH', `/api/orgs/${s.orgId}/provider-keys/${s.providerKeyId}`, { label: 'openai-main' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.providerKeyId };
    },
    expect: { actorType: 'token', targetType: 'provider_key' },
  },
  {
    action: 'api_key.created',
    chain: 'org',
    perform: async () => {
      const res = await owner()<{ apiKey: { id: string }; key: string }>('POST', `/api/orgs/${s.orgId}/projects/${s.projectId}/api-keys`, {
        name: 'service',
      });
      assertStatus(res, 201);
      s.apiKeyId = res.body.apiKey.id;
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.apiKeyId, secrets: keep(res.body.key) };
    },
    expect: { actorType: 'token', targetType: 'api_key' },
  },
  {
    action: 'api_key.updated',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PATCH', `/api/orgs/${s.orgId}/api-keys/${s.apiKeyId}`, { name: 'service-renamed' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.apiKeyId };
    },
    expect: { actorType: 'token', targetType: 'api_key' },
  },
  {
    action: 'api_key.rotated',
    chain: 'org',
    perform: async () => {
      const res = await owner()<{ key: string }>('POST', `/api/orgs/${s.orgId}/api-keys/${s.apiKeyId}/rotate`, { gracePeriodSeconds: 0 });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.apiKeyId, secrets: keep(res.body.key) };
    },
    expect: { actorType: 'token', targetType: 'api_key' },
  },
  {
    action: 'api_key.revoked',
    chain: 'org',
    perform: async () => {
      const res = await owner()('POST', `/api/orgs/${s.orgId}/api-keys/${s.apiKeyId}/revoke`);
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.apiKeyId };
    },
    expect: { actorType: 'token', targetType: 'api_key' },
  },
  {
    action: 'api_key.deleted',
    chain: 'org',
    perform: async () => {
      const res = await owner()('DELETE', `/api/orgs/${s.orgId}/api-keys/${s.apiKeyId}`);
      expect([200, 204]).toContain(res.status);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.apiKeyId };
    },
    expect: { actorType: 'token', targetType: 'api_key' },
  },
  {
    action: 'budget.alert',
    chain: 'org',
    eventually: true,
    perform: async () => {
      const created = await owner()<{ apiKey: { id: string }; key: string }>(
        'POST',
        `/api/orgs/${s.orgId}/projects/${s.projectId}/api-keys`,
        {
          name: 'metered',
          limits: { usage: [{ metric: 'requests', period: 'daily', limit: 4, alertThresholds: [25] }] },
        },
      );
      assertStatus(created, 201);
      keep(created.body.key);
      const chat = await request('POST', `${fx.server.gatewayUrl}/v1/chat/completions`, {
        token: created.body.key,
        body: { model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'one request, a quarter of the budget' }] },
      });
      assertStatus(chat, 200);
      // The request whose usage crossed the threshold is named in the event.
      return { requestId: chat.requestId, actorId: null, targetId: created.body.apiKey.id };
    },
    // A system actor names its component and host (`gateway@<host>`, `cli@<host>`).
    expect: { actorType: 'system', actorId: /^gateway@.+/, targetType: 'api_key', http: false },
  },
  {
    action: 'provider_key.deleted',
    chain: 'org',
    perform: async () => {
      const res = await owner()('DELETE', `/api/orgs/${s.orgId}/provider-keys/${s.providerKeyId}`);
      expect([200, 204]).toContain(res.status);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.providerKeyId };
    },
    expect: { actorType: 'token', targetType: 'provider_key' },
  },
  // -------------------------------------------------------------------------- people
  {
    action: 'invitation.created',
    chain: 'org',
    perform: async () => {
      s.invitedEmail = `${uniqueName('invited')}@example.test`;
      const mails = fx.smtp.messages.length;
      const res = await adminSession().call<{ invitation: { id: string } }>('POST', `/api/orgs/${s.orgId}/invitations`, {
        email: s.invitedEmail,
        role: 'developer',
      });
      assertStatus(res, 201);
      s.invitationId = res.body.invitation.id;
      s.invitationToken = await mailLink(s.invitedEmail, '/invite#token=', mails);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.invitationId, secrets: keep(s.invitationToken) };
    },
    expect: { actorType: 'user', targetType: 'invitation' },
  },
  {
    action: 'invitation.accepted',
    chain: 'org',
    perform: async () => {
      const res = await new Browser().call('POST', '/api/invitations/accept', {
        token: s.invitationToken,
        name: 'Invited Person',
        password: PASSWORD,
      });
      assertStatus(res, 201);
      const member = await memberIdOf(s.invitedEmail);
      s.memberId = member.id;
      s.memberUserId = member.userId;
      return { requestId: res.requestId, actorId: member.userId, targetId: s.invitationId };
    },
    expect: { actorType: 'user', targetType: 'invitation' },
  },
  {
    action: 'member.added',
    chain: 'org',
    perform: async () => {
      const invited = await inviteAndAccept();
      const res = await new Browser().call('POST', '/api/invitations/accept', {
        token: invited.token,
        name: 'Second Person',
        password: PASSWORD,
      });
      assertStatus(res, 201);
      const member = await memberIdOf(invited.email);
      return { requestId: res.requestId, actorId: member.userId, targetId: member.id };
    },
    expect: { actorType: 'user', targetType: 'member' },
  },
  {
    action: 'member.role_changed',
    chain: 'org',
    perform: async () => {
      const res = await owner()('PATCH', `/api/orgs/${s.orgId}/members/${s.memberId}`, { role: 'viewer' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.memberId };
    },
    expect: { actorType: 'token', targetType: 'member', diff: { role: { from: 'developer', to: 'viewer' } } },
  },
  {
    action: 'member.updated',
    chain: 'org',
    perform: async () => {
      const res = await adminSession().call('PATCH', `/api/orgs/${s.orgId}/members/${s.memberId}`, { projectIds: [s.projectId] });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.memberId };
    },
    expect: { actorType: 'user', targetType: 'member' },
  },
  {
    action: 'member.removed',
    chain: 'org',
    perform: async () => {
      const res = await owner()('DELETE', `/api/orgs/${s.orgId}/members/${s.memberId}`);
      expect([200, 204]).toContain(res.status);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: s.memberId };
    },
    expect: { actorType: 'token', targetType: 'member' },
  },
  {
    action: 'invitation.revoked',
    chain: 'org',
    perform: async () => {
      const email = `${uniqueName('revoked')}@example.test`;
      const created = await owner()<{ invitation: { id: string } }>('POST', `/api/orgs/${s.orgId}/invitations`, { email, role: 'viewer' });
      assertStatus(created, 201);
      const res = await owner()('DELETE', `/api/orgs/${s.orgId}/invitations/${created.body.invitation.id}`);
      expect([200, 204]).toContain(res.status);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: created.body.invitation.id };
    },
    expect: { actorType: 'token', targetType: 'invitation' },
  },
  // -------------------------------------------------------------------------- accounts
  {
    action: 'auth.logout',
    chain: 'instance',
    perform: async () => {
      const user = await passwordUser();
      const res = await user.browser.call('POST', '/api/auth/sign-out', {});
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: user.id };
    },
    expect: { actorType: 'user', targetType: 'session' },
  },
  {
    action: 'session.revoked',
    chain: 'instance',
    perform: async () => {
      const user = await passwordUser();
      const other = new Browser();
      assertStatus(await other.signIn(user.email, user.password), 200);
      const list = await user.browser.call<{ sessions: { id: string; current: boolean }[] }>('GET', '/api/me/sessions');
      const target = list.body.sessions.find((x) => !x.current)!.id;
      const res = await user.browser.call('DELETE', `/api/me/sessions/${target}`);
      assertStatus(res, 204);
      return { requestId: res.requestId, actorId: user.id, targetId: target };
    },
    expect: { actorType: 'user', targetType: 'session' },
  },
  {
    action: 'auth.password_changed',
    chain: 'instance',
    perform: async () => {
      const user = await passwordUser();
      const res = await user.browser.call('POST', '/api/auth/change-password', {
        currentPassword: user.password,
        newPassword: NEW_PASSWORD,
      });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: user.id, targetId: user.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'auth.password_change_failed',
    chain: 'instance',
    perform: async () => {
      const user = await passwordUser();
      const res = await user.browser.call('POST', '/api/auth/change-password', {
        currentPassword: 'not-the-password-at-all',
        newPassword: NEW_PASSWORD,
      });
      expect(res.status).toBeGreaterThanOrEqual(400);
      return { requestId: res.requestId, actorId: user.id, targetId: user.id, secrets: ['not-the-password-at-all'] };
    },
    expect: { actorType: 'user', targetType: 'user', outcome: 'failure', reason: /./ },
  },
  {
    action: 'auth.password_reset_requested',
    chain: 'instance',
    perform: async () => {
      const user = await createPasswordUser(fx.server, { password: PASSWORD });
      const res = await new Browser().call('POST', '/api/auth/request-password-reset', { email: user.email });
      assertStatus(res, 200);
      resetUser = user;
      return { requestId: res.requestId, actorId: null, targetId: user.id };
    },
    expect: { actorType: 'system', targetType: 'user' },
  },
  {
    action: 'auth.password_reset',
    chain: 'instance',
    perform: async () => {
      const token = await mailLink(resetUser!.email, '/reset-password#token=');
      keep(token);
      const res = await new Browser().call('POST', '/api/auth/reset-password', { token, newPassword: NEW_PASSWORD });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: resetUser!.id, targetId: resetUser!.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'auth.email_verification_sent',
    chain: 'instance',
    perform: async () => {
      verifyUser = await passwordUser(false);
      const res = await verifyUser.browser.call('POST', '/api/me/email-verification');
      expect(res.status, res.text).toBeLessThan(300);
      return { requestId: res.requestId, actorId: verifyUser.id, targetId: verifyUser.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'auth.email_verified',
    chain: 'instance',
    perform: async () => {
      const token = await mailLink(verifyUser!.email, '/verify-email#token=');
      keep(token);
      const res = await new Browser().call('POST', '/api/auth/verify-email', { token });
      expect(res.status, res.text).toBeLessThan(300);
      return { requestId: res.requestId, actorId: verifyUser!.id, targetId: verifyUser!.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'two_factor.enabled',
    chain: 'instance',
    perform: async () => {
      const { user, uri, backupCodes } = await totpUser();
      const res = await user.browser.call('POST', '/api/auth/two-factor/verify-totp', { code: await unusedTotp(uri) });
      assertStatus(res, 200);
      s.twoFactor = { id: user.id, email: user.email, uri, backupCodes };
      twoFactorBrowser = user.browser;
      return { requestId: res.requestId, actorId: user.id, targetId: user.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'auth.two_factor_failed',
    chain: 'instance',
    perform: async () => {
      const b = new Browser();
      assertStatus(await b.signIn(s.twoFactor.email, PASSWORD), 200);
      const res = await b.call('POST', '/api/auth/two-factor/verify-totp', { code: totpFromUri(s.twoFactor.uri, 5) });
      assertStatus(res, 401);
      return { requestId: res.requestId, actorId: s.twoFactor.id, targetId: s.twoFactor.id };
    },
    expect: { actorType: 'user', targetType: 'user', outcome: 'failure', reason: /./ },
  },
  {
    action: 'recovery_code.used',
    chain: 'instance',
    perform: async () => {
      const b = new Browser();
      assertStatus(await b.signIn(s.twoFactor.email, PASSWORD), 200);
      const res = await b.call('POST', '/api/auth/two-factor/verify-backup-code', { code: s.twoFactor.backupCodes[0] });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.twoFactor.id, targetId: s.twoFactor.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'two_factor.disabled',
    chain: 'instance',
    perform: async () => {
      const res = await twoFactorBrowser!.call('POST', '/api/auth/two-factor/disable', { password: PASSWORD });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.twoFactor.id, targetId: s.twoFactor.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'recovery_codes.generated',
    chain: 'instance',
    perform: async () => {
      // A passkey-only account: signed in, then its password removed (the session stays).
      const user = await passwordUser();
      await fx.server.runtime.apiDb.withRole((tx) => tx.delete(accounts).where(eq(accounts.userId, user.id)));
      await addPasskeyRow(user.id, 'phone');
      const res = await user.browser.call<{ codes: string[] }>('POST', '/api/me/recovery-codes');
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: user.id, targetId: user.id, secrets: keep(...res.body.codes) };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'passkey.renamed',
    chain: 'instance',
    perform: async () => {
      const user = await passwordUser();
      passkeyOwner = user;
      passkeyId = await addPasskeyRow(user.id, 'old name');
      const res = await user.browser.call('PATCH', `/api/me/passkeys/${passkeyId}`, { name: 'Laptop' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: user.id, targetId: passkeyId };
    },
    // The names are personal data, sealed under the user's key: not compared here.
    expect: { actorType: 'user', targetType: 'passkey' },
  },
  {
    action: 'passkey.removed',
    chain: 'instance',
    perform: async () => {
      const res = await passkeyOwner!.browser.call('DELETE', `/api/me/passkeys/${passkeyId}`);
      assertStatus(res, 204);
      return { requestId: res.requestId, actorId: passkeyOwner!.id, targetId: passkeyId };
    },
    expect: { actorType: 'user', targetType: 'passkey' },
  },
  {
    action: 'user.data_exported',
    chain: 'instance',
    perform: async () => {
      const res = await adminSession().call('GET', '/api/me/export');
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.admin.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  // -------------------------------------------------------------------------- instance administration
  {
    action: 'instance.admin_granted',
    chain: 'instance',
    perform: async () => {
      const res = await adminSession().call('POST', '/api/instance/admins', { userId: s.signedUp.id });
      assertStatus(res, 201);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.signedUp.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'instance.admin_revoked',
    chain: 'instance',
    perform: async () => {
      const res = await adminSession().call('DELETE', `/api/instance/admins/${s.signedUp.id}`);
      assertStatus(res, 204);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.signedUp.id };
    },
    expect: { actorType: 'user', targetType: 'user' },
  },
  {
    action: 'org.plan_changed',
    chain: 'org',
    perform: async () => {
      // An org the instance admin is no member of (their own is refused: own_org_plan).
      s.second = await createOrg(fx.server, 'every-plan');
      const res = await adminSession().call('PUT', `/api/instance/orgs/${s.second.orgId}/plan`, { plan: 'pro' });
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: s.second.orgId, orgId: s.second.orgId };
    },
    expect: { actorType: 'user', targetType: 'org', diff: { plan: { from: 'free', to: 'pro' } } },
  },
  {
    action: 'instance.bootstrap_applied',
    chain: 'instance',
    perform: async () => {
      const res = await adminCall('/admin/bootstrap', {
        document: { orgs: [{ name: uniqueName('every-boot'), projects: [{ name: 'app' }] }] },
      });
      return { requestId: res.requestId, actorId: null, targetId: null };
    },
    expect: { actorType: 'system', actorId: cliActor, targetType: null, http: false },
  },
  // -------------------------------------------------------------------------- the trail, retention and keys
  {
    action: 'audit.exported',
    chain: 'org',
    perform: async () => {
      const res = await owner()('GET', `/api/orgs/${s.orgId}/audit/export?format=jsonl&action=api_key.*`);
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: null };
    },
    expect: { actorType: 'token', targetType: 'audit_log', diff: { format: 'jsonl' } },
  },
  {
    action: 'request_log.exported',
    chain: 'org',
    perform: async () => {
      const res = await owner()('GET', `/api/orgs/${s.orgId}/request-logs/export?format=csv&status=2xx`);
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.tokenId, targetId: null };
    },
    expect: { actorType: 'token', targetType: 'request_log', diff: { format: 'csv', filters: { status: '2xx' } } },
  },
  {
    action: 'access_review.generated',
    chain: 'org',
    perform: async () => {
      const res = await adminSession().call('GET', `/api/orgs/${s.orgId}/access-review`);
      assertStatus(res, 200);
      return { requestId: res.requestId, actorId: s.admin.id, targetId: null };
    },
    expect: { actorType: 'user', targetType: 'access_review' },
  },
  {
    action: 'retention.applied',
    chain: 'org',
    perform: async () => {
      // An org with an event older than its plan keeps (Free: 30 days), pruned by the job every api runs.
      // Its chain starts old (pruning cuts a chain from its start): the org row, then two events of 120 and 90 days ago.
      const old = { orgId: randomUUID(), orgName: uniqueName('every-retention') };
      await fx.server.runtime.apiDb.withTenant(old.orgId, (tx) => tx.insert(organizations).values({ id: old.orgId, name: old.orgName }));
      for (const age of [120, 90])
        await fx.server.runtime.database.db.execute(
          sql`insert into audit_events (org_id, occurred_at, actor_type, action, outcome) values (${old.orgId}, now() - make_interval(days => ${age}), 'system', 'project.updated', 'success')`,
        );
      const { runtime } = fx.server;
      await runRetention({
        db: runtime.apiDb,
        signer: createCheckpointSigner(runtime.secrets.authSecret),
        logger: runtime.logger,
        host: hostname(),
      });
      return { requestId: null, actorId: null, targetId: old.orgId, orgId: old.orgId };
    },
    expect: { actorType: 'system', actorId: serverActor, targetType: 'org', http: false },
  },
  ...(['tenant_key.created', 'tenant_key.deleted', 'tenant_key.rotated'] as const).map((action): Row => ({
    action,
    chain: 'org',
    // `portcullis keys rotate-tenant --org <name>`: each run creates a key, re-encrypts, destroys the old one.
    perform: async () => {
      const res = await adminCall('/admin/keys/rotate-tenant', { org: s.orgName, graceSeconds: 0 });
      const summary = res.result as { activeDataKeyId: string; deletedDataKeyIds: string[] };
      expect(summary.deletedDataKeyIds).toHaveLength(1);
      return {
        requestId: res.requestId,
        actorId: null,
        targetId: action === 'tenant_key.deleted' ? summary.deletedDataKeyIds[0]! : summary.activeDataKeyId,
      };
    },
    expect: { actorType: 'system', actorId: cliActor, targetType: 'tenant_key', http: false },
  })),
  {
    action: 'instance.auth_secret_rotated',
    chain: 'instance',
    // `portcullis keys rotate-auth-secret`: two-factor secrets re-encrypted under AUTH_SECRET (counts only).
    perform: async () => {
      const res = await adminCall('/admin/keys/rotate-auth-secret', {});
      expect(res.result).toMatchObject({ unreadable: 0 });
      return { requestId: res.requestId, actorId: null, targetId: null };
    },
    expect: { actorType: 'system', actorId: cliActor, targetType: null, http: false },
  },
  ...(['tenant_key.rewrapped', 'instance.master_key_rotated'] as const).map((action): Row => ({
    action,
    chain: action === 'tenant_key.rewrapped' ? 'org' : 'instance',
    // `portcullis keys rotate-master` with a new MASTER_KEY (the server's previous key) and the old one as MASTER_KEY_PREVIOUS.
    perform: async () => {
      const { runtime } = fx.server;
      const keyring = createMasterKeyring(parseMasterKey(fx.nextMasterKey), [runtime.keyring.active!]);
      const token = randomTokenBase64Url(32);
      const operator = await startHttpServer({
        app: createAdminApp({ ...runtime, keyring }, token, { services: ['api'] }),
        host: '127.0.0.1',
        port: 0,
        logger: runtime.logger.child({ service: 'admin' }),
      });
      try {
        const res = await request('POST', `${operator.url}/admin/keys/rotate-master`, { body: {}, token });
        assertStatus(res, 200);
        expect(res.text).toContain('"result"');
        return {
          requestId: res.requestId,
          actorId: null,
          targetId: action === 'tenant_key.rewrapped' ? s.orgId : keyring.active!.id,
        };
      } finally {
        await operator.close(1_000);
      }
    },
    expect: {
      actorType: 'system',
      actorId: cliActor,
      targetType: action === 'tenant_key.rewrapped' ? 'org' : 'master_key',
      http: false,
    },
  })),
];

let resetUser: { id: string; email: string } | undefined;
let verifyUser: Awaited<ReturnType<typeof passwordUser>> | undefined;
let twoFactorBrowser: Browser | undefined;
let passkeyOwner: Awaited<ReturnType<typeof passwordUser>> | undefined;
let passkeyId = '';

// ------------------------------------------------------------------------------------------------

beforeAll(async () => {
  startedAt = Date.now();
  fx = await startInstance();
}, 120_000);
afterAll(async () => {
  await fx?.server.stop();
  await fx?.dropDatabase();
  await Promise.all([fx?.smtp.stop(), fx?.openai.close()]);
});

async function eventsOf(row: Row, orgId: string): Promise<Event[]> {
  return row.chain === 'org' ? orgEvents(orgId, row.action) : instanceEvents(row.action);
}

/** Every check of one event; throws (an expect failure) on the first wrong field. */
function checkEvent(row: Row, event: Event, performed: Performed, orgId: string | null, performStarted: number): void {
  const where = `${row.action}: `;
  expect(event.id, `${where}id`).toMatch(UUID);
  expect(event.occurredAt, `${where}occurredAt is UTC`).toMatch(/Z$|\+00:00$/);
  const at = Date.parse(event.occurredAt);
  const earliest = row.atStart ? startedAt : performStarted;
  expect(at, `${where}occurredAt not before the action`).toBeGreaterThanOrEqual(earliest - 2_000);
  expect(at, `${where}occurredAt not after now`).toBeLessThanOrEqual(Date.now() + 2_000);
  expect(event.orgId, `${where}orgId`).toBe(orgId);
  expect(event.action).toBe(row.action);
  expect(event.actor.type, `${where}actor type`).toBe(row.expect.actorType);
  if (row.expect.actorId instanceof RegExp) expect(event.actor.id, `${where}actor id`).toMatch(row.expect.actorId);
  else if (row.expect.actorId === null) expect(event.actor.id, `${where}actor id`).toBeNull();
  else expect(event.actor.id, `${where}actor id`).toBe(performed.actorId);
  const http = row.expect.http ?? performed.requestId !== null;
  if (http) {
    if (row.chain === 'org') {
      expect(event.actor.userAgent, `${where}user agent`).toBe(USER_AGENT);
      expect(event.actor.ip, `${where}actor ip`).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    } else {
      expect(event.stored, `${where}ip and user agent stored`).toEqual({ ip: true, userAgent: true });
    }
  } else if (row.chain === 'org') {
    expect(event.actor.userAgent, `${where}no user agent without a request`).toBeNull();
  }
  if (row.expect.targetType === null) expect(event.target, `${where}target`).toBeNull();
  else {
    expect(event.target?.type, `${where}target type`).toBe(row.expect.targetType);
    if (performed.targetId !== undefined) expect(event.target?.id ?? null, `${where}target id`).toBe(performed.targetId);
    else expect(event.target?.id, `${where}target id`).toBeTruthy();
  }
  const outcome = row.expect.outcome ?? 'success';
  expect(event.outcome, `${where}outcome`).toBe(outcome);
  if (outcome === 'failure') expect(event.reason ?? '', `${where}reason`).toMatch(row.expect.reason ?? /./);
  else if (row.expect.reason !== undefined) expect(event.reason ?? '').toMatch(row.expect.reason);
  // The request id the api returned (and we chose); only HTTP requests have one worth checking.
  if (performed.requestId !== null) expect(event.requestId, `${where}requestId`).toBe(performed.requestId);
  if (row.expect.diff) expect(event.diff, `${where}diff`).toMatchObject(row.expect.diff);
  const diff = JSON.stringify(event.diff ?? {});
  for (const secret of [...secrets, ...(performed.secrets ?? [])]) {
    expect(diff.includes(secret), `${where}diff holds a secret (${createHash('sha256').update(secret).digest('hex').slice(0, 8)})`).toBe(
      false,
    );
  }
}

describe('every documented audit action produces exactly one event with the right fields', () => {
  for (const row of ROWS) {
    it(`${row.action} (${row.chain} chain)`, async () => {
      const defect = KNOWN_DEFECTS[row.action];
      // The org is known before perform for rows in the main org; rows that make their own org start from 0.
      const mainOrg = row.chain === 'org' && s.orgId !== '' ? s.orgId : undefined;
      const before = row.atStart ? 0 : row.chain === 'instance' ? (await instanceEvents(row.action)).length : undefined;
      const beforeMain = mainOrg === undefined ? undefined : (await eventsOf(row, mainOrg)).length;
      const performStarted = Date.now();
      const performed = await row.perform();
      const orgId = row.chain === 'instance' ? null : (performed.orgId ?? s.orgId);
      const countBefore = before ?? (orgId === mainOrg ? beforeMain! : 0);
      const check = async () => {
        const read = () => eventsOf(row, orgId ?? '');
        const events = row.eventually
          ? await eventually(async () => {
              const now = await read();
              return now.length > countBefore ? now : undefined;
            }, 10_000)
          : await read();
        if (row.eventually) await new Promise((r) => setTimeout(r, 300)); // a second alert would be here by now
        const after = row.eventually ? await read() : events;
        expect(after.length - countBefore, `${row.action}: exactly one more event in the ${row.chain} chain`).toBe(1);
        const newest = row.chain === 'org' ? after[0]! : after[after.length - 1]!;
        checkEvent(row, newest, performed, orgId, performStarted);
      };
      if (defect === undefined) await check();
      else {
        const failure = await check().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure, `${row.action} is listed in KNOWN_DEFECTS but now passes: remove it from there`).toBeDefined();
      }
    });
  }
});

describe('coverage', () => {
  it('covers every action in AUDIT_ACTIONS with a row, or says which test covers it', () => {
    const rows = new Set<string>(ROWS.map((r) => r.action));
    const listed = (action: string) => rows.has(action) || action in NOT_COVERED_HERE || action in KNOWN_DEFECTS;
    const missing = AUDIT_ACTIONS.filter((action) => !listed(action));
    expect(missing, 'actions with neither a row nor an entry in NOT_COVERED_HERE').toEqual([]);
    // Entries must name real actions, and a row makes an entry unnecessary.
    for (const action of [...Object.keys(NOT_COVERED_HERE), ...Object.keys(KNOWN_DEFECTS)])
      expect(AUDIT_ACTIONS as readonly string[], `${action} is not an audit action`).toContain(action);
    for (const action of Object.keys(NOT_COVERED_HERE)) {
      expect(rows.has(action), `${action} has a row: remove it from NOT_COVERED_HERE`).toBe(false);
      expect(NOT_COVERED_HERE[action]).toMatch(/test\/[\w./-]+\.test\.ts/);
    }
    expect(new Set(ROWS.map((r) => r.action)).size, 'one row per action').toBe(ROWS.length);
    expect(rows.size / AUDIT_ACTIONS.length).toBeGreaterThanOrEqual(0.8);
  });
});
