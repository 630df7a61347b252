/**
 * The playground's stream (`POST /api/orgs/:orgId/projects/:projectId/playground/chat`): one JSON
 * event per line, each validated on arrival (src/playground/events.ts is the api's side).
 */
import { z } from 'zod/mini';

export const GUARDRAIL_ACTIONS = ['log', 'mask', 'redact', 'block'] as const;

const startEvent = z.object({ type: z.literal('start'), requestId: z.string(), provider: z.nullable(z.string()) });
const deltaEvent = z.object({ type: z.literal('delta'), text: z.string() });
const guardrailEvent = z.object({
  type: z.literal('guardrail'),
  action: z.enum(GUARDRAIL_ACTIONS),
  detector: z.string(),
  rule: z.string(),
  category: z.nullable(z.string()),
  direction: z.enum(['input', 'output']),
  location: z.string(),
});
const errorEvent = z.object({ type: z.literal('error'), code: z.string(), message: z.string(), status: z.nullable(z.number()) });
const doneEvent = z.object({
  type: z.literal('done'),
  requestId: z.string(),
  provider: z.nullable(z.string()),
  model: z.string(),
  servedModel: z.nullable(z.string()),
  attempts: z.nullable(z.number()),
  inputTokens: z.nullable(z.number()),
  outputTokens: z.nullable(z.number()),
  costUsd: z.nullable(z.number()),
  latencyMs: z.number(),
  finishReason: z.nullable(z.string()),
});

export const playgroundEventSchema = z.discriminatedUnion('type', [startEvent, deltaEvent, guardrailEvent, errorEvent, doneEvent]);
export type PlaygroundEvent = z.output<typeof playgroundEventSchema>;
export type GuardrailFinding = Omit<z.output<typeof guardrailEvent>, 'type'>;
export type ChatSummary = Omit<z.output<typeof doneEvent>, 'type'>;

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };
export type PlaygroundChatRequest = { model: string; messages: ChatMessage[]; temperature?: number; max_tokens?: number };
