/**
 * The doctor checks that row-level security applies: on a fresh PostgreSQL database
 * (TEST_DATABASE_URL) they pass as migrated and fail, naming the role or table and the fix, once a
 * tenant query role may bypass RLS or a tenant table stops forcing it. Roles are cluster-wide and
 * shared by every test database, so each change is made inside a transaction the check runs in
 * and that is rolled back: no other connection ever sees it.
 */
import { sql, TransactionRollbackError } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowLevelSecurityChecks, tenantRoleBypassCheck, tenantTableRlsCheck } from '../src/config/doctor-rls-checks.js';
import type { Check } from '../src/config/production-checks.js';
import type { Tx } from '../src/db/types.js';
import { openIsolatedTestDatabase, openTestDatabase, usingPostgres, type TestDatabase } from './support/database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = usingPostgres ? await openIsolatedTestDatabase() : await openTestDatabase();
});

afterAll(async () => {
  await db.close();
});

/** Runs `change` then `check` on one transaction, then rolls it back whatever happened. */
async function checkAfter(change: string, check: (tx: Tx) => Promise<Check>): Promise<Check> {
  let result: Check | undefined;
  try {
    await db.handle.db.transaction(async (tx) => {
      await tx.execute(sql.raw(change));
      result = await check(tx);
      tx.rollback();
    });
  } catch (error) {
    if (!(error instanceof TransactionRollbackError)) throw error;
  }
  if (!result) throw new Error('the check did not run');
  return result;
}

describe.skipIf(!usingPostgres)('doctor row-level security checks on PostgreSQL', () => {
  it('pass on a freshly migrated database, although the test login is a superuser', async () => {
    const [roles, tables] = await rowLevelSecurityChecks(db.handle);
    expect(roles).toMatchObject({ id: 'rls-roles', ok: true, level: 'required' });
    expect(roles!.detail).toContain('portcullis_api, portcullis_gateway, portcullis_definer');
    expect(tables).toMatchObject({ id: 'rls-tables', ok: true, level: 'required' });
  });

  it('fail naming portcullis_api and the ALTER ROLE fix once it has BYPASSRLS', async () => {
    const check = await checkAfter('alter role portcullis_api bypassrls', tenantRoleBypassCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('portcullis_api is BYPASSRLS');
    expect(check.detail).not.toContain('portcullis_gateway');
    expect(check.fix).toContain('ALTER ROLE portcullis_api NOBYPASSRLS;');
  });

  it('fail naming a superuser gateway role', async () => {
    const check = await checkAfter('alter role portcullis_gateway superuser', tenantRoleBypassCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('portcullis_gateway is SUPERUSER');
    expect(check.fix).toContain('ALTER ROLE portcullis_gateway NOSUPERUSER;');
  });

  it('fail naming the SECURITY DEFINER owner when it may bypass RLS', async () => {
    const check = await checkAfter('alter role portcullis_definer bypassrls', tenantRoleBypassCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('portcullis_definer is BYPASSRLS');
  });

  it('fail naming a tenant table whose row-level security is no longer forced', async () => {
    const check = await checkAfter('alter table api_keys no force row level security', tenantTableRlsCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('api_keys (not forced)');
    expect(check.fix).toContain('ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;');
  });

  it('fail naming a tenant table without row-level security', async () => {
    const check = await checkAfter('alter table request_bodies disable row level security', tenantTableRlsCheck);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('request_bodies (not enabled)');
  });

  it('leave nothing behind: the roles and tables pass again after the rollbacks', async () => {
    const checks = await rowLevelSecurityChecks(db.handle);
    expect(checks.map((c) => [c.id, c.ok])).toEqual([
      ['rls-roles', true],
      ['rls-tables', true],
    ]);
  });
});

describe.skipIf(usingPostgres)('doctor row-level security checks on the embedded database', () => {
  it('pass as not applicable', async () => {
    const checks = await rowLevelSecurityChecks(db.handle);
    expect(checks).toHaveLength(2);
    for (const check of checks) expect(check).toMatchObject({ ok: true, detail: expect.stringContaining('not applicable') as string });
  });
});
