/**
 * Everything an org holds, as JSON Lines (`{"type": "...", ...}` per line): its configuration
 * first, then its activity. Secrets never: no key hash, no ciphertext, no data key. Read in pages
 * (one short transaction each, under the org's row-level security), pulled by the consumer.
 */
import type { MasterKeyring } from '../../crypto/master-keyring.js';
import type { ScopedDatabase } from '../../db/tenant.js';
import { activityRecords } from './activity.js';
import { configurationRecords, type ExportRecord } from './configuration.js';

export type { ExportRecord } from './configuration.js';
export { ndjsonStream } from './stream.js';

/** The record types, in the order they appear. */
export const ORG_EXPORT_RECORD_TYPES = [
  'organization',
  'project',
  'member',
  'invitation',
  'api_key',
  'admin_token',
  'provider_key',
  'guardrail_policy',
  'request_log',
  'guardrail_event',
  'usage',
  'audit_event',
] as const;

export type OrgExportOptions = { bodies: boolean; keyring: MasterKeyring; throughSeq: number };

export async function* orgExportRecords(db: ScopedDatabase, orgId: string, options: OrgExportOptions): AsyncGenerator<ExportRecord[]> {
  yield* configurationRecords(db, orgId);
  yield* activityRecords(db, orgId, options);
}
