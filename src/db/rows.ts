import type { SQL } from 'drizzle-orm';
import type { DbOrTx } from './types.js';

/** Both drivers return `{ rows }` from execute(); this narrows that to a typed array. */
export async function queryRows<T extends Record<string, unknown>>(tx: DbOrTx, query: SQL): Promise<T[]> {
  const result: unknown = await tx.execute(query);
  const rows = (result as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) throw new Error('database driver returned no rows array');
  return rows as T[];
}

export async function queryOne<T extends Record<string, unknown>>(tx: DbOrTx, query: SQL): Promise<T | undefined> {
  const rows = await queryRows<T>(tx, query);
  return rows[0];
}
