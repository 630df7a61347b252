import { busEventSchema, type BusEvent } from './event-bus.js';

// Real events are well under 1 KiB; refusing big payloads before JSON.parse keeps a
// misbehaving publisher from making every replica parse megabytes.
const MAX_PAYLOAD_CHARS = 16 * 1024;

/** Parses a payload from the wire; undefined when it is not a valid BusEvent. */
export function decodeBusEvent(payload: string): BusEvent | undefined {
  if (payload.length > MAX_PAYLOAD_CHARS) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const result = busEventSchema.safeParse(data);
  return result.success ? Object.freeze(result.data) : undefined;
}
