import { randomUUID } from 'node:crypto';
import type { GuardrailEventRecord } from '../guardrails/event-record.js';
import type { RequestLogBodies, RequestLogEntry } from './types.js';

export type RequestLogRow = Omit<RequestLogEntry, 'bodies' | 'guardrailEvents' | 'id'> & { id: string };

/** A guardrail event with the id it keeps across retries. */
export type PendingGuardrailEvent = Readonly<GuardrailEventRecord> & { readonly id: string };

/** An accepted entry as the writer keeps it until it is written or dropped. */
export type PendingEntry = {
  /** Enqueue order: flush() waits for the entries enqueued before it, not for later ones. */
  readonly seq: number;
  readonly row: RequestLogRow;
  readonly bodies: RequestLogBodies | undefined;
  /** Fixed at enqueue so a retried write reuses the same request_bodies id (and AAD). */
  readonly bodyId: string | undefined;
  /** Empty for most requests; ids fixed at enqueue so a retried write cannot duplicate an event. */
  readonly events: readonly PendingGuardrailEvent[];
};

const NO_EVENTS: readonly PendingGuardrailEvent[] = Object.freeze([]);

function copyEvent(event: GuardrailEventRecord): PendingGuardrailEvent {
  const { direction, detector, rule, category, action, location, start, end, valueHash } = event;
  return { id: randomUUID(), direction, detector, rule, category, action, location, start, end, valueHash };
}

/**
 * A shallow copy, so a caller that reuses or mutates its object after enqueue cannot change what
 * gets written. Ids are fixed here, once: they make retries idempotent.
 */
export function toPendingEntry(entry: RequestLogEntry, seq: number): PendingEntry {
  const { bodies, guardrailEvents, id, ...fields } = entry;
  return {
    seq,
    row: { ...fields, id: id ?? randomUUID() },
    bodies: bodies ? { request: bodies.request, response: bodies.response } : undefined,
    bodyId: bodies ? randomUUID() : undefined,
    events: guardrailEvents && guardrailEvents.length > 0 ? guardrailEvents.map(copyEvent) : NO_EVENTS,
  };
}

/** The same entry without its guardrail events: the poison path's last try at keeping the log row. */
export function withoutEvents(entry: PendingEntry): PendingEntry {
  return { ...entry, events: NO_EVENTS };
}
