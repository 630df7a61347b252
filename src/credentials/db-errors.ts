/** SQLSTATE of a failed query, unwrapping drizzle's error wrapper (the driver error is its cause). */
function sqlState(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A unique constraint refused the row: two requests raced past the same existence check. */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === '23505';
}
