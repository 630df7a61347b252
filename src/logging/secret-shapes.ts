import { REDACTED } from './redacted.js';
import { scrubSensitiveJsonKeys } from './sensitive-json-keys.js';

/*
 * Secrets recognisable by their shape alone, for the ones nobody registered (a key a client sent
 * us, a credential inside an upstream error). The input is usually one serialized JSON log line,
 * so every replacement keeps the line valid JSON: inside a string no pattern consumes an
 * unescaped `"` or stops between a backslash and the character it escapes, and the
 * json-sensitive-key pass rewrites whole key/value pairs.
 *
 * Why every pattern runs in linear time, although V8's engine backtracks: blow-up needs either a
 * quantifier that can split the same characters in many ways (nested quantifiers, or adjacent
 * runs whose classes overlap), or many start positions that each rescan the same long run and
 * then fail. Neither exists here:
 *   - no nested quantifiers, and no two unbounded runs of overlapping classes are adjacent, so an
 *     attempt gives characters back along one run at a time and costs O(what it scanned);
 *   - each pattern is either a literal prefix plus ONE run with only a minimum length and nothing
 *     after it (once the minimum is reached the match succeeds and the scan moves past it; a
 *     failing attempt costs at most the minimum), or a prefix that cannot start inside the runs
 *     that follow it (the runs exclude the prefix's characters, or a lookbehind forbids it), so
 *     each character is scanned by a bounded number of attempts. The PEM pattern never fails
 *     once its header matched: its lazy body stops only where a terminator succeeds.
 * Bounded pieces ({0,40}, {16}, {35}, the bearer prose lookahead) cost a constant per position.
 *
 * Runs are single character classes with `*`, `+` or `*?` only: V8 runs those without its
 * backtrack stack, whereas `(?:a|b)*` and `x{20,}` push one entry per character and throw
 * "Maximum call stack size exceeded" on lines of a few megabytes.
 */

// JSON escapes (\n, \t, \u001b...) end in a letter or digit, which would otherwise make a token
// right after a newline look glued to a preceding word.
const AFTER_JSON_ESCAPE = String.raw`(?<=\\[bfnrt]|\\u[0-9A-Fa-f]{4})`;
// Not preceded by a letter or digit, so `task-...` or `desk_live_...` are not taken for keys.
const TOKEN_START = String.raw`(?:(?<![A-Za-z0-9])|${AFTER_JSON_ESCAPE})`;
// A JWT may not start inside another base64url run: its segments need a trailing literal, so
// without this an input like `eyJeyJeyJ...` would be rescanned from every `eyJ` (quadratic).
const JWT_START = String.raw`(?:(?<![A-Za-z0-9_-])|${AFTER_JSON_ESCAPE})`;

/** `cls` at least `min` times, spelled so that V8 keeps it off its backtrack stack. */
function atLeast(cls: string, min: number): string {
  return `${cls}{${min}}${cls}*`;
}

interface SecretShape {
  readonly name: string;
  /** Cheap necessary condition, so most lines never reach the regex. */
  readonly mayMatch: (text: string) => boolean;
  readonly scrub: (text: string) => string;
}

function containsAny(...needles: string[]): (text: string) => boolean {
  return (text) => needles.some((needle) => text.includes(needle));
}

type Replacer = (match: string, ...groups: string[]) => string;

function replacing(pattern: RegExp, replacement: string | Replacer): (text: string) => string {
  return typeof replacement === 'string' ? (text) => text.replace(pattern, replacement) : (text) => text.replace(pattern, replacement);
}

function tokenShape(name: string, body: string, needles: string[]): SecretShape {
  return { name, mayMatch: containsAny(...needles), scrub: replacing(new RegExp(TOKEN_START + body, 'g'), REDACTED) };
}

// A PEM body that stopped at a `"` may end in an odd run of backslashes; the last one escapes
// that quote and has to stay, or the quote would end the JSON string early.
function redactKeepingEscape(match: string): string {
  let backslashes = 0;
  while (match.charCodeAt(match.length - 1 - backslashes) === 0x5c /* \ */) backslashes++;
  return backslashes % 2 === 1 ? `${REDACTED}\\` : REDACTED;
}

// RFC 7617 credentials always decode to `user-id:password`; requiring the colon keeps phrases
// such as "Basic auth is disabled" readable.
function redactBasicCredentials(match: string, scheme: string, credentials: string): string {
  return Buffer.from(credentials, 'base64').includes(0x3a /* : */) ? `${scheme} ${REDACTED}` : match;
}

