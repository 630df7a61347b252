/**
 * JSON Lines from batches of records, pulled: the next batch is produced only when the consumer
 * (the HTTP socket, through backpressure) has taken the previous one, so memory holds one batch
 * whatever the export's size. A client that goes away stops the generators (their `finally` runs).
 */
export function ndjsonStream(batches: AsyncIterable<readonly unknown[]>, onError: (error: unknown) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const next = await iterator.next();
            if (cancelled) return;
            if (next.done === true) {
              controller.close();
              return;
            }
            if (next.value.length === 0) continue;
            controller.enqueue(encoder.encode(next.value.map((record) => `${JSON.stringify(record)}\n`).join('')));
            return;
          }
        } catch (error) {
          if (cancelled) return;
          onError(error);
          controller.error(error);
        }
      },
      async cancel() {
        cancelled = true;
        await iterator.return?.(undefined);
      },
    },
    // No read-ahead: a batch is read when the consumer asks for it, not to fill a queue.
    { highWaterMark: 0 },
  );
}
