/**
 * The playground's own stream, one JSON object per line (NDJSON), so the browser needs no SSE
 * parser and never sees the gateway's wire format: `start` once the gateway accepted the request,
 * `delta` for each piece of text, `guardrail` for each finding the gateway acted on (never the
 * matched text), `error` when the request failed, and `done` last with what it cost. A stream
 * always ends with `done` or `error`.
 */
import { z } from 'zod';
import { GUARDRAIL_ACTIONS } from '../guardrails/engine/policy.js';

export const startEvent = z.object({
  type: z.literal('start'),
  requestId: z.string().meta({ description: 'The gateway request id (request logs, guardrail events).' }),
  provider: z.string().nullable(),
});

export const deltaEvent = z.object({ type: z.literal('delta'), text: z.string() });

export const guardrailEvent = z.object({
  type: z.literal('guardrail'),
  action: z.enum(GUARDRAIL_ACTIONS),
  detector: z.string(),
  rule: z.string(),
  category: z.string().nullable(),
  direction: z.enum(['input', 'output']),
  location: z.string().meta({ description: 'Value-free path of the text, e.g. `messages[1].content`.' }),
});

export const errorEvent = z.object({
  type: z.literal('error'),
  code: z.string(),
  message: z.string(),
  status: z.number().int().nullable().meta({ description: 'The gateway’s HTTP status, when it answered with one.' }),
});

export const doneEvent = z.object({
  type: z.literal('done'),
  requestId: z.string(),
  provider: z.string().nullable(),
  model: z.string().meta({ description: 'What was asked for (`provider/model`).' }),
  servedModel: z.string().nullable().meta({ description: 'The model the provider reports having served.' }),
  attempts: z.number().int().nullable(),
  inputTokens: z.number().int().nullable(),
  outputTokens: z.number().int().nullable(),
  costUsd: z.number().nullable().meta({ description: 'From the request log (the billed figure), else the catalog prices.' }),
  latencyMs: z.number().int(),
  finishReason: z.string().nullable(),
});

export const playgroundEvent = z.discriminatedUnion('type', [startEvent, deltaEvent, guardrailEvent, errorEvent, doneEvent]);
export type PlaygroundEvent = z.infer<typeof playgroundEvent>;
export type GuardrailFinding = Omit<z.infer<typeof guardrailEvent>, 'type'>;
