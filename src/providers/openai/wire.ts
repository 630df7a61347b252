/**
 * Small helpers for reading upstream JSON defensively: a provider that drifts from its documented
 * shape must produce an UpstreamProtocolError (a 502), never a TypeError deep in the pipeline.
 */
import type { z } from 'zod';
import { describeZodError } from '../../http/zod-message.js';
import type { ProviderId } from '../ids.js';
import { UpstreamProtocolError } from '../types.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates an upstream body; the error names paths and expected types, never upstream values. */
export function parseUpstream<T>(provider: ProviderId, schema: z.ZodType<T>, body: unknown, what: string): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new UpstreamProtocolError(provider, `unreadable ${what} from ${provider}: ${describeZodError(result.error, body)}`);
  }
  return result.data;
}

/** JSON.parse for one SSE data payload; garbage is a protocol error, not an exception of the wrong kind. */
export function parseJsonData(provider: ProviderId, data: string, what: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    throw new UpstreamProtocolError(provider, `unreadable ${what} from ${provider}: not JSON`);
  }
}

export function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function jsonHeaders(extra: Record<string, string>): Record<string, string> {
  return { 'content-type': 'application/json', ...extra };
}
