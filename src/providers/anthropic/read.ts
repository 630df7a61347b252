/**
 * Defensive reading of Anthropic's JSON: a body that drifts from the documented shape becomes an
 * UpstreamProtocolError (a 502), never a TypeError deep in the pipeline.
 */
import type { z } from 'zod';
import { describeZodError } from '../../http/zod-message.js';
import { UpstreamProtocolError } from '../types.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error names paths and expected types, never upstream values (they may quote the prompt). */
export function parseUpstream<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new UpstreamProtocolError('anthropic', `unreadable ${what} from anthropic: ${describeZodError(result.error, body)}`);
  }
  return result.data;
}

/** JSON.parse of one SSE payload; garbage is a protocol error. */
export function parseJsonData(data: string, what: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new UpstreamProtocolError('anthropic', `unreadable ${what} from anthropic: not JSON`);
  }
}
