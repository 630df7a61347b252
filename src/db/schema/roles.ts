import { sql } from 'drizzle-orm';
import { pgPolicy, pgRole } from 'drizzle-orm/pg-core';

/**
 * Database roles each service assumes (`SET LOCAL ROLE`) inside withTenant. Created by the
 * first migration (not by drizzle-kit: roles are cluster-wide on PostgreSQL and must be created
 * idempotently), hence `.existing()`.
 */
export const apiRole = pgRole('portcullis_api').existing();
export const gatewayRole = pgRole('portcullis_gateway').existing();

export const SERVICE_ROLES = { api: 'portcullis_api', gateway: 'portcullis_gateway' } as const;
export type ServiceRole = keyof typeof SERVICE_ROLES;

/**
 * The tenant of the current transaction. `nullif(..., '')` matters: a pooled connection that
 * once ran `set_config('app.org_id', x, true)` keeps the setting defined as '' afterwards, and
 * ''::uuid would raise instead of matching nothing.
 */
export const currentOrgId = sql`nullif(current_setting('app.org_id', true), '')::uuid`;

/** One permissive policy per tenant table: rows of the current org only, for reads and writes. */
export function tenantIsolation(column: 'org_id' | 'id' = 'org_id') {
  const predicate = sql`${sql.identifier(column)} = ${currentOrgId}`;
  return pgPolicy('tenant_isolation', {
    as: 'permissive',
    for: 'all',
    to: [apiRole, gatewayRole],
    using: predicate,
    withCheck: predicate,
  });
}
