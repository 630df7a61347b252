/**
 * Credentials hard-coded in source as arguments rather than assignments: passed to a call that
 * takes them (`DriverManager.getConnection(url, "user", "…")`, `.basic_auth("ci", Some("…"))`,
 * `auth=("bot", "…")`, `new PDO($dsn, 'root', '…')`), set through a builder (`.password("…")`,
 * `.setApiKey("…")`), or filled into a URL template's password slot (`fmt.Sprintf("redis://:%s@…",
 * "…")`, `"…://etl:{}@host".format("…")`). Found missing by a sealed probe set of source code in
 * eleven languages (docs/guardrails.md).
 */
import { isPlaceholder } from '../allowlist.js';
import { looksRandom, shannonEntropy } from '../entropy.js';
import { secretNameKind } from '../names.js';
import type { RuleHit, RuleMatch, SecretRule } from '../rule.js';

/** A literal a person or a generator would use as a password or key, not a name, a URL or a placeholder. */
function credentialLike(value: string): boolean {
  if (value.length < 8 || value.length > 200 || /\s/.test(value)) return false;
  if (isPlaceholder(value, 'strict') || /^[A-Z][A-Z0-9_]*$/.test(value) || /[/:]{2}|^[./~]/.test(value)) return false;
  if (!/[A-Za-z]/.test(value) || !/[\d!@#$%^&*+=?_~-]/.test(value) || shannonEntropy(value) < 2.5) return false;
  return looksRandom(value, 8, 2.8) || /\d/.test(value);
}

/** Calls whose arguments are a user name and a password, or an id and a key. */
const CREDENTIAL_CALLS = [
  'basic_auth',
  'basicAuth',
  'BasicAuth',
  'SetBasicAuth',
  'WithCredentials',
  'withCredentials',
  'setCredentials',
  'getConnection',
  'PDO',
  'mysqli',
  'mysqli_connect',
  'NewStaticCredentials',
  'NewStaticCredentialsProvider',
  'StaticCredentialsProvider',
  'BasicAWSCredentials',
  'NetworkCredential',
  'UsernamePasswordCredentials',
  'PasswordAuthentication',
  'login',
  'auth',
  'init',
  'algoliasearch',
];
/** The call, then its arguments (one level of nested parentheses: `Some("…")`, `os.Getenv("…")`). */
const CREDENTIAL_CALL = new RegExp(
  `(?<![\\w$])(?:${CREDENTIAL_CALLS.join('|')})[ \\t]*(?:=[ \\t]*)?\\((?<args>[^()]{0,300}(?:\\([^()]{0,120}\\)[^()]{0,200}){0,3})\\)`,
  'g',
);
const LITERAL = /"([^"\\\r\n]{0,200})"|'([^'\\\r\n]{0,200})'/g;

/**
 * The last literal, when it is not the first argument and looks like a credential: the password
 * after its user, the key after its id (`Twilio.init(sid, "…")`).
 */
function judgeCredentialCall(m: RuleMatch): readonly RuleHit[] {
  const args = m.match.groups?.args ?? '';
  const at = m.match.indices?.groups?.args;
  if (!at) return [];
  const literals: { value: string; start: number }[] = [];
  for (const l of args.matchAll(LITERAL)) literals.push({ value: l[1] ?? l[2] ?? '', start: (l.index ?? 0) + 1 });
  const last = literals.filter((l) => l.value !== '').at(-1);
  if (last === undefined || !args.slice(0, last.start).includes(',') || !credentialLike(last.value)) return [];
  const start = m.offset + at[0] + last.start;
  return [{ start, end: start + last.value.length, type: 'generic-password' }];
}

/** `.password("…")`, `.setApiKey("…")`, `.token('…')`: a builder's setter given the literal. */
const SETTER = /\.(?<name>(?:set|with)?[A-Za-z_]{2,40})\(\s*(?<q>["'])(?<secret>[^"'\\\s]{1,200})\k<q>\s*\)/g;

/** The `.` before the method name the keyword is in (`.setApiKey` for "key"), or -1 when the name follows no dot. */
function setterStart(text: string, at: number): number {
  let i = at;
  while (i > 0 && /[A-Za-z_]/.test(text[i - 1]!)) i--;
  return i > 0 && text[i - 1] === '.' ? i - 1 : -1;
}

function judgeSetter(m: RuleMatch): boolean {
  const name = (m.match.groups?.name ?? '').replace(/^(?:set|with)(?=[A-Z_])/, '');
  const kind = secretNameKind(name);
  if (kind === undefined) return false;
  return kind === 'password'
    ? m.secret.length >= 6 && shannonEntropy(m.secret) >= 2 && !/^[a-z]+(?:[._-][a-z]+)*$/.test(m.secret)
    : looksRandom(m.secret, 10, 3);
}

/**
 * A URL template with a placeholder where the password goes, then the first literal argument
 * after it: Go's `Sprintf("redis://:%s@…", "…")`, Rust's `format!("…://u:{}@…", "…")`, Python's
 * `"…://u:{}@…".format("…")`.
 */
const URL_TEMPLATE =
  /:\/\/[^\s:/@"']{0,64}:(?:%s|%v|\{\}|\{0\}|\{[a-z_]{1,20}\})@[^"'\s]{1,200}["'](?:\)?\.format\(|[ \t]*,\s{0,40})(?<q>["'])(?<secret>[^"'\\\r\n]{1,200})\k<q>/g;

export const CODE_CREDENTIAL_RULES: readonly SecretRule[] = [
  {
    id: 'generic-password',
    keywords: CREDENTIAL_CALLS.map((c) => c.toLowerCase()),
    // the keyword is the call's name: matched from where it is found, not over a window around it
    pattern: CREDENTIAL_CALL,
    confidence: 0.75,
    placeholders: 'none',
    check: judgeCredentialCall,
    priority: 0,
  },
  {
    id: 'generic-password',
    keywords: ['pass', 'pw', 'secret', 'token', 'key', 'auth', 'cred'],
    pattern: SETTER,
    anchor: setterStart,
    confidence: 0.75,
    placeholders: 'strict',
    check: judgeSetter,
    priority: 0,
  },
  {
    id: 'generic-password',
    keywords: ['%s@', '%v@', '{}@', '{0}@'],
    pattern: URL_TEMPLATE,
    anchor: 'window',
    before: 120,
    after: 320,
    confidence: 0.8,
    placeholders: 'strict',
    check: ({ secret }) => credentialLike(secret),
    priority: 1,
  },
];
