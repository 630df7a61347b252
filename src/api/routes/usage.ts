import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { inProjectScope, type ProjectScope } from '../../auth/principal.js';
import { apiKeys, projects } from '../../db/schema/index.js';
import { forbidden, notFound } from '../../http/errors.js';
import {
  parseLimits,
  rateLimitSchema,
  USAGE_METRICS,
  USAGE_PERIODS,
  type Limits,
  type UsageMetric,
  type UsagePeriod,
} from '../../tenancy/limits.js';
import { getOrganization } from '../../tenancy/organizations.js';
import { parseOrgSettings, parseProjectSettings } from '../../tenancy/settings.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type ApiRoute } from '../registry.js';
import { orgParams, timestampSchema } from '../schemas.js';
import type { UsageScopeKind } from '../usage/live-counters.js';
import { currentPeriod } from '../usage/period.js';
import { requestLogTotals, type UsageTotals } from '../usage/request-log-totals.js';

const SCOPES = ['org', 'project', 'api_key'] as const;

const usageQuerySchema = z
  .object({
    scope: z.enum(SCOPES).default('org'),
    id: z.uuid().optional().meta({ description: 'The project or API key id; omitted for scope `org`.' }),
    period: z.enum(USAGE_PERIODS).default('monthly'),
  })
  .superRefine((query, ctx) => {
    if (query.scope !== 'org' && query.id === undefined)
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'is required for this scope' });
    if (query.scope === 'org' && query.id !== undefined)
      ctx.addIssue({ code: 'custom', path: ['id'], message: 'is not accepted for scope org' });
  });

const totalsSchema = z.object({
  requests: z.number().int(),
  tokens: z.number().int().meta({ description: 'Input + output tokens.' }),
  costUsd: z.number(),
});

const usageResponseSchema = z.object({
  scope: z.enum(SCOPES),
  id: z.uuid(),
  period: z.enum(USAGE_PERIODS),
  periodStart: timestampSchema.nullable(),
  periodEnd: timestampSchema.nullable(),
  source: z
    .enum(['request_logs', 'counters'])
    .meta({ description: '`counters`: the limiter’s own live counters; `request_logs`: sums of the logs (written seconds behind).' }),
  usage: totalsSchema,
  limits: z.array(
    z.object({
      metric: z.enum(USAGE_METRICS),
      period: z.enum(USAGE_PERIODS),
      limit: z.number(),
      used: z.number(),
      remaining: z.number().meta({ description: 'Never negative: 0 once the limit is reached.' }),
      periodStart: timestampSchema.nullable(),
    }),
  ),
  rate: rateLimitSchema,
});

const toUsd = (micro: number) => micro / 1_000_000;

function usedOf(metric: UsageMetric, totals: UsageTotals): number {
  switch (metric) {
    case 'spend_usd':
      return toUsd(totals.costMicroUsd);
    case 'tokens':
      return totals.tokens;
    case 'requests':
      return totals.requests;
  }
}

export function usageRoutes(deps: ApiDeps): ApiRoute[] {
  async function scopeLimits(orgId: string, scope: UsageScopeKind, scopeId: string, allowed: ProjectScope): Promise<Limits> {
    return deps.db.withTenant(orgId, async (tx) => {
      if (scope === 'org') {
        // Org totals include every project's spend: not for a member limited to some of them.
        if (allowed !== 'all')
          throw forbidden(
            'Your access is limited to some projects of this organization: ask for the usage of one of them (scope=project).',
            'project_access_restricted',
          );
        const org = await getOrganization(tx, orgId);
        if (!org) throw notFound();
        return parseOrgSettings(org.id, org.settings).limits;
      }
      if (scope === 'project') {
        if (!inProjectScope(allowed, scopeId)) throw notFound('Project not found', 'project_not_found');
        const [project] = await tx.select({ settings: projects.settings }).from(projects).where(eq(projects.id, scopeId)).limit(1);
        if (!project) throw notFound('Project not found', 'project_not_found');
        return parseProjectSettings(scopeId, project.settings).limits;
      }
      const [key] = await tx
        .select({ limits: apiKeys.limits, projectId: apiKeys.projectId })
        .from(apiKeys)
        .where(eq(apiKeys.id, scopeId))
        .limit(1);
      if (!key || !inProjectScope(allowed, key.projectId)) throw notFound('API key not found', 'api_key_not_found');
      return parseLimits(key.limits);
    });
  }

  return [
    defineRoute({
      operationId: 'getUsage',
      method: 'get',
      path: '/api/orgs/:orgId/usage',
      tag: 'Usage and limits',
      summary: 'Usage of the current period, the scope’s configured limits and what remains of them',
      description:
        'Periods are calendar periods in UTC (the current hour, day or month); `lifetime` counts everything. ' +
        'A member limited to some projects may ask only for those projects and their API keys (scope `org`: 403 `project_access_restricted`).',
      permission: 'usage:read',
      params: orgParams,
      query: usageQuerySchema,
      status: 200,
      response: usageResponseSchema,
      async handler({ params, query, projects }) {
        const orgId = params.orgId;
        const scopeId = query.id ?? orgId;
        // Also the access check: nothing is counted before it has passed.
        const limits = await scopeLimits(orgId, query.scope, scopeId, projects);
        const now = new Date();
        const totals = new Map<UsagePeriod, { totals: UsageTotals; live: boolean }>();
        const totalsFor = async (period: UsagePeriod) => {
          const known = totals.get(period);
          if (known) return known;
          const start = currentPeriod(period, now).start;
          // Outside any transaction: the live counters may live in Redis.
          const live = await deps.liveUsage?.({ orgId, scope: query.scope, scopeId, period, periodStart: start });
          const result = live
            ? { totals: live, live: true }
            : { totals: await deps.db.withTenant(orgId, (tx) => requestLogTotals(tx, query.scope, scopeId, start)), live: false };
          totals.set(period, result);
          return result;
        };
        const current = await totalsFor(query.period);
        const window = currentPeriod(query.period, now);
        const limitReports = [];
        for (const limit of limits.usage) {
          const used = usedOf(limit.metric, (await totalsFor(limit.period)).totals);
          const start = currentPeriod(limit.period, now).start;
          limitReports.push({
            metric: limit.metric,
            period: limit.period,
            limit: limit.limit,
            used,
            remaining: Math.max(0, limit.limit - used),
            periodStart: start?.toISOString() ?? null,
          });
        }
        return {
          scope: query.scope,
          id: scopeId,
          period: query.period,
          periodStart: window.start?.toISOString() ?? null,
          periodEnd: window.end?.toISOString() ?? null,
          source: current.live ? ('counters' as const) : ('request_logs' as const),
          usage: { requests: current.totals.requests, tokens: current.totals.tokens, costUsd: toUsd(current.totals.costMicroUsd) },
          limits: limitReports,
          rate: limits.rate,
        };
      },
    }),
  ];
}
