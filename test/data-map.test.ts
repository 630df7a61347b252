/**
 * The data map (src/governance/data-map.ts) must classify every column of every table, and
 * docs/records-of-processing.md must be what the generator renders from it. A new column or table
 * fails here, by name, until it is classified; a map entry for something that no longer exists
 * fails too.
 */
import { readFileSync } from 'node:fs';
import { getTableColumns, getTableName, is, sql } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import * as schema from '../src/db/schema/index.js';
import { DATA_MAP, DESCRIBED_TABLES } from '../src/governance/data-map.js';
import { RECORDS_OF_PROCESSING_PATH, renderRecordsOfProcessing } from '../src/governance/records-of-processing.js';
import { openTestDatabase, type TestDatabase } from './support/database.js';

/** `table.column` for every column the map classifies. */
function mappedColumns(): string[] {
  return DESCRIBED_TABLES.flatMap((t) => Object.keys(t.entry.columns).map((column) => `${t.name}.${column}`)).sort();
}

/** Columns in one list and not the other, both ways, so a failure names every culprit at once. */
function difference(actual: string[], mapped: string[]): { unclassified: string[]; notInDatabase: string[] } {
  return { unclassified: actual.filter((c) => !mapped.includes(c)), notInDatabase: mapped.filter((c) => !actual.includes(c)) };
}

describe('data map', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('classifies every column of every table of the migrated database, and nothing else', async () => {
    // Drizzle's migration journal lives in its own `drizzle` schema, so public holds only ours.
    // Partitions (request_logs_pYYYYMM, request_logs_default) are storage of their parent table,
    // classified through it.
    const rows = await queryRows<{ table_name: string; column_name: string }>(
      db.handle.db,
      sql`select c.table_name, c.column_name
            from information_schema.columns c
            join pg_tables t on t.schemaname = c.table_schema and t.tablename = c.table_name
            join pg_class r on r.relname = t.tablename and r.relnamespace = 'public'::regnamespace
           where c.table_schema = 'public' and not r.relispartition
           order by c.table_name, c.ordinal_position`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const actual = rows.map((r) => `${r.table_name}.${r.column_name}`).sort();
    expect(difference(actual, mappedColumns())).toEqual({ unclassified: [], notInDatabase: [] });
  });

  it('describes every table of the Drizzle schema, once', () => {
    const schemaTables = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable));
    expect(DESCRIBED_TABLES.map((t) => t.name).sort()).toEqual(schemaTables.map((t) => getTableName(t)).sort());
    expect(Object.keys(DATA_MAP)).toHaveLength(DESCRIBED_TABLES.length);
    const schemaColumns = schemaTables.flatMap((t) => Object.values(getTableColumns(t)).map((c) => `${getTableName(t)}.${c.name}`)).sort();
    expect(difference(schemaColumns, mappedColumns())).toEqual({ unclassified: [], notInDatabase: [] });
  });

  it('gives a lawful basis and data subjects exactly to the tables holding personal data', () => {
    const inconsistent = DESCRIBED_TABLES.filter((t) => {
      const personal = Object.values(t.entry.columns).some((c) => c.personalData);
      return personal !== (t.entry.lawfulBasis !== undefined) || personal !== t.entry.dataSubjects.length > 0;
    }).map((t) => t.name);
    expect(inconsistent).toEqual([]);
  });

  it('has docs/records-of-processing.md up to date (npx tsx scripts/generate-records-of-processing.ts)', () => {
    const committed = readFileSync(new URL(`../${RECORDS_OF_PROCESSING_PATH}`, import.meta.url), 'utf8');
    expect(committed).toBe(renderRecordsOfProcessing());
  });
});
