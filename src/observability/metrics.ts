/**
 * Process metrics in Prometheus form. The registry is this module's own (not prom-client's global
 * one), so what is exported is exactly what Portcullis declares here, and tests can read it
 * without picking up another library's metrics. Exposing it over HTTP is a separate concern.
 */
import { Counter, Registry } from 'prom-client';
import type { GuardrailEventRecord } from '../gateway/guardrails/event-record.js';

export const metricsRegistry = new Registry();

/**
 * One increment per guardrail finding. Labels are bounded sets only: detector, category (PII
 * type, injection category, `secret` or `custom`), action and direction. Never the rule — secret
 * rule ids and custom rule names would multiply the series — and never anything of the value.
 */
export const guardrailFindingsTotal = new Counter({
  name: 'portcullis_guardrail_findings_total',
  help: 'Guardrail findings in requests and responses, by detector, category, action and direction.',
  labelNames: ['detector', 'category', 'action', 'direction'] as const,
  registers: [metricsRegistry],
});

/** Counts a request's guardrail events; cheap, synchronous, never throws into the request path. */
export function countGuardrailEvents(events: readonly GuardrailEventRecord[]): void {
  for (const event of events) {
    try {
      guardrailFindingsTotal.inc({ detector: event.detector, category: event.category, action: event.action, direction: event.direction });
    } catch {
      // prom-client throws only for labels it was not declared with: a bug, not worth a request.
    }
  }
}
