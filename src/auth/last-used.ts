/**
 * Records when an admin token was last used, at most once per interval per token: an automation
 * polling the api every second must not turn every read into a write.
 */
export type LastUsedRecorder = {
  /** Writes the timestamp when this token's last write is older than the interval; otherwise does nothing. */
  touch(token: { id: string; orgId: string }): Promise<void>;
};

export function createLastUsedRecorder(options: {
  write: (tokenId: string, orgId: string, at: Date) => Promise<void>;
  onError: (error: unknown) => void;
  intervalMs?: number;
  maxTracked?: number;
  now?: () => number;
}): LastUsedRecorder {
  const intervalMs = options.intervalMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const now = options.now ?? Date.now;
  const lastWritten = new Map<string, number>();
  return {
    async touch(token) {
      const at = now();
      const previous = lastWritten.get(token.id);
      if (previous !== undefined && at - previous < intervalMs) return;
      // Marked before writing, so concurrent requests of one token write once; a failed write
      // is not retried before the next interval (a struggling database needs fewer writes, not more).
      lastWritten.delete(token.id);
      if (lastWritten.size >= maxTracked) {
        const oldest = lastWritten.keys().next().value;
        if (oldest !== undefined) lastWritten.delete(oldest);
      }
      lastWritten.set(token.id, at);
      try {
        await options.write(token.id, token.orgId, new Date(at));
      } catch (error) {
        // Bookkeeping must never fail the request it describes.
        options.onError(error);
      }
    },
  };
}
