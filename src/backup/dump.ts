/**
 * Reads every application table inside one owner transaction (the caller opens it as a snapshot:
 * REPEATABLE READ, READ ONLY) and yields the dump records as JSON text. Rows come through a
 * server-side cursor in pages and leave in records of about RECORD_TARGET_CHARS, so memory stays
 * flat whatever the size of the database.
 */
import { applicationTables, appliedMigrations, ident } from './catalog.js';
import type { OwnerSession } from './owner-session.js';
import { DUMP_FORMAT_VERSION, type Manifest } from './records.js';

const FETCH_ROWS = 500;
const RECORD_TARGET_CHARS = 1024 * 1024;
const CURSOR = 'portcullis_dump';

export async function* dumpRecords(session: OwnerSession, source: 'pglite' | 'postgres'): AsyncGenerator<string> {
  const tables = await applicationTables(session);
  const manifest: Manifest = {
    kind: 'manifest',
    formatVersion: DUMP_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    source,
    migrations: await appliedMigrations(session),
    tables,
  };
  yield JSON.stringify(manifest);
  const rowCounts: Record<string, number> = {};
  for (const table of tables) {
    const values = table.columns.map((c) => `${ident(c.name)}::text`).join(', ');
    // to_json of a text[] is PostgreSQL's own JSON encoding: nothing is parsed or re-encoded here.
    await session.query(
      `declare ${CURSOR} no scroll cursor for select to_json(array[${values}]::text[])::text as r from ${ident(table.name)}`,
    );
    let batch: string[] = [];
    let chars = 0;
    let count = 0;
    const flush = () => {
      const text = `{"kind":"rows","table":${JSON.stringify(table.name)},"rows":[${batch.join(',')}]}`;
      batch = [];
      chars = 0;
      return text;
    };
    for (;;) {
      const page = await session.query<{ r: string }>(`fetch ${FETCH_ROWS} from ${CURSOR}`);
      for (const { r } of page) {
        batch.push(r);
        chars += r.length;
        count++;
        if (chars >= RECORD_TARGET_CHARS) yield flush();
      }
      if (page.length < FETCH_ROWS) break;
    }
    if (batch.length > 0) yield flush();
    await session.query(`close ${CURSOR}`);
    rowCounts[table.name] = count;
  }
  yield JSON.stringify({ kind: 'end', rowCounts });
}
