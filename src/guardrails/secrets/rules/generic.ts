/**
 * Format-free rules: a secret-looking name assigned a random-looking value (config files, .env,
 * code, JSON, YAML, XML), credentials in curl commands, Authorization headers, URLs with a
 * password, and Kubernetes Secret manifests. These carry most of the false-positive risk, so each
 * candidate passes the strict placeholder allowlist and a randomness test.
 */
import { isPlaceholder } from '../allowlist.js';
import { decodeBase64Text } from '../checksums.js';
import { looksRandom, shannonEntropy } from '../entropy.js';
import { secretNameKind } from '../names.js';
import type { RuleHit, RuleMatch, SecretRule } from '../rule.js';

/** Name (identifier, dotted path, header or quoted key), then an assignment operator, then the value. */
const ASSIGNMENT = new RegExp(
  [
    // not the variable of a shell expansion: `${POSTGRES_PASSWORD:?must be set}`
    '(?<![A-Za-z0-9_$@])(?<!\\$\\{)',
    '(?<name>[A-Za-z_$@][A-Za-z0-9_.$@-]{0,80})',
    // `apikey[] =` (PHP arrays), `dict["secret"] =`.
    '(?:\\[\\])?["\'`]?\\]?',
    // Go `var name string =`, Kotlin/TS `name: String =`.
    '(?:[ \\t]{1,4}(?<name2>[A-Za-z_][\\w.*\\[\\]]{0,30})|[ \\t]{0,4}:[ \\t]{0,4}[A-Za-z_][\\w.<>?\\[\\]]{0,30})?',
    '[ \\t]{0,8}',
    // No operator at all only before a quoted literal closed by `;` (`private_key "…";`, C-like config).
    '(?:::?:?=|:=|\\?=|\\.=|\\+=|=>|<-|=(?![=~>])|:(?![:/\\\\])|(?=["\'][^"\'\\r\\n]{1,300}["\'];))',
    '[ \\t]{0,8}@?',
    '(?:"(?<dq>[^"\\r\\n]{0,300})"|\'(?<sq>[^\'\\r\\n]{0,300})\'|`(?<bq>[^`\\r\\n]{0,300})`|(?<bare>[^\\s"\'`,;\\\\]{1,300}))',
  ].join(''),
  'g',
);

