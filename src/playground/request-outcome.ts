/**
 * What the gateway recorded about one playground request: its request log row (the billed cost,
 * the provider, attempts, tokens) and its guardrail events (what was redacted, masked, logged or
 * blocked — never the text). Both are written by the gateway's batched log writer shortly after
 * the request ends, so they are polled for briefly; found by the short-lived key that made the
 * request (unique to it) and the request id the api chose, inside the org's RLS scope.
 */
import { and, asc, eq } from 'drizzle-orm';
import { guardrailEvents, requestLogs } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { GUARDRAIL_ACTIONS, type GuardrailAction } from '../guardrails/engine/policy.js';
import type { GuardrailFinding } from './events.js';

export type RecordedOutcome = {
  provider: string | null;
  servedModel: string | null;
  attempts: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costMicroUsd: number | null;
  guardrails: GuardrailFinding[];
};

const isAction = (value: string): value is GuardrailAction => (GUARDRAIL_ACTIONS as readonly string[]).includes(value);

async function readOnce(db: ScopedDatabase, orgId: string, apiKeyId: string, requestId: string): Promise<RecordedOutcome | undefined> {
  return db.withTenant(orgId, async (tx) => {
    const [log] = await tx
      .select({
        provider: requestLogs.provider,
        servedModel: requestLogs.servedModel,
        attempts: requestLogs.attempts,
        inputTokens: requestLogs.inputTokens,
        outputTokens: requestLogs.outputTokens,
        costMicroUsd: requestLogs.costMicroUsd,
      })
      .from(requestLogs)
      .where(and(eq(requestLogs.apiKeyId, apiKeyId), eq(requestLogs.requestId, requestId)))
      .limit(1);
    if (!log) return undefined;
    const events = await tx
      .select({
        action: guardrailEvents.action,
        detector: guardrailEvents.detector,
        rule: guardrailEvents.findingType,
        category: guardrailEvents.category,
        direction: guardrailEvents.direction,
        location: guardrailEvents.location,
      })
      .from(guardrailEvents)
      .where(and(eq(guardrailEvents.apiKeyId, apiKeyId), eq(guardrailEvents.requestId, requestId)))
      .orderBy(asc(guardrailEvents.createdAt), asc(guardrailEvents.startOffset))
      .limit(100);
    return {
      ...log,
      guardrails: events.flatMap(({ action, ...rest }) => (isAction(action) ? [{ action, ...rest }] : [])),
    };
  });
}

/** Polls until the gateway's writer has stored the request, or undefined after `waitMs`. */
export async function readRecordedOutcome(
  db: ScopedDatabase,
  orgId: string,
  where: { apiKeyId: string; requestId: string },
  options: { waitMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<RecordedOutcome | undefined> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const found = await readOnce(db, orgId, where.apiKeyId, where.requestId);
    if (found !== undefined || Date.now() >= deadline || options.signal?.aborted) return found;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
