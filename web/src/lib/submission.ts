/** The state of a dialog form's request: busy while it runs, and what went wrong, for `ErrorMessage`. */
import { useState } from 'react';

export function useSubmission() {
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  /** Runs `work` (the request and what follows its success): busy until it settles, its failure kept in `error`. */
  function run(work: () => Promise<unknown>): void {
    setBusy(true);
    setError(undefined);
    work()
      .catch((caught: unknown) => setError(caught))
      .finally(() => setBusy(false));
  }
  /** Shows a refusal made before any request (a missing or invalid field). */
  const refuse = (reason: Error): void => setError(reason);
  return { error, busy, run, refuse };
}
