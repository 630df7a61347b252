/**
 * A download of any size in constant memory: rows are read in keyset batches, each in its own
 * short transaction (never one long transaction or one giant result), and the next batch is read
 * only when the consumer has taken the previous one — the HTTP socket's backpressure paces the
 * database. At most one batch is in memory at a time.
 */

export type KeysetExport<Row> = {
  /** Up to `limit` rows whose key is above `afterKey`, in key order. */
  batch(afterKey: number, limit: number): Promise<Row[]>;
  key(row: Row): number;
  /** Where to start (rows with a key above it are exported). */
  startAfter: number;
  batchSize: number;
  /** Text before the first row (a CSV header). */
  header?: string;
  /** One row's text, line end included. */
  format(row: Row): string;
  /** A failed batch: the stream is aborted (the client sees a truncated, failed download), this reports it. */
  onError(error: unknown): void;
};

export function keysetExportStream<Row>(source: KeysetExport<Row>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let afterKey = source.startAfter;
  let pending = source.header ?? '';
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const rows = await source.batch(afterKey, source.batchSize);
          // The client went away while the batch was read: nothing to deliver, nothing went wrong.
          if (cancelled) return;
          let text = pending;
          pending = '';
          for (const row of rows) text += source.format(row);
          const last = rows.at(-1);
          if (last !== undefined) afterKey = source.key(last);
          if (text !== '') controller.enqueue(encoder.encode(text));
          if (rows.length < source.batchSize) controller.close();
        } catch (error) {
          if (cancelled) return;
          source.onError(error);
          controller.error(error);
        }
      },
      cancel() {
        cancelled = true;
      },
    },
    // No read-ahead: a batch is read when the consumer asks for it, not to fill a queue.
    { highWaterMark: 0 },
  );
}
