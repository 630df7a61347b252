/** The two operations on a backup file, as the CLI and the tests run them (transport: backup-file.ts). */
import type { DatabaseHandle } from '../db/open.js';
import { readBackupRecords, verifyBackupFile, writeBackupFile } from './backup-file.js';
import { dumpRecords } from './dump.js';
import { loadRecords, type LoadOptions, type LoadResult } from './load.js';
import { withOwnerTransaction } from './owner-session.js';

/** Writes an encrypted backup of one snapshot of `handle` to `out` (`-`: stdout); returns the rows per table. */
export async function backupDatabase(handle: DatabaseHandle, out: string, key: Buffer): Promise<Record<string, number>> {
  let rowCounts: Record<string, number> = {};
  async function* plaintexts(texts: AsyncIterable<string>): AsyncGenerator<Buffer> {
    for await (const text of texts) {
      if (text.startsWith('{"kind":"end"')) rowCounts = (JSON.parse(text) as { rowCounts: Record<string, number> }).rowCounts;
      yield Buffer.from(text, 'utf8');
    }
  }
  await withOwnerTransaction(handle, 'snapshot', (session) => writeBackupFile(out, key, plaintexts(dumpRecords(session, handle.kind))));
  return rowCounts;
}

/** Checks every record of the file first (nothing is written when one fails), then loads it. */
export async function restoreBackupFile(handle: DatabaseHandle, file: string, key: Buffer, options: LoadOptions): Promise<LoadResult> {
  await verifyBackupFile(file, key);
  async function* texts(): AsyncGenerator<string> {
    for await (const record of readBackupRecords(file, key)) yield record.toString('utf8');
  }
  return loadRecords(handle, texts(), options);
}
