/**
 * Runs once per `vitest run`: migrates the test database. On PGlite (the default) it migrates a
 * fresh in-memory database once and snapshots it with dumpDataDir, so each test file starts from
 * the snapshot in ~1 s instead of running initdb + migrations (2.5–15 s). On PostgreSQL
 * (TEST_DATABASE_URL) it migrates that database; tests then isolate themselves by creating their
 * own orgs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/open.js';
import { runMigrations } from '../../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshotPath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    const handle = await openDatabase({ kind: 'postgres', url });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
    project.provide('pgliteSnapshotPath', '');
    return () => undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-test-'));
  const handle = await openDatabase({ kind: 'pglite' });
  try {
    await runMigrations(handle);
    if (handle.kind !== 'pglite') throw new Error('unreachable');
    const snapshot = await handle.client.dumpDataDir('none');
    const path = join(dir, 'snapshot.tar');
    writeFileSync(path, Buffer.from(await snapshot.arrayBuffer()));
    project.provide('pgliteSnapshotPath', path);
  } finally {
    await handle.close();
  }
  return () => rmSync(dir, { recursive: true, force: true });
}
