/**
 * What reacts to a refreshed secret in a running process. Only DATABASE_URL (on PostgreSQL) is
 * followed live today; every other secret is read once into the service that uses it (session
 * signing, OAuth clients, SMTP and Redis connections, the master keyring), so a change is logged
 * with "restart to apply" unless another part of the code has registered a listener for it.
 */
import type { VariableName } from '../config/variables.js';
import type { DatabaseHandle } from '../db/open.js';
import type { Logger } from '../logging/logger.js';
import { followDatabaseUrl } from './database-url.js';
import type { SecretValues } from './secret-values.js';

export function wireSecretConsumers(values: SecretValues, deps: { database: DatabaseHandle; logger: Logger }): void {
  if (deps.database.kind === 'postgres') followDatabaseUrl(deps.database.pool, values, deps.logger);
  for (const name of values.names()) {
    const fallback = ({ name: variable }: { name: VariableName }) => {
      // Only this listener: nothing in the process can use the new value without a restart.
      if (values.listenerCount(variable) === 1)
        deps.logger.warn({ variable }, 'secret changed: restart (or roll the deployment) to use the new value');
    };
    if (!(name === 'DATABASE_URL' && deps.database.kind === 'postgres')) values.onChange(name, fallback);
  }
}
