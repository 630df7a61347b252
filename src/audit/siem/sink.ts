/** A destination for audit events (webhook, stdout): delivers one batch of one chain, in seq order, or throws. */
import type { SiemEvent } from './event.js';

export type SiemSink = {
  /** The cursor key in siem_cursors: each sink has its own position in every chain. */
  readonly name: string;
  /** Resolves once the sink accepted every event of the batch; throws SiemDeliveryError otherwise. */
  deliver(chain: string, events: readonly SiemEvent[]): Promise<void>;
};

/**
 * A failed delivery. The message is what gets stored (siem_cursors.last_error) and logged: a
 * status code or a short network reason, never a response body, a header or the secret.
 */
export class SiemDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SiemDeliveryError';
  }
}
