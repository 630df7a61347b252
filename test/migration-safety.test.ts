/**
 * Expand/contract: a migration must not break the previous release while it still serves. The
 * first release line starts after migration 0026 (0000–0026 were written before any deployment
 * could run two versions side by side); every later migration is checked.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsafeStatements } from '../src/db/migration-safety.js';
import { repoRoot } from './support/cli.js';

const FIRST_CHECKED_MIGRATION = 27;
const migrationsDir = join(repoRoot, 'src/db/migrations');

describe('unsafeStatements', () => {
  it.each([
    ['ALTER TABLE "projects" DROP COLUMN "settings";', 'drop column'],
    ['DROP TABLE "request_bodies";', 'drop table'],
    ['ALTER TABLE "projects" RENAME COLUMN "name" TO "title";', 'rename'],
    ['ALTER TABLE projects RENAME TO workspaces;', 'rename'],
    ['ALTER TABLE "api_keys" ALTER COLUMN "name" SET DATA TYPE varchar(20);', 'column type change'],
    ['ALTER TABLE "api_keys" ALTER COLUMN "name" TYPE varchar(20);', 'column type change'],
    ['ALTER TABLE "api_keys" ALTER COLUMN "owner_id" SET NOT NULL;', 'set not null'],
    ['ALTER TABLE "api_keys" ADD COLUMN "tier" text NOT NULL;', 'add a NOT NULL column without a default'],
    ['DROP FUNCTION portcullis_lookup_api_key(text);', 'drop function'],
  ])('flags %s', (statement, rule) => {
    const found = unsafeStatements(statement);
    expect(found.map((f) => f.rule.split(' (')[0])).toContain(rule);
  });

  it.each([
    'ALTER TABLE "api_keys" ADD COLUMN "tier" text;',
    'ALTER TABLE "api_keys" ADD COLUMN "tier" text DEFAULT \'free\' NOT NULL;',
    'CREATE TABLE "things" ("id" uuid PRIMARY KEY NOT NULL, "name" text NOT NULL);',
    'CREATE INDEX "things_name_idx" ON "things" USING btree ("name");',
    'ALTER TABLE "api_keys" ALTER COLUMN "owner_id" DROP NOT NULL;',
    '-- we no longer drop table x here\nSELECT 1;',
  ])('lets an expand step through: %s', (statement) => {
    expect(unsafeStatements(statement)).toEqual([]);
  });

  it('ignores what a function body does when it is called later', () => {
    const migration = `CREATE FUNCTION prune() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  EXECUTE format('DROP TABLE %I', 'request_logs_p202001');
END;
$fn$;`;
    expect(unsafeStatements(migration)).toEqual([]);
  });

  it('accepts a contract step only with a stated reason', () => {
    const drop = 'ALTER TABLE "projects" DROP COLUMN "legacy";';
    expect(unsafeStatements(`-- portcullis:contract\n${drop}`)).toHaveLength(1);
    expect(unsafeStatements(`-- portcullis:contract 1.4 stopped reading projects.legacy; 1.5 drops it\n${drop}`)).toEqual([]);
  });
});

describe('migrations of the release line', () => {
  const files = readdirSync(migrationsDir)
    .filter((f) => /^\d{4}_.*\.sql$/.test(f))
    .sort();

  it('finds the migrations it checks', () => {
    expect(files.length).toBeGreaterThanOrEqual(FIRST_CHECKED_MIGRATION);
  });

  it('has no unsafe statement outside a declared contract step', () => {
    const problems = files
      .filter((f) => Number(f.slice(0, 4)) >= FIRST_CHECKED_MIGRATION)
      .flatMap((f) => unsafeStatements(readFileSync(join(migrationsDir, f), 'utf8')).map((u) => `${f}: ${u.rule}: ${u.statement}`));
    expect(problems).toEqual([]);
  });
});