/** `<add key="ClearTextPassword" value="…" />` (NuGet, app.config, web.config). */
const XML_KEY_VALUE = /\b(?:key|name)\s{0,2}=\s{0,2}"(?<name>[^"\r\n]{1,80})"\s{1,8}value\s{0,2}=\s{0,2}"(?<dq>[^"\r\n]{0,300})"/g;

/** `<password>…</password>`, `<ApiKey>…</ApiKey>`, `<Pass encoding="base64">…</Pass>`. */
const XML_ELEMENT = /<(?<name>[A-Za-z_][\w.:-]{0,80})(?:\s[^<>\r\n]{0,120})?>\s{0,40}(?<bare>[^<>\s]{1,300})\s{0,40}<\/\k<name>>/g;

/** `("api_token", "…")`: setProperty, getenv-with-default (`env("SECRET_KEY", default="…")`), dictionary literals. */
const CALL_PAIR =
  /["'](?<name>[A-Za-z_][\w.-]{0,80})["']\s{0,4},(?:[ \t]{0,16}|\s{0,16}default\s{0,2}=\s{0,2})["'](?<dq>[^"'\r\n]{1,300})["']/g;

/** Unquoted values that are code, not literals: `this.apiKey`, `foo(bar)`, `request.json['x']`, `password)`. */
function isCode(value: string): boolean {
  // a PowerShell cmdlet (`$pw = ConvertTo-SecureString $Password …`)
  if (
    /^(?:Get|Set|New|Remove|Add|ConvertTo|ConvertFrom|Read|Write|Invoke|Import|Export|Start|Stop|Test|Out|Select|Where|ForEach|Format|Join|Split)-[A-Z][A-Za-z]+$/.test(
      value,
    )
  )
    return true;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+[,;)]?$/.test(value)) return true;
  if (/^[\w.$:]+[([]/.test(value) || /^[\w.$]*\)$/.test(value)) return true;
  const paren = value.indexOf('(');
  if (paren !== -1 && value.indexOf(')', paren) !== -1) return true;
  const bracket = value.indexOf('[');
  return bracket !== -1 && value.indexOf(']', bracket) !== -1;
}

const EMAIL = /^[^@\s]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
const PATH_OR_URL = /^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)|:\/\//;
const VERSION = /^v?\d+(?:\.\d+)+(?:[-+][\w.]+)?$|\d+\.\d+\.\d+$/;

/**
 * Values carrying a provider prefix belong to that provider's rule, which knows the exact format:
 * when it rejected "xoxp-1234-1234-…" or "ghp_xxxx…", the generic rule must not flag it anyway.
 */
const PROVIDER_PREFIX =
  /^(?:xox[abposre][-.]|xapp-|gh[pousr]_|github_pat_|gl(?:pat|ptt|rt|dt|cbt|ft|imt|oas|soat|ffct)-|sk-(?:ant|proj|svcacct|admin)-|A(?:KIA|SIA|BIA|CCA)[A-Z0-9]|hf_|api_org_|pplx-|gsk_|ops_eyJ|gl(?:c|sa)_|ntn_|sgp_|pnu_|rdme_|pul-|ico-|dapi[a-f0-9]|AIza|SG\.|sq0(?:atp|csp)-|hv[sb]\.|fo1_|npm_|pypi-|whsec_|[rs]k_(?:live|test|prod)_|AKCp|cmVmdGtu|sntry[su]_|ATATT3|HRKU-|dp\.(?:pt|st|sa|ct)\.|dckr_(?:pat|oat)_|pscale_(?:pw|tkn|oauth)_|NR(?:AK|II|JS)-|nfp_|AAAA[A-Za-z0-9_-]{7}:APA91b|PMAK-|CLOJARS_|AGE-SECRET-KEY-|ABSK|bedrock-api-key-|shp(?:at|ca|pa|ss)_|lin_api_|s-s4t2)/;

/**
 * Hex with one or two letters in the other case ("acdeFf05…"): generated hex is single-case, so
 * this is a hand-edited fixture, not a key.
 */
function oddCaseHex(value: string): boolean {
  if (value.length < 20 || !/^[0-9a-fA-F]+$/.test(value)) return false;
  const upper = value.replace(/[^A-F]/g, '').length;
  const lower = value.replace(/[^a-f]/g, '').length;
  return Math.min(upper, lower) >= 1 && Math.min(upper, lower) <= 2 && Math.max(upper, lower) >= 8;
}

/** [A-Za-z_$@]: may start a name. By char code: these run for every generic keyword hit. */
function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24 || c === 0x40;
}

/** [A-Za-z0-9_.$@-]: may continue a name. */
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2d;
}

/** Start of the identifier containing position `at` (walks back at most 80 characters), or -1. */
function nameStart(text: string, at: number): number {
  let i = at;
  const limit = Math.max(0, at - 80);
  while (i > limit && isNameChar(text.charCodeAt(i - 1))) i--;
  while (i < at && !isNameStart(text.charCodeAt(i))) i++;
  // charCodeAt past the end is NaN, which is no name start.
  return isNameStart(text.charCodeAt(i)) ? i : -1;
}

/** The `<` of an XML element whose name contains the keyword. */
function elementStart(text: string, at: number): number {
  const i = nameStart(text, at);
  return i > 0 && text[i - 1] === '<' ? i - 1 : -1;
}

/** The opening quote of a quoted key containing the keyword. */
function quotedStart(text: string, at: number): number {
  const i = nameStart(text, at);
  return i > 0 && (text[i - 1] === '"' || text[i - 1] === "'") ? i - 1 : -1;
}

/** `key="…Password…"`: the start of the `key=` / `name=` attribute around the keyword. */
function attributeStart(text: string, at: number): number {
  // Bounded look back (an unbounded lastIndexOf would make many hits quadratic).
  const limit = Math.max(0, at - 80);
  const found = text.slice(limit, at).lastIndexOf('"');
  if (found === -1) return -1;
  const quote = limit + found;
  const head = /\b(?:key|name)\s{0,2}=\s{0,2}$/.exec(text.slice(Math.max(0, quote - 12), quote));
  return head ? quote - head[0].length : -1;
}

/** The scheme before "://". */
function schemeStart(text: string, at: number): number {
  let i = at;
  const limit = Math.max(0, at - 20);
  while (i > limit && /[A-Za-z0-9+.-]/.test(text[i - 1]!)) i--;
  while (i < at && !/[A-Za-z]/.test(text[i]!)) i++;
  return i < at ? i : -1;
}

/** Two or more lower-case words joined by hyphens. */
const KEBAB_SLUG = /^[a-z]+(?:-[a-z]+)+$/;

