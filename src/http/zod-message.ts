import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

// Messages are built from the schema side of each issue only (expected types, limits,
// allowed literals), never from Zod's own text: its messages and any global error map may
// quote the submitted data, and request bodies routinely carry prompts and credentials.

const MAX_ISSUES = 5;
const MAX_VALUES_LISTED = 10;
const MAX_TEXT = 200;
// Object keys can come from the client (records, unknown keys); only short, plain ones are
// shown, so a key cannot smuggle data or markup into the message.
const SHOWABLE_KEY = /^[A-Za-z0-9_$-]{1,64}$/;

/**
 * A readable, value-free summary of a Zod failure, e.g.
 * `model: is required; messages[0].role: must be one of "user", "assistant"`.
 * `input`, when given, is consulted only to tell a missing field from a mistyped one.
 */
export function describeZodError(error: z.core.$ZodError, input?: unknown): string {
  const parts: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) parts.push(`${formatPath([...issue.path, key])}: is not an accepted field`);
    } else {
      parts.push(`${formatPath(issue.path)}: ${describeIssue(issue, input)}`);
    }
  }
  const shown = parts.slice(0, MAX_ISSUES);
  if (parts.length > MAX_ISSUES) shown.push(`and ${parts.length - MAX_ISSUES} more`);
  return shown.join('; ');
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && SHOWABLE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += '[?]';
  }
  return out;
}

function describeIssue(issue: Issue, input: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) return `expected ${issue.expected}`;
      const found = lookup(input, issue.path);
      if (!found.present) return 'is required';
      return `expected ${issue.expected}, got ${kindOf(found.value)}`;
    }
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${showLiteral(issue.values[0])}` : `must be one of ${listLiterals(issue.values)}`;
    case 'too_small':
      return describeBound('small', issue.origin, issue.minimum, issue.inclusive, issue.exact);
    case 'too_big':
      return describeBound('big', issue.origin, issue.maximum, issue.inclusive, issue.exact);
    case 'invalid_format':
      // A message a schema gave its pattern ("must be an HTTP status (429) or a class (4xx)") says more than ours;
      // Zod's defaults all start "Invalid" and may print the pattern, so they are replaced.
      if (!issue.message.startsWith('Invalid')) return clean(issue.message);
      return issue.format === 'regex' ? 'does not match the required pattern' : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_union':
      // For discriminated unions Zod already points the path at the discriminator.
      if (issue.discriminator !== undefined && 'options' in issue && issue.options !== undefined) {
        return `must be one of ${listLiterals(issue.options)}`;
      }
      return 'does not match any accepted form';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    case 'custom':
      // Refinement messages are written by us, not derived from input; refinements must
      // keep it that way (never interpolate the value into the message).
      return clean(issue.message) || 'is invalid';
    default:
      return 'is invalid';
  }
}

function describeBound(
  side: 'small' | 'big',
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  exact: boolean | undefined,
): string {
  const unit =
    origin === 'string' ? 'character(s)' : origin === 'array' || origin === 'set' ? 'item(s)' : origin === 'file' ? 'byte(s)' : undefined;
  if (unit !== undefined) {
    const qualifier = exact === true ? 'exactly' : side === 'small' ? 'at least' : 'at most';
    return `must have ${qualifier} ${limit} ${unit}`;
  }
  if (origin === 'date') return side === 'small' ? 'is too early' : 'is too late';
  const operator = side === 'small' ? (inclusive === false ? '>' : '>=') : inclusive === false ? '<' : '<=';
  return `must be ${operator} ${limit}`;
}

function listLiterals(values: readonly unknown[]): string {
  const shown = values.slice(0, MAX_VALUES_LISTED).map(showLiteral).join(', ');
  return values.length > MAX_VALUES_LISTED ? `${shown}, ...` : shown;
}

function showLiteral(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(clean(value));
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return 'undefined';
}

function clean(text: string): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, MAX_TEXT);
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function lookup(root: unknown, path: readonly PropertyKey[]): { present: boolean; value?: unknown } {
  let current: unknown = root;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || typeof segment === 'symbol') return { present: false };
    // Own properties only: a key such as "constructor" must not resolve through the prototype.
    if (!Object.hasOwn(current, segment)) return { present: false };
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current === undefined ? { present: false } : { present: true, value: current };
}
