/**
 * The checklist items `portcullis doctor` reads from the database: the connection's encryption,
 * whether row-level security applies (doctor-rls-checks.ts), and per org the accounts and settings
 * an auditor asks about (admins without a second factor, API keys and members unused for 90 days,
 * rate limits, guardrails).
 *
 * Runs on the owner connection doctor (or the running server's admin endpoint) already holds, but
 * never reads tenant tables as the owner: orgs are listed through the existing SECURITY DEFINER
 * `portcullis_retention_targets()`, and each org is read inside withTenant as portcullis_api, the
 * same role and row-level security the access review runs under.
 */
import { and, eq, gt, inArray, isNull, max, or, sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/open.js';
import { queryOne, queryRows } from '../db/rows.js';
import { apiKeys, guardrailPolicies, instanceAdmins, organizations, passkeys, projects, requestLogs, users } from '../db/schema/index.js';
import { createScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import { guardrailOverrideSchema } from '../guardrails/engine/policy.js';
import { buildAccessReview, isInactive } from '../tenancy/access-review.js';
import { orgLimitsSchema } from '../tenancy/limits.js';
import type { Config } from './load.js';
import { authSecretChecks, type AuthSecrets } from './doctor-auth-secret-checks.js';
import type { Check } from './production-checks.js';
import { rowLevelSecurityChecks } from './doctor-rls-checks.js';

export const STALE_DAYS = 90;
const DAY_MS = 86_400_000;
const LISTED = 5;

/** "a, b, c and 4 more": names enough to act on without flooding the terminal. */
function listed(names: string[]): string {
  if (names.length <= LISTED) return names.join(', ');
  return `${names.slice(0, LISTED).join(', ')} and ${names.length - LISTED} more`;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** sslmode values with which libpq and node-postgres refuse to talk in clear. */
const SSL_MODES = new Set(['require', 'verify-ca', 'verify-full', 'no-verify']);

export async function databaseSslCheck(handle: DatabaseHandle, databaseUrl: string | undefined, production: boolean): Promise<Check> {
  const base = {
    id: 'database-ssl',
    title: 'The database connection is encrypted',
    fix: 'add ?sslmode=verify-full (or require) to DATABASE_URL and enable SSL on the server',
  };
  if (handle.kind === 'pglite' || databaseUrl === undefined)
    return { ...base, ok: true, detail: 'embedded: not applicable (no network connection)', level: 'recommended' };
  const url = new URL(databaseUrl);
  const sslmode = url.searchParams.get('sslmode');
  if (sslmode !== null && SSL_MODES.has(sslmode)) return { ...base, ok: true, detail: `sslmode=${sslmode}`, level: 'recommended' };
  // Without sslmode the driver may still have negotiated SSL (ssl=true, PGSSLMODE): ask the server about this connection.
  const row = await queryOne<{ ssl: boolean | null }>(handle.db, sql`select ssl from pg_stat_ssl where pid = pg_backend_pid()`).catch(
    () => undefined,
  );
  if (row?.ssl === true) return { ...base, ok: true, detail: 'SSL negotiated (pg_stat_ssl)', level: 'recommended' };
  const host = url.hostname || url.searchParams.get('host') || '';
  if (LOOPBACK.has(host) || host.startsWith('127.') || host.startsWith('/'))
    return {
      ...base,
      ok: true,
      detail: `not encrypted, but on loopback (${host}): the traffic does not leave the host`,
      level: 'recommended',
    };
  return {
    ...base,
    ok: false,
    detail: `plain connection to ${host}${sslmode ? ` (sslmode=${sslmode})` : ''}: passwords and data cross the network in clear`,
    level: production ? 'required' : 'recommended',
  };
}

type OrgFacts = {
  name: string;
  /** Emails of owners and admins with neither TOTP nor a passkey. */
  weakAdmins: string[];
  inactiveMembers: string[];
  staleKeys: string[];
  rateLimited: boolean;
  /** Scopes (the org, or org/project) whose policy turns off secret or PII detection. */
  guardrailsOff: string[];
};

/** Last use per key from the request logs, as the keys api derives it: the gateway never writes to api_keys. */
async function lastUseByKey(tx: Tx, keyIds: string[]): Promise<Map<string, Date>> {
  if (keyIds.length === 0) return new Map();
  const rows = await tx
    .select({ id: requestLogs.apiKeyId, at: max(requestLogs.createdAt) })
    .from(requestLogs)
    .where(inArray(requestLogs.apiKeyId, keyIds))
    .groupBy(requestLogs.apiKeyId);
  return new Map(rows.flatMap((r) => (r.id !== null && r.at ? [[r.id, r.at] as const] : [])));
}

async function orgFacts(tx: Tx, orgId: string, now: Date): Promise<OrgFacts> {
  const cutoff = new Date(now.getTime() - STALE_DAYS * DAY_MS);
  const [org] = await tx
    .select({ name: organizations.name, settings: organizations.settings })
    .from(organizations)
    .where(eq(organizations.id, orgId));
  const name = org?.name ?? orgId;
  const review = await buildAccessReview(tx, orgId, STALE_DAYS, now);

  const keys = await tx
    .select({ id: apiKeys.id, name: apiKeys.name, createdAt: apiKeys.createdAt, project: projects.name })
    .from(apiKeys)
    .innerJoin(projects, eq(projects.id, apiKeys.projectId))
    .where(and(isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now))));
  const lastUse = await lastUseByKey(
    tx,
    keys.map((k) => k.id),
  );
  // Creation counts like joining does in the access review: a key made last week is not stale for never being used yet.
  const staleKeys = keys
    .filter((k) => isInactive([lastUse.get(k.id) ?? null, k.createdAt], cutoff))
    .map((k) => `${name}/${k.project}/${k.name}`);

  const limits = orgLimitsSchema.safeParse((org?.settings as { limits?: unknown } | undefined)?.limits ?? {});
  const rateLimited = limits.success && (limits.data.rate.requestsPerMinute !== null || limits.data.rate.tokensPerMinute !== null);

  const projectNames = new Map((await tx.select({ id: projects.id, name: projects.name }).from(projects)).map((p) => [p.id, p.name]));
  const policies = await tx.select({ projectId: guardrailPolicies.projectId, config: guardrailPolicies.config }).from(guardrailPolicies);
  const guardrailsOff = policies
    .filter((p) => {
      // No row means the defaults, which detect secrets and PII; an unreadable row is reported rather than trusted.
      const parsed = guardrailOverrideSchema.safeParse(p.config);
      return !parsed.success || parsed.data.secrets?.enabled === false || parsed.data.pii?.enabled === false;
    })
    .map((p) => (p.projectId === null ? name : `${name}/${projectNames.get(p.projectId) ?? p.projectId}`));

  return {
    name,
    weakAdmins: review.members
      .filter((m) => (m.role === 'owner' || m.role === 'admin') && !m.twoFactor && m.passkeys === 0)
      .map((m) => `${m.email} (${name})`),
    inactiveMembers: review.members.filter((m) => m.inactive).map((m) => `${m.email} (${name})`),
    staleKeys,
    rateLimited,
    guardrailsOff,
  };
}

/** Instance admins can reach every org: they need a second factor as much as org owners do. */
async function weakInstanceAdmins(tx: Tx): Promise<string[]> {
  const rows = await tx
    .select({ email: users.email, twoFactor: users.twoFactorEnabled, passkeys: sql<number>`count(${passkeys.id})::int` })
    .from(instanceAdmins)
    .innerJoin(users, eq(users.id, instanceAdmins.userId))
    .leftJoin(passkeys, eq(passkeys.userId, users.id))
    .groupBy(users.id, users.email, users.twoFactorEnabled);
  return rows.filter((r) => r.twoFactor !== true && Number(r.passkeys) === 0).map((r) => `${r.email} (instance admin)`);
}

export async function databaseAccountChecks(handle: DatabaseHandle, production: boolean, now = new Date()): Promise<Check[]> {
  const api = createScopedDatabase(handle.db, 'api');
  const orgIds = (
    await api.withRole((tx) => queryRows<{ org_id: string }>(tx, sql`select org_id from portcullis_retention_targets()`))
  ).map((r) => r.org_id);
  const facts: OrgFacts[] = [];
  for (const orgId of orgIds) facts.push(await api.withTenant(orgId, (tx) => orgFacts(tx, orgId, now)));
  const instanceAdminsWeak = await api.withRole(weakInstanceAdmins);

  const weakAdmins = [...instanceAdminsWeak, ...facts.flatMap((f) => f.weakAdmins)];
  const inactive = facts.flatMap((f) => f.inactiveMembers);
  const stale = facts.flatMap((f) => f.staleKeys);
  const unlimited = facts.filter((f) => !f.rateLimited).map((f) => f.name);
  const guardrailsOff = facts.flatMap((f) => f.guardrailsOff);
  const none = orgIds.length === 0 ? 'no organizations yet' : 'none';
  return [
    {
      id: 'admins-2fa',
      title: 'Every owner and admin has two-factor authentication or a passkey',
      ok: weakAdmins.length === 0,
      detail: weakAdmins.length === 0 ? none : `${weakAdmins.length} without: ${listed(weakAdmins)}`,
      fix: 'have them enrol TOTP or a passkey (Account → Security), or lower their role',
      level: production ? 'required' : 'recommended',
    },
    {
      id: 'api-keys-unused',
      title: `No API key unused for ${STALE_DAYS} days`,
      ok: stale.length === 0,
      detail: stale.length === 0 ? none : `${stale.length} unused: ${listed(stale)}`,
      fix: 'revoke keys nobody uses (`portcullis keys revoke --org … --key-id …`)',
      level: 'recommended',
    },
    {
      id: 'members-inactive',
      title: `No member inactive for ${STALE_DAYS} days`,
      ok: inactive.length === 0,
      detail: inactive.length === 0 ? none : `${inactive.length} inactive: ${listed(inactive)}`,
      fix: "review each org's access review (Members → Access review) and remove members who no longer need access",
      level: 'recommended',
    },
    {
      id: 'rate-limits',
      title: 'Every org has a rate limit',
      ok: unlimited.length === 0,
      detail: unlimited.length === 0 ? none : `${unlimited.length} org(s) without an org-wide rate limit: ${listed(unlimited)}`,
      fix: "set requests or tokens per minute in each org's limits (settings.limits.rate)",
      level: 'recommended',
    },
    {
      id: 'guardrails',
      title: 'Guardrails detect secrets and PII',
      ok: guardrailsOff.length === 0,
      detail:
        guardrailsOff.length === 0
          ? orgIds.length === 0
            ? none
            : 'on in every org and project'
          : `turned off or unreadable in: ${listed(guardrailsOff)}`,
      fix: 'enable secret and PII detection in the guardrail policy of each listed org or project',
      level: 'recommended',
    },
  ];
}

/** `secrets`: AUTH_SECRET and AUTH_SECRET_PREVIOUS, when known (not before a first start generated one). */
export async function databaseChecks(
  handle: DatabaseHandle,
  config: Pick<Config, 'databaseUrl' | 'production'>,
  secrets?: AuthSecrets,
  now = new Date(),
): Promise<Check[]> {
  return [
    await databaseSslCheck(handle, config.databaseUrl, config.production),
    ...(await rowLevelSecurityChecks(handle)),
    ...(await databaseAccountChecks(handle, config.production, now)),
    ...(secrets ? await authSecretChecks(handle, secrets) : []),
  ];
}
