import { randomUUID } from 'node:crypto';
import type { RequestLogBodies, RequestLogEntry } from './types.js';

export type RequestLogRow = Omit<RequestLogEntry, 'bodies' | 'id'> & { id: string };

/** An accepted entry as the writer keeps it until it is written or dropped. */
export type PendingEntry = {
  /** Enqueue order: flush() waits for the entries enqueued before it, not for later ones. */
  readonly seq: number;
  readonly row: RequestLogRow;
  readonly bodies: RequestLogBodies | undefined;
  /** Fixed at enqueue so a retried write reuses the same request_bodies id (and AAD). */
  readonly bodyId: string | undefined;
};

/**
 * A shallow copy, so a caller that reuses or mutates its object after enqueue cannot change what
 * gets written. Ids are fixed here, once: they make retries idempotent.
 */
export function toPendingEntry(entry: RequestLogEntry, seq: number): PendingEntry {
  const { bodies, id, ...fields } = entry;
  return {
    seq,
    row: { ...fields, id: id ?? randomUUID() },
    bodies: bodies ? { request: bodies.request, response: bodies.response } : undefined,
    bodyId: bodies ? randomUUID() : undefined,
  };
}
