/**
 * Sorting write failures into "the database is unavailable" (retry the same batch, never drop)
 * and everything else (the batch itself may be at fault: after a few attempts, isolate the rows).
 * Only availability failures that are positively recognised count as such: an unrecognised error
 * falls to the row-by-row path, where rows the database accepts are still written.
 */

// SQLSTATE classes and codes that say nothing about the rows: connection exceptions (08),
// insufficient resources (53), operator intervention such as shutdown or statement timeout (57),
// system errors (58), and serialization failures and deadlocks (40001, 40P01), which succeed on retry.
const TRANSIENT_SQLSTATE_CLASSES = new Set(['08', '53', '57', '58']);
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01']);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

// node-postgres and PGlite raise these without any code.
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Client was closed and is not queryable$/,
  /^Cannot use a pool after calling end on the pool$/,
  /^Query read timeout$/,
  /^PGlite is closed/,
];

const SQLSTATE = /^[0-9A-Z]{5}$/;
const MAX_CAUSE_DEPTH = 5;

/** The error and its causes (drizzle wraps driver errors in DrizzleQueryError). */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  let current: unknown = error;
  while (chain.length < MAX_CAUSE_DEPTH && current !== null && typeof current === 'object') {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

function stringField(value: object, name: string): string | undefined {
  const field: unknown = (value as Record<string, unknown>)[name];
  return typeof field === 'string' ? field : undefined;
}

export function isTransientError(error: unknown): boolean {
  return causeChain(error).some((link) => {
    const code = stringField(link, 'code');
    if (code !== undefined) {
      if (NETWORK_CODES.has(code)) return true;
      if (SQLSTATE.test(code) && (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.has(code.slice(0, 2)))) return true;
    }
    const message = stringField(link, 'message');
    return message !== undefined && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
  });
}

// Codes and constraint names are identifiers; anything else is not what it claims to be.
const IDENTIFIER = /^[A-Za-z0-9_]{1,63}$/;

function identifier(value: string | undefined): string | undefined {
  return value !== undefined && IDENTIFIER.test(value) ? value : undefined;
}

/** What may be logged about a write failure. */
export type ErrorSummary = { name: string; code?: string; constraint?: string };

/**
 * The error's class, SQLSTATE (or system code) and constraint name: enough to diagnose, and
 * never the message, because drizzle's message embeds the query parameters, i.e. the row
 * values, and PostgreSQL's detail quotes the failing row.
 */
export function summarizeError(error: unknown): ErrorSummary {
  const chain = causeChain(error);
  const summary: ErrorSummary = { name: error instanceof Error ? error.name : typeof error };
  for (const link of chain) {
    summary.code ??= identifier(stringField(link, 'code'));
    summary.constraint ??= identifier(stringField(link, 'constraint'));
  }
  return summary;
}
