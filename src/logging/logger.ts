import { pino } from 'pino';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { REDACTED } from './redacted.js';
import { mergeRequestId, requestIdMixin } from './request-scope.js';
import { scrubSecrets } from './secret-registry.js';
import { REDACT_PATHS } from './sensitive-fields.js';

export type { Logger } from 'pino';
export { REDACT_PATHS } from './sensitive-fields.js';

// scrubSecrets fails closed by returning the bare marker, but a log line has to stay one JSON
// object, so the operator at least learns that something was logged and withheld.
function scrubLine(line: string): string {
  const scrubbed = scrubSecrets(line);
  if (scrubbed !== REDACTED) return scrubbed;
  return `${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: `log line withheld: secret scrubbing failed (${line.length} chars)` })}\n`;
}

export interface CreateLoggerOptions {
  level?: string;
  /** Defaults to stdout. Tests pass an in-memory stream. */
  destination?: DestinationStream;
  /** Fields on every line. Without it lines carry no pid/hostname, which add noise, not signal. */
  base?: Record<string, unknown>;
}

/**
 * JSON-lines logger with two independent redaction layers: pino's path redaction for fields that
 * are secret by name, then `scrubSecrets` over each finished line for secret values that ended
 * up anywhere else (a message string, an error message or stack, a field nobody listed).
 * Stack traces are logged on purpose, for operators; they still pass through the scrubber.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const loggerOptions: LoggerOptions = {
    level: options.level ?? 'info',
    base: options.base ?? null,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    // `error` too, because a bare Error serializes to `{}` and the cause of a failure would vanish.
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    // Runs on the serialized line, after every serializer and formatter, so nothing added
    // later in the pipeline can bypass it.
    hooks: { streamWrite: scrubLine },
    // The request id of the request being handled, on lines written through any logger (request-scope.ts).
    mixin: requestIdMixin,
    mixinMergeStrategy: mergeRequestId,
  };
  return pino(loggerOptions, options.destination ?? pino.destination({ dest: 1, sync: false }));
}
