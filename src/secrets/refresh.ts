/**
 * Re-resolves the configured secret references every SECRETS_REFRESH_SECONDS and publishes the
 * values that changed through SecretValues. Logs name the variable and the reference, never the
 * value. A failed refresh keeps the current value: a secret manager outage must not take a
 * running service down, and the next round tries again.
 */
import type { Logger } from '../logging/logger.js';
import type { SecretReferenceSet } from './config-references.js';
import { registerSecretValue } from './register.js';
import { SecretValues } from './secret-values.js';

export type SecretRefresher = {
  readonly values: SecretValues;
  /** One round now (tests, and an operator signal later); resolves when it is done. */
  refreshNow(): Promise<void>;
  stop(): void;
};

export function startSecretRefresh(options: {
  set: SecretReferenceSet | undefined;
  intervalSeconds: number;
  logger: Logger;
}): SecretRefresher {
  const { set, logger } = options;
  const values = new SecretValues(set?.initial ?? [], (error, name) =>
    logger.error({ err: error, variable: name }, 'secret change listener failed'),
  );
  const referenceOf = new Map(set?.entries.map((e) => [e.variable, e.text]) ?? []);
  let running: Promise<void> | undefined;

  async function round(): Promise<void> {
    if (!set) return;
    const results = await set.resolveAll();
    for (const [variable, result] of results) {
      const reference = referenceOf.get(variable);
      if (!result.ok) {
        logger.warn({ variable, reference, reason: result.error.reason }, 'secret refresh failed; keeping the current value');
        continue;
      }
      if (values.get(variable) === result.value) continue;
      // The scrubber learns the new value before any listener or log line could carry it.
      registerSecretValue(variable, result.value);
      logger.info({ variable, reference }, 'secret refreshed');
      values.set(variable, result.value);
    }
  }

  const refreshNow = () => {
    // Rounds never overlap: a slow secret manager delays the next round instead of piling up calls.
    running ??= round()
      .catch((error: unknown) => logger.error({ err: error }, 'secret refresh failed'))
      .finally(() => (running = undefined));
    return running;
  };

  const timer =
    set && options.intervalSeconds > 0 ? setInterval(() => void refreshNow(), options.intervalSeconds * 1000).unref() : undefined;
  return {
    values,
    refreshNow,
    stop: () => clearInterval(timer),
  };
}