/**
 * What a config stores in a password's place that is not the password: a crypt-style hash
 * (bcrypt `$2a$12$…`, argon2, sha-crypt `$6$…`: a fixture's `encrypted_password`), a Maven
 * password encrypted under the master key (`{COQLCE6DU6GtcS5P=}`), and a Bitnami SealedSecret's
 * ciphertext, which only the cluster's controller can open.
 */
const CRYPT_HASH = /^\$(?:2[abxy]?|argon2(?:id|i|d)|[156]|y|pbkdf2(?:-sha\d+)?)\$/;
const MAVEN_ENCRYPTED = /^\{[A-Za-z0-9+/]{8,}={0,2}\}$/;
function storedNotSecret(value: string, text: string): boolean {
  if (CRYPT_HASH.test(value) || MAVEN_ENCRYPTED.test(value)) return true;
  return value.length >= 200 && value.startsWith('Ag') && text.includes('SealedSecret');
}

/** Judges one name/value pair; returns the hit for the value or nothing. */
function judgeAssignment(m: RuleMatch): readonly RuleHit[] {
  const groups = m.match.groups ?? {};
  // `string apiToken = …` (C#, Java): the first word is a type, the second the name.
  const kind = secretNameKind(groups.name ?? '') ?? (groups.name2 !== undefined ? secretNameKind(groups.name2) : undefined);
  if (kind === undefined) return [];
  const bare = groups.bare;
  const value = groups.dq ?? groups.sq ?? groups.bq ?? bare ?? '';
  const trimmed = value.trim();
  if (trimmed.length === 0 || /\s/.test(trimmed)) return [];
  if (bare !== undefined && isCode(trimmed)) return [];
  if (isPlaceholder(trimmed, 'strict') || EMAIL.test(trimmed) || PATH_OR_URL.test(trimmed) || VERSION.test(trimmed)) return [];
  if (/^[0-9]+$/.test(trimmed) || PROVIDER_PREFIX.test(trimmed) || storedNotSecret(trimmed, m.text)) return [];
  const secretAt =
    m.match.indices?.groups?.dq ?? m.match.indices?.groups?.sq ?? m.match.indices?.groups?.bq ?? m.match.indices?.groups?.bare;
  if (!secretAt) return [];
  // `indices` are relative to the window slice; m.start/m.end give the absolute offset of the whole match.
  const shift = m.start - m.match.index;
  const start = secretAt[0] + shift + (value.length - value.trimStart().length);
  const end = start + trimmed.length;
  if (kind === 'password') {
    // Passwords are chosen by people: short words are fine, but not "abc", "0" or "aaaaaa".
    if (trimmed.length < 6 || shannonEntropy(trimmed) < 2) return [];
    // An unquoted lower-case slug ("shorter-version", "from-vault") names something; people do not type those as passwords.
    if (bare !== undefined && KEBAB_SLUG.test(trimmed)) return [];
    return [{ start, end, type: 'generic-password', confidence: looksRandom(trimmed) ? 0.8 : 0.6 }];
  }
  if (!looksRandom(trimmed, 10, 3) || oddCaseHex(trimmed)) return [];
  return [{ start, end, type: 'generic-high-entropy', confidence: shannonEntropy(trimmed) >= 4 ? 0.75 : 0.6 }];
}

const GENERIC_KEYWORDS = ['pass', 'pw', 'secret', 'token', 'key', 'auth', 'cred', 'contrase'];

/**
 * A credential given to a command-line flag: `vercel --token …`, `netlify deploy --auth …`,
 * `docker login -u ci -p …`, `--api-key=…`, `--client-secret …`. Tools take their token so in CI
 * scripts and in the terminal sessions people paste. `-p` is a password only after `login` on
 * the same line (`docker run -p 8080:80` is a port).
 */
const CLI_FLAGS = [
  '--token',
  '--auth',
  '--auth-token',
  '--access-token',
  '--api-key',
  '--apikey',
  '--api-token',
  '--password',
  '--passwd',
  '--secret',
  '--client-secret',
  // keytool and jarsigner
  '-storepass',
  '-keypass',
  '-srcstorepass',
  '-deststorepass',
  '-srckeypass',
  '-destkeypass',
  '-p',
];
const CLI_FLAG = new RegExp(
  `(?<![\\w-])(?<flag>${CLI_FLAGS.join('|')})(?:[ \\t]{1,4}|=)(?<value>"[^"\\r\\n]{1,200}"|'[^'\\r\\n]{1,200}'|[^\\s"'|;&]{1,200})`,
  'g',
);

