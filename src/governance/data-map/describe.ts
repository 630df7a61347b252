import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { ColumnEntry, DescribedTable, SqlColumnName, TableEntry } from './types.js';

/**
 * Attaches a description to a Drizzle table. The column keys are typed from the table itself, so
 * a column left out, misspelt or no longer in the schema fails `tsc`; the test then checks the
 * schema against the migrated database.
 */
export function describeTable<T extends PgTable>(table: T, entry: TableEntry<SqlColumnName<T>>): DescribedTable {
  return { table, name: getTableName(table), entry };
}

/** Columns that recur across tables, described once so they read the same everywhere. */
export const common = {
  rowId: (what: string): ColumnEntry => ({ category: 'identifier', personalData: false, description: `Random key of the ${what}.` }),
  orgId: (): ColumnEntry => ({
    category: 'identifier',
    personalData: false,
    description: 'The org (tenant) the row belongs to; the row-level security key.',
  }),
  projectId: (): ColumnEntry => ({ category: 'identifier', personalData: false, description: 'The project the row belongs to.' }),
  tenantKeyId: (): ColumnEntry => ({
    category: 'identifier',
    personalData: false,
    description: 'The org data key (tenant_keys) the ciphertext is sealed under.',
  }),
  userId: (): ColumnEntry => ({ category: 'identifier', personalData: true, description: 'The user (person) the row belongs to.' }),
  createdAt: (personalData = false): ColumnEntry => ({ category: 'operational', personalData, description: 'When the row was created.' }),
  updatedAt: (personalData = false): ColumnEntry => ({ category: 'operational', personalData, description: 'When the row last changed.' }),
  time: (description: string, personalData = false): ColumnEntry => ({ category: 'operational', personalData, description }),
  operational: (description: string, personalData = false): ColumnEntry => ({ category: 'operational', personalData, description }),
} as const;
