/**
 * What the playground may send through the gateway: plain text turns, bounded so one click
 * cannot turn into an expensive or oversized request (the gateway's own limits apply as well).
 */
import { z } from 'zod';

export const MAX_PLAYGROUND_MESSAGES = 50;
export const MAX_MESSAGE_CHARS = 32_000;
export const MAX_CONVERSATION_CHARS = 200_000;
export const MAX_PLAYGROUND_OUTPUT_TOKENS = 8_192;

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string().min(1).max(MAX_MESSAGE_CHARS),
  })
  .strict();

export const playgroundChatInputSchema = z
  .object({
    model: z
      .string()
      .min(3)
      .max(200)
      .regex(/^[a-z0-9-]+\/[\w.:@-]+$/, 'must be provider/model, as the model list gives it')
      .meta({ description: '`provider/model`, one of `GET /api/orgs/:orgId/models?projectId=`.' }),
    messages: z
      .array(messageSchema)
      .min(1)
      .max(MAX_PLAYGROUND_MESSAGES)
      .refine((messages) => messages.at(-1)?.role === 'user', 'the last message must be the user’s')
      .refine((messages) => messages.reduce((n, m) => n + m.content.length, 0) <= MAX_CONVERSATION_CHARS, {
        message: `must hold at most ${MAX_CONVERSATION_CHARS} characters in all`,
      })
      .meta({ description: 'The whole conversation so far (earlier turns are sent again), ending with the user’s turn.' }),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(MAX_PLAYGROUND_OUTPUT_TOKENS).optional(),
  })
  .strict();

export type PlaygroundChatInput = z.output<typeof playgroundChatInputSchema>;