function judgeCliFlag(m: RuleMatch): readonly RuleHit[] {
  const { flag = '', value = '' } = m.match.groups ?? {};
  const valueAt = m.match.indices?.groups?.value;
  if (!valueAt) return [];
  const quoted = value.startsWith('"') || value.startsWith("'");
  const secret = quoted ? value.slice(1, -1) : value;
  if (flag === '-p') {
    const lineStart = m.text.lastIndexOf('\n', m.start) + 1;
    if (!/\blogin\b/.test(m.text.slice(lineStart, m.start))) return [];
  }
  if (secret.startsWith('-') || isPlaceholder(secret, 'strict') || isCode(secret) || PATH_OR_URL.test(secret)) return [];
  const password = flag === '-p' || flag.includes('pass');
  if (password ? secret.length < 8 || shannonEntropy(secret) < 2.5 : !looksRandom(secret, 16, 3)) return [];
  const start = valueAt[0] + (m.start - m.match.index) + (quoted ? 1 : 0);
  return [{ start, end: start + secret.length, type: password ? 'generic-password' : 'generic-high-entropy' }];
}

/**
 * MySQL's clients take the password glued to `-p` (`mysql -u root -pS3cr3t db`): a bare `-p`
 * prompts for it instead, and `-p 3306` is no password. Read only on a line that runs one of them.
 */
const MYSQL_ATTACHED_PASSWORD =
  /\b(?:mysql|mysqldump|mysqladmin|mysqlimport|mysqlcheck|mysqlshow|mysqlsh|mariadb|mariadb-dump)\b[^\n]{0,200}?(?<![\w-])-p(?<secret>"[^"\r\n]{1,200}"|'[^'\r\n]{1,200}'|[^\s"'|;&]{1,200})/g;

function judgeMysqlPassword(m: RuleMatch): readonly RuleHit[] {
  const raw = m.match.groups?.secret ?? '';
  const at = m.match.indices?.groups?.secret;
  if (!at) return [];
  const quoted = raw.startsWith('"') || raw.startsWith("'");
  const secret = quoted ? raw.slice(1, -1) : raw;
  if (secret.startsWith('$') || isPlaceholder(secret, 'strict') || isCode(secret)) return [];
  if (secret.length < 8 || shannonEntropy(secret) < 2.5) return [];
  const start = m.offset + at[0] + (quoted ? 1 : 0);
  return [{ start, end: start + secret.length, type: 'generic-password' }];
}

/** A `.netrc` entry: `machine host login user password secret` (on one line or several). */
const NETRC = /\bmachine[ \t]+[\w.-]{1,100}\s{1,40}login[ \t]+\S{1,100}\s{1,40}password[ \t]+(?<secret>[^\s]{6,200})/g;

/** The credential after curl/wget `-u`/`--user`: `user:password`, quoted in any of the usual ways. */
const CURL_USER =
  /(?<![\w-])(?:-u|--user|--http-user|--proxy-user)(?:[ \t]{1,4}|=)(?<cred>"[^"\r\n]{0,200}"(?::"[^"\r\n]{0,200}")?|'[^'\r\n]{0,200}'|[^\s"':]{0,200}(?::'[^'\r\n]{0,200}'|:"[^"\r\n]{0,200}"|:[^\s"']{0,200})?)/g;

