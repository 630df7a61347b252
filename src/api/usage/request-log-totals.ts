import { and, eq, gte, sql, type SQL } from 'drizzle-orm';
import { requestLogs } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import type { UsageScopeKind } from './live-counters.js';

export type UsageTotals = { requests: number; tokens: number; costMicroUsd: number };

/**
 * Sums of the request logs of one scope since a time, inside the caller's withTenant (RLS limits
 * them to the org). Counted like the limiter's rebuild function (portcullis_usage_totals): every
 * logged request that passed the limit checks, tokens = input + output.
 */
export async function requestLogTotals(tx: Tx, scope: UsageScopeKind, scopeId: string, since: Date | null): Promise<UsageTotals> {
  // Only requests that passed the limit checks count, as in the limiter and its rebuild.
  const conditions: SQL[] = [eq(requestLogs.usageCounted, true)];
  if (scope === 'project') conditions.push(eq(requestLogs.projectId, scopeId));
  if (scope === 'api_key') conditions.push(eq(requestLogs.apiKeyId, scopeId));
  if (since !== null) conditions.push(gte(requestLogs.createdAt, since));
  const [row] = await tx
    .select({
      requests: sql<string | number>`count(*)`,
      tokens: sql<string | number>`coalesce(sum(coalesce(${requestLogs.inputTokens}, 0) + coalesce(${requestLogs.outputTokens}, 0)), 0)`,
      costMicroUsd: sql<string | number>`coalesce(sum(coalesce(${requestLogs.costMicroUsd}, 0)), 0)`,
    })
    .from(requestLogs)
    .where(and(...conditions));
  // bigint sums arrive as strings from both drivers.
  return { requests: Number(row?.requests ?? 0), tokens: Number(row?.tokens ?? 0), costMicroUsd: Number(row?.costMicroUsd ?? 0) };
}
