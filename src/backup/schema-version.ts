/**
 * A restore loads rows into the schema they were dumped from, then migrates forward: a backup from
 * an older Portcullis restores through this build's later migrations, like any upgrade. A backup
 * from a newer build (a migration this build does not know) is refused.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectedMigrations, runMigrations } from '../db/migrate.js';
import type { DatabaseHandle } from '../db/open.js';
import { migrationsFolder } from '../paths.js';

export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

/** How many of this build's migrations the backup had applied; throws when it had others or skipped one. */
export function backupSchemaPosition(backupMigrations: readonly number[]): number {
  const known = expectedMigrations();
  backupMigrations.forEach((when, index) => {
    if (known[index]?.when !== when) {
      throw new SchemaVersionError(
        known.some((m) => m.when === when)
          ? 'the backup has a migration history this build does not recognise (a migration missing or out of order)'
          : `the backup comes from a newer schema than this Portcullis knows (migration ${index + 1} of the backup is not in this build): restore it with the version that made it, or newer`,
      );
    }
  });
  return backupMigrations.length;
}

/** Applies this build's first `count` migrations (those not yet applied). */
export async function migrateToPosition(handle: DatabaseHandle, count: number): Promise<void> {
  const known = expectedMigrations();
  if (count === known.length) return runMigrations(handle);
  if (count === 0) return;
  const folder = mkdtempSync(join(tmpdir(), 'portcullis-migrations-'));
  try {
    mkdirSync(join(folder, 'meta'));
    const journal = JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.slice(0, count);
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
    for (const entry of journal.entries) copyFileSync(join(migrationsFolder, `${entry.tag}.sql`), join(folder, `${entry.tag}.sql`));
    await runMigrations(handle, folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
