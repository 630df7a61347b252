/**
 * The time class of a bcrypt comparison, for refusals that make none. A wrong secret for a known
 * lookup id costs a ~55 ms bcrypt; an unknown lookup id costs one database lookup (~1 ms). Answered
 * as they come, the response time would say which lookup ids exist. Those refusals wait instead
 * about as long as a comparison takes — on a timer, so the wait costs no CPU and a flood of
 * unknown ids still cannot burn it.
 *
 * The estimate starts from one bcrypt hash at the default cost, timed at start-up (a hash and a
 * comparison do the same work), and then follows the median of the most recent real comparisons,
 * so it tracks what a comparison costs on this machine under its current load.
 *
 * Samples age out: only comparisons of the last minute count. A host's speed changes (CPU
 * throttling, a noisy neighbour, a VM moved), and a median of comparisons made at another speed
 * would refuse unknown ids in half a comparison's time, or twice it, which is the signal the
 * pacer exists to hide. When no sample is fresh, the refusal does a real hash instead of
 * waiting on a timer, and its time is the new sample: one hash a minute at most (concurrent
 * refusals wait on the last estimate meanwhile), so a flood of unknown ids still cannot burn CPU.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { hashCredentialSecret } from '../../crypto/api-key.js';
import { randomBase62 } from '../../crypto/random.js';

export type BcryptPacer = {
  /** Runs a real bcrypt comparison and adds its duration to the estimate. */
  timed<T>(compare: () => Promise<T>): Promise<T>;
  /** Waits about one comparison's time (recent median, ± jitter). */
  pad(): Promise<void>;
};

export type BcryptPacerOptions = {
  /** Milliseconds of one bcrypt at the configured cost; default: time one hash at start-up. */
  calibrate?: () => Promise<number>;
  /** How many recent comparisons the median is taken over. */
  window?: number;
  /** Relative spread of the wait around the median, e.g. 0.1 for ±10 %. */
  jitter?: number;
  random?: () => number;
  /** Milliseconds after which a sample no longer counts (default 60 s). */
  maxAgeMs?: number;
  /** Clock for sample ages (tests). */
  now?: () => number;
};

// Used only until the start-up measurement is in, should it fail: the documented cost-10 figure.
const FALLBACK_MS = 55;

async function timeOneHash(): Promise<number> {
  const started = performance.now();
  await hashCredentialSecret(randomBase62(48));
  return performance.now() - started;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function createBcryptPacer(options: BcryptPacerOptions = {}): BcryptPacer {
  const window = options.window ?? 15;
  const jitter = options.jitter ?? 0.1;
  const random = options.random ?? Math.random;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const measure = options.calibrate ?? timeOneHash;
  const samples: { ms: number; at: number }[] = [];
  const record = (ms: number) => {
    if (!Number.isFinite(ms) || ms < 0) return;
    samples.push({ ms, at: now() });
    if (samples.length > window) samples.shift();
  };
  let remeasuring = false;
  // Started now (at gateway start-up), awaited only by a refusal that comes before it is done.
  const calibrated = measure().then(
    (ms) => {
      if (samples.length === 0) record(ms);
    },
    () => undefined,
  );

  return {
    async timed(compare) {
      const started = performance.now();
      try {
        return await compare();
      } finally {
        record(performance.now() - started);
      }
    },
    async pad() {
      await calibrated;
      const fresh = samples.filter((sample) => now() - sample.at <= maxAgeMs).map((sample) => sample.ms);
      if (fresh.length === 0 && !remeasuring) {
        // a real hash is a comparison's time at today's speed, and it renews the estimate
        remeasuring = true;
        try {
          record(await measure());
          return;
        } catch {
          // no bcrypt now: fall through to the timer
        } finally {
          remeasuring = false;
        }
      }
      const basis = fresh.length > 0 ? fresh : samples.map((sample) => sample.ms);
      const estimate = basis.length > 0 ? median(basis) : FALLBACK_MS;
      // Symmetric jitter: real comparisons vary too, and the median stays where theirs is.
      await sleep(Math.max(0, estimate * (1 + jitter * (2 * random() - 1))));
    },
  };
}