const PEM_LABEL = '[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----';
const BEARER_WORD = /bearer/i;
const TOKEN68_CHAR = '[A-Za-z0-9._~+/=-]';
// Words that follow "Bearer" in prose and error messages ("Bearer token required"); skipped only
// when they are the whole run, so a real token that merely starts with "token" is still redacted.
const BEARER_PROSE = `(?!(?:token|tokens|auth|authentication|authorization|scheme|header|credentials|realm)(?!${TOKEN68_CHAR}))`;

const SHAPES: readonly SecretShape[] = [
  // First, so the shorter shapes below cannot cut a key block into pieces. A block whose END
  // line is missing (truncated message) is redacted up to the end of the JSON string.
  {
    name: 'pem-private-key',
    mayMatch: containsAny('-----BEGIN'),
    scrub: replacing(new RegExp(`-----BEGIN${PEM_LABEL}[^"]*?(?:-----END${PEM_LABEL}|(?=")|$)`, 'g'), redactKeepingEscape),
  },
  // scheme://user:password@host. The password runs to the LAST '@' before the path, because
  // people put raw '@' in passwords and stopping at the first one would leak the rest.
  {
    name: 'url-credentials',
    mayMatch: containsAny('://'),
    scrub: replacing(/(?<keep>:\/\/[^\s:@/"]*:)[^\s/"]*@/g, `$<keep>${REDACTED}@`),
  },
  { name: 'json-sensitive-key', mayMatch: containsAny('"'), scrub: scrubSensitiveJsonKeys },
  // The value may not end in a backslash: that one would be escaping the `"` after it.
  {
    name: 'url-query-credential',
    mayMatch: containsAny('='),
    scrub: replacing(
      /(?<keep>[?&;](?:access_token|refresh_token|id_token|client_secret|api_key|apikey|api-key|key|token|password|passwd|pwd|secret|signature|sig|x-amz-signature|x-amz-security-token|x-goog-signature)=)[^&;#\s"]+(?<!\\)/gi,
      `$<keep>${REDACTED}`,
    ),
  },
  // Auth schemes are case-insensitive (RFC 9110), and "bearer" is rare in prose.
  {
    name: 'bearer',
    mayMatch: (text) => BEARER_WORD.test(text),
    scrub: replacing(new RegExp(`(?<scheme>bearer)\\s+${BEARER_PROSE}${TOKEN68_CHAR}+`, 'gi'), `$<scheme> ${REDACTED}`),
  },
  // Only the spellings clients actually send: lower-case "basic" is an everyday word.
  {
    name: 'basic',
    mayMatch: containsAny('Basic', 'BASIC'),
    scrub: replacing(new RegExp(`(Basic|BASIC)\\s+(${atLeast('[A-Za-z0-9+/]', 4)}={0,2})`, 'g'), redactBasicCredentials),
  },
  tokenShape('portcullis-key', 'pc_(?:live|test|admin)_[A-Za-z0-9]+_[A-Za-z0-9]+', ['pc_']),
  // sk-..., sk-proj-..., sk-ant-..., sk-svcacct-...: all real keys are far longer than 20.
  tokenShape('openai-anthropic-key', `sk-${atLeast('[A-Za-z0-9_-]', 20)}`, ['sk-']),
  tokenShape('aws-access-key-id', '(?:AKIA|ASIA)[0-9A-Z]{16}', ['AKIA', 'ASIA']),
  tokenShape('github-token', `(?:gh[pousr]_${atLeast('[A-Za-z0-9]', 20)}|github_pat_${atLeast('[A-Za-z0-9_]', 20)})`, [
    'ghp_',
    'gho_',
    'ghu_',
    'ghs_',
    'ghr_',
    'github_pat_',
  ]),
  tokenShape('slack-token', `xox[abprs]-${atLeast('[A-Za-z0-9-]', 10)}`, ['xox']),
  tokenShape('google-api-key', 'AIza[0-9A-Za-z_-]{35}', ['AIza']),
  tokenShape('stripe-key', `[rs]k_(?:live|test)_${atLeast('[A-Za-z0-9]', 10)}`, ['k_live_', 'k_test_']),
  {
    name: 'jwt',
    mayMatch: containsAny('eyJ'),
    scrub: replacing(new RegExp(String.raw`${JWT_START}eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`, 'g'), REDACTED),
  },
];

/** Names of the recognised shapes, in the order they are applied. */
export const SECRET_SHAPE_NAMES: readonly string[] = SHAPES.map((shape) => shape.name);

export function scrubKnownShapes(text: string): string {
  let out = text;
  for (const shape of SHAPES) {
    if (shape.mayMatch(out)) out = shape.scrub(out);
  }
  return out;
}
