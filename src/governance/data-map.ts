/**
 * The data map: every column of every table, classified (GDPR Art. 30 record of processing). The
 * per-area files are typed against the Drizzle schema (a column left out fails `tsc`);
 * test/data-map.test.ts checks the schema against the migrated database, and
 * docs/records-of-processing.md is rendered from here (scripts/generate-records-of-processing.ts).
 */
import { auditTables } from './data-map/audit.js';
import { authTables } from './data-map/auth.js';
import { credentialTables } from './data-map/credentials.js';
import { gatewayTables } from './data-map/gateway.js';
import { instanceTables } from './data-map/instance.js';
import { tenancyTables } from './data-map/tenancy.js';
import type { DescribedTable, TableEntry } from './data-map/types.js';

export * from './data-map/types.js';

/** In the order the records of processing present them: people first, then tenants, then what the gateway writes. */
export const DESCRIBED_TABLES: readonly DescribedTable[] = [
  ...authTables,
  ...instanceTables,
  ...tenancyTables,
  ...credentialTables,
  ...gatewayTables,
  ...auditTables,
];

/** The map keyed by SQL table name. */
export const DATA_MAP: Readonly<Record<string, TableEntry>> = Object.fromEntries(DESCRIBED_TABLES.map((t) => [t.name, t.entry]));
