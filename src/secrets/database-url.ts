/**
 * A rotated DATABASE_URL password, picked up for new connections. node-postgres' Pool keeps its
 * options object and builds every new client from it (parsing `connectionString` each time), so
 * replacing `connectionString` there changes the credentials of the next connection; connections
 * already open stay authenticated (PostgreSQL does not end sessions when a password changes) and
 * are replaced as the pool recycles them. Only credentials are followed: a URL that now names
 * another host, port, database or options would leave the pool talking to two servers, so that
 * needs a restart.
 */
import type pg from 'pg';
import type { Logger } from '../logging/logger.js';
import type { SecretValues } from './secret-values.js';

export function sameDatabaseTarget(a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false;
  const x = new URL(a);
  const y = new URL(b);
  return x.host === y.host && x.pathname === y.pathname && x.search === y.search && x.protocol === y.protocol;
}

export function followDatabaseUrl(pool: pg.Pool, values: SecretValues, logger: Logger): () => void {
  return values.onChange('DATABASE_URL', ({ value, previous }) => {
    if (!sameDatabaseTarget(value, previous)) {
      logger.warn({ variable: 'DATABASE_URL' }, 'DATABASE_URL now names a different server, database or options: restart to use it');
      return;
    }
    pool.options.connectionString = value;
    logger.info({ variable: 'DATABASE_URL' }, 'database credentials rotated: new connections use them');
  });
}
