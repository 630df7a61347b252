/**
 * better-auth's drizzle adapter, bound to the api's ScopedDatabase: every adapter call runs in a
 * short transaction as the api role (the only role granted the auth tables), never as the
 * connection's owner. The adapter is handed a stand-in for the database that forwards to the
 * transaction of the call in progress; outside a call it refuses, so nothing can reach the
 * database past the role switch.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import type { BetterAuthOptions } from 'better-auth';
import type { DBAdapter } from '@better-auth/core/db/adapter';
import { authSchema } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';

type AdapterCall = (args: never) => Promise<unknown>;

/** The methods that touch the database; each is wrapped in its own role-scoped transaction. */
export const ADAPTER_METHODS = [
  'create',
  'findOne',
  'findMany',
  'count',
  'update',
  'updateMany',
  'delete',
  'deleteMany',
  'consumeOne',
  'incrementOne',
] as const satisfies readonly (keyof DBAdapter)[];

export function roleScopedDrizzleAdapter(db: ScopedDatabase): (options: BetterAuthOptions) => DBAdapter {
  const current = new AsyncLocalStorage<Tx>();
  const standIn = new Proxy(
    {},
    {
      get(_target, property) {
        const tx = current.getStore();
        if (tx === undefined) throw new Error('the identity adapter reached the database outside a role-scoped call');
        const value: unknown = Reflect.get(tx, property, tx);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(tx) : value;
      },
    },
  );
  const factory = drizzleAdapter(standIn, { provider: 'pg', schema: authSchema });
  return (options) => {
    const inner = factory(options);
    const wrapped: DBAdapter = { ...inner };
    for (const method of ADAPTER_METHODS) {
      const call = inner[method] as unknown as AdapterCall;
      (wrapped as unknown as Record<string, AdapterCall>)[method] = (args: never) =>
        db.withRole((tx) => current.run(tx, () => call.call(inner, args)));
    }
    // Every call is already atomic on its own; better-auth's multi-step "transactions" run on
    // this same adapter (the drizzle adapter's default, transaction: false).
    wrapped.transaction = (callback) => callback(wrapped);
    return wrapped;
  };
}