function judgeCurlUser(m: RuleMatch): readonly RuleHit[] {
  const credAt = m.match.indices?.groups?.cred;
  const raw = m.match.groups?.cred;
  if (!credAt || raw === undefined) return [];
  // Only in an HTTP client command (same command, possibly continued over lines).
  const context = m.text.slice(Math.max(0, m.start - 1000), m.start);
  if (!/curl|wget|https?:|http\b/i.test(context) && !/https?:\/\//.test(m.text.slice(m.end, m.end + 300))) return [];
  if (isPlaceholder(raw.replace(/["']/g, ''), 'strict')) return [];
  const absolute = credAt[0] + (m.start - m.match.index);
  // Split user:password at the first colon outside quotes, keeping absolute offsets of the password.
  let colon = -1;
  let quote = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === ':') {
      colon = i;
      break;
    }
  }
  if (colon === -1) {
    // "user:pass" inside one pair of quotes.
    const inner = raw.replace(/^["']|["']$/g, '');
    colon = inner.indexOf(':');
    if (colon === -1) return [];
    colon += raw.length - raw.replace(/^["']/, '').length;
  }
  const strip = (s: string): string => s.replace(/^["']|["']$/g, '');
  const user = strip(raw.slice(0, colon));
  const passRaw = raw.slice(colon + 1);
  const password = strip(passRaw);
  const secret = password.length > 0 ? password : user;
  if (secret.length < 6 || isPlaceholder(secret, 'strict') || (user.length > 0 && isPlaceholder(user, 'format') && password.length === 0))
    return [];
  if (password.length > 0 && user.length > 0 && isPlaceholder(`${user}:${password}`, 'strict')) return [];
  if (password === user) return [];
  const offset = password.length > 0 ? colon + 1 + passRaw.indexOf(password) : raw.indexOf(user);
  return [{ start: absolute + offset, end: absolute + offset + secret.length }];
}

/** `Authorization: <scheme> <credentials>` in headers, curl -H, HTTP dumps and code. */
const AUTH_HEADER =
  /(?<![A-Za-z0-9])(?:[Aa]uthorization|AUTHORIZATION)["']?[ \t]{0,4}(?:=>|[:=,])[ \t]{0,4}["']?[ \t]{0,4}(?:(?<scheme>[Bb]earer|BEARER|[Bb]asic|BASIC|[Tt]oken|[Dd]igest|[Aa]pi-?[Tt]oken|[Aa]pi-?[Kk]ey|[Oo][Aa]uth|[Bb]ot|[Kk]ey|SSWS|GenieKey)[ \t]{1,4})?(?<secret>[A-Za-z0-9+/=_.~@:!$%^&*|-]{1,4000})/g;

function judgeAuthHeader(m: RuleMatch): boolean | number {
  const scheme = (m.match.groups?.scheme ?? '').toLowerCase();
  const value = m.secret.replace(/[.,:;]$/, '');
  if (isPlaceholder(value, 'strict')) return false;
  if (scheme === 'basic') {
    const decoded = decodeBase64Text(value);
    return decoded !== undefined && decoded.includes(':') && !isPlaceholder(decoded, 'strict') ? 0.9 : false;
  }
  if (value.length < 8) return false;
  return looksRandom(value, 8, 2.8) ? 0.85 : false;
}

/** scheme://user:password@host — database URLs, git remotes, proxies, package indexes. */
/**
 * A URL with a password. The password may hold numeric character references: a URL written into
 * HTML whose password has an at sign in it ("pa&#64;ss"), which the detection view reads as the
 * at sign that ends the credentials, is found over the text as written (value-findings.ts).
 */
const URL_CREDENTIALS =
  /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/(?<user>[^\s:@/?#'"<>]{0,100}):(?<secret>(?:[^\s@/?#'"<>]|&#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});){1,200})@(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9a-fA-F:]+\])/g;

function judgeUrlCredentials(m: RuleMatch): boolean {
  const user = m.match.groups?.user ?? '';
  const password = m.secret;
  if (password.length < 4 || password === user || /^[0-9]{1,5}$/.test(password)) return false;
  return !isPlaceholder(password, 'strict') && !isPlaceholder(decodeURIComponentSafe(password), 'strict');
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * A Kubernetes `kind: Secret` manifest: report each non-empty value under `data:` (base64 that
 * decodes to at least 4 characters) or `stringData:` in the same YAML document.
 */
function judgeKubernetesSecret(m: RuleMatch): readonly RuleHit[] {
  const { text } = m;
  const docStart = Math.max(0, text.lastIndexOf('\n---', m.start) + 1);
  const nextDoc = text.indexOf('\n---', m.end);
  const docEnd = nextDoc === -1 ? text.length : nextDoc;
  if (docEnd - docStart > 64_000) return [];
  const doc = text.slice(docStart, docEnd);
  const hits: RuleHit[] = [];
  const block = /(?:^|\n)(?<indent>[ \t]*)(?<key>data|stringData):[ \t]*\r?\n/g;
  let b: RegExpExecArray | null;
  while ((b = block.exec(doc)) !== null) {
    const indent = b.groups?.indent?.length ?? 0;
    const isString = b.groups?.key === 'stringData';
    let pos = b.index + b[0].length;
    while (pos < doc.length) {
      const eol = doc.indexOf('\n', pos);
      const lineEnd = eol === -1 ? doc.length : eol;
      const line = doc.slice(pos, lineEnd);
      const lineIndent = /^[ \t]*/.exec(line)![0].length;
      if (line.trim() === '' || line.trimStart().startsWith('#')) {
        pos = lineEnd + 1;
        continue;
      }
      if (lineIndent <= indent) break;
      const entry = /^[ \t]*[\w.-]{1,253}:[ \t]*(?<value>.*?)[ \t]*\r?$/.exec(line);
      let value = entry?.groups?.value ?? '';
      let valueAt = pos + line.indexOf(value, lineIndent);
      if (value === '|' || value === '>' || value === '|-' || value === '>-') {
        // Block scalar: the value is the next, more indented line.
        const nextStart = lineEnd + 1;
        const nextEol = doc.indexOf('\n', nextStart);
        const next = doc.slice(nextStart, nextEol === -1 ? doc.length : nextEol);
        value = next.trim();
        valueAt = nextStart + next.indexOf(value);
        pos = (nextEol === -1 ? doc.length : nextEol) + 1;
      } else pos = lineEnd + 1;
      const unquoted = value.replace(/^(["'])(.*)\1$/, '$2');
      if (unquoted !== value) valueAt += 1;
      if (unquoted.length === 0 || isPlaceholder(unquoted, 'format')) continue;
      const plain = isString ? unquoted : decodeBase64Text(unquoted);
      if (plain === undefined || plain.trim().length < 4) continue;
      hits.push({ start: docStart + valueAt, end: docStart + valueAt + unquoted.length });
    }
  }
  return hits;
}

export const GENERIC_RULES: readonly SecretRule[] = [
  {
    id: 'generic-high-entropy',
    keywords: GENERIC_KEYWORDS,
    pattern: ASSIGNMENT,
    anchor: nameStart,
    confidence: 0.6,
    placeholders: 'none',
    check: judgeAssignment,
    priority: 0,
  },
  {
    id: 'generic-high-entropy',
    keywords: GENERIC_KEYWORDS,
    pattern: XML_KEY_VALUE,
    anchor: attributeStart,
    confidence: 0.6,
    placeholders: 'none',
    check: judgeAssignment,
    priority: 0,
  },
  {
    id: 'generic-high-entropy',
    keywords: GENERIC_KEYWORDS,
    pattern: XML_ELEMENT,
    anchor: elementStart,
    confidence: 0.6,
    placeholders: 'none',
    check: judgeAssignment,
    priority: 0,
  },
  {
    id: 'generic-high-entropy',
    keywords: GENERIC_KEYWORDS,
    pattern: CALL_PAIR,
    anchor: quotedStart,
    confidence: 0.6,
    placeholders: 'none',
    check: judgeAssignment,
    priority: 0,
  },
  {
    id: 'generic-high-entropy',
    keywords: CLI_FLAGS,
    pattern: CLI_FLAG,
    confidence: 0.75,
    placeholders: 'none',
    check: judgeCliFlag,
    priority: 0,
  },
  {
    id: 'generic-password',
    keywords: ['mysql', 'mariadb'],
    pattern: MYSQL_ATTACHED_PASSWORD,
    confidence: 0.8,
    placeholders: 'none',
    check: judgeMysqlPassword,
    priority: 1,
  },
  {
    id: 'generic-password',
    keywords: ['machine'],
    pattern: NETRC,
    confidence: 0.85,
    placeholders: 'strict',
    // documentation writes "password qwerty" or "secret"; a password kept in a file is longer
    check: ({ secret }) => secret.length >= 8 && shannonEntropy(secret) >= 2.5,
    priority: 1,
  },
  {
    id: 'curl-auth-user',
    keywords: ['-u', '--user', '--proxy-user'],
    pattern: CURL_USER,
    confidence: 0.8,
    placeholders: 'none',
    check: judgeCurlUser,
    priority: 1,
  },
  {
    id: 'authorization-header',
    keywords: ['authorization'],
    pattern: AUTH_HEADER,
    confidence: 0.85,
    placeholders: 'none',
    check: judgeAuthHeader,
    priority: 1,
  },
  {
    id: 'url-credentials',
    keywords: ['://'],
    pattern: URL_CREDENTIALS,
    anchor: schemeStart,
    confidence: 0.85,
    placeholders: 'none',
    check: judgeUrlCredentials,
    priority: 1,
  },
  {
    id: 'kubernetes-secret-yaml',
    keywords: ['secret'],
    anchor: 'window',
    pattern: /(?<![\w-])kind:[ \t]{0,4}["']?[Ss]ecret["']?(?![\w-])/g,
    before: 12,
    after: 12,
    confidence: 0.85,
    placeholders: 'none',
    check: judgeKubernetesSecret,
    priority: 2,
  },
];
