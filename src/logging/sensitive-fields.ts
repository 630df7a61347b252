// Field names whose values are secret by definition. Kept apart from the logger so the HTTP
// layer, the audit trail and the line scrubber can all refer to the same list.

/** Lower-case, because Node lower-cases incoming header names. */
export const SENSITIVE_HEADER_NAMES = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'x-admin-token',
] as const;

export const SENSITIVE_FIELD_NAMES = [
  'password',
  'secret',
  'token',
  'apiKey',
  'api_key',
  'providerKey',
  'masterKey',
  'authSecret',
] as const;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// Header names contain '-', which pino's path syntax only accepts in bracket form.
function pathsFor(name: string, parents: readonly string[]): string[] {
  const plain = IDENTIFIER.test(name);
  return parents.map((parent) => {
    if (parent === '') return plain ? name : `["${name}"]`;
    return plain ? `${parent}.${name}` : `${parent}["${name}"]`;
  });
}

/**
 * pino redact paths. '' is the top level; '*' is any top-level key, which covers `headers.x`
 * and `user.password`; '*.headers' covers `req.headers.x`, `res.headers.x`, `upstream.headers.x`.
 * pino matches paths case-sensitively and only to this depth; the line scrubber
 * (secret-shapes.ts) catches the same names in any case and at any depth as a second layer.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  ...SENSITIVE_HEADER_NAMES.flatMap((name) => pathsFor(name, ['', '*', '*.headers'])),
  ...SENSITIVE_FIELD_NAMES.flatMap((name) => pathsFor(name, ['', '*'])),
]);
