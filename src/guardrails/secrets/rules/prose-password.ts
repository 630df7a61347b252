/**
 * A password given in a sentence: "my password is Tr0ub4dor&3", "the wifi password is
 * "BlueSky-4821-Harbor"", "Mein Passwort ist Sommer2024!". The assignment rules
 * (generic.ts) read `password: …` and `password = …` in code and config; a gateway also sees chat,
 * where people write the verb (English, German, French, Spanish, Portuguese, Dutch). Only a value a person would pick as a password counts: letters
 * with a digit or a symbol, 6 to 64 characters, not a placeholder, so the sentences that talk
 * about passwords ("the password is incorrect", "is case-sensitive", "is 8 characters long",
 * "was changed yesterday") are not read as giving one.
 */
import { isUnspacedScriptLetter } from '../../pii/letters.js';
import { isPlaceholder } from '../allowlist.js';
import { shannonEntropy } from '../entropy.js';
import type { RuleHit, RuleMatch, SecretRule } from '../rule.js';

// "contrase" stands for "contraseña" in the pre-filter (it found ASCII keywords only until 2026-12-02).
const NOUNS = ['password', 'passwort', 'passcode', 'passphrase', 'contraseña', 'mot de passe', 'senha', 'wachtwoord'];
const KEYWORDS = ['password', 'passwort', 'passcode', 'passphrase', 'contrase', 'mot de passe', 'senha', 'wachtwoord'];

// The noun, up to three words naming what it is for ("password for the router", "password for
// the `app_admin` role"), a verb of giving
// ("is", "was set to", "est", "ist"), then the value: quoted, or up to the next space.
const PROSE_PASSWORD = new RegExp(
  `(?:${NOUNS.join('|')})(?:[ \\t]+(?:for|of|to|on)[ \\t]+[^\\s"'“]{1,40}(?:[ \\t]+[^\\s"'“]{1,40}){0,2})?[ \\t]{0,3}` +
    // longest first: "was changed to X" is not "was" + "changed"
    `(?:(?:has been |have been |was |is |got )?(?:set|changed|reset|updated) to|will be|is still|is now|was|ist|est|is|es|é)` +
    `(?=[ \\t"'“\`])[ \\t]{0,3}(?:now[ \\t]+)?(?<secret>"[^"\\r\\n]{1,64}"|'[^'\\r\\n]{1,64}'|“[^”\\r\\n]{1,64}”|\`[^\`\\r\\n]{1,64}\`|[^\\s"'“\`]{1,80})`,
  'gi',
);

/** "8-characters", "12-digit", "2FA-protected": a number of something, not a password. */
const MEASURE =
  /^\d+[- ]?(?:chars?|characters?|digits?|letters?|symbols?|words?|minutes?|hours?|days?|weeks?|months?|years?|times?|attempts?|fa|step)\b/i;
const VERSION = /^v?\d+(?:\.\d+)+$/;
const HAS_LETTER = /\p{L}/u;
const HAS_DIGIT_OR_SYMBOL = /[\d!@#$%^&*+=~?<>|\\/.,;:()[\]{}]/;

function judgeProsePassword(m: RuleMatch): readonly RuleHit[] {
  const at = m.match.indices?.groups?.secret;
  if (!at) return [];
  let value = m.secret;
  let start = m.offset + at[0];
  const quoted = /^["'“`]/.test(value);
  if (quoted) {
    value = value.slice(1, -1);
    start += 1;
  } else {
    // Sentence punctuation after it, and words of scripts written without spaces ("です", "。").
    for (let i = 0; i < value.length; i++)
      if (isUnspacedScriptLetter(value.charCodeAt(i)) || /[。、，！？」』）]/.test(value[i]!)) {
        value = value.slice(0, i);
        break;
      }
    value = value.replace(/[.,;:)\]]+$/, '');
  }
  return passwordLike(value) ? [{ start, end: start + value.length }] : [];
}

/** A value a person would pick as a password: not a measure, a word, an address or a placeholder. */
function passwordLike(value: string): boolean {
  if (value.length < 6 || value.length > 64 || /\s/.test(value)) return false;
  if (!HAS_LETTER.test(value) || !HAS_DIGIT_OR_SYMBOL.test(value) || MEASURE.test(value)) return false;
  if (/^[\p{L}-]+[.,;:]?$/u.test(value) || /^https?:|@/.test(value) || VERSION.test(value)) return false;
  return !isPlaceholder(value, 'strict') && shannonEntropy(value) >= 2;
}

/**
 * The same in Chinese, Japanese, Korean and Russian, where the value follows the noun with a
 * particle, a colon or nothing at all ("密码是Tr0ub4dor&3", "パスワードは Xk9#mL2q です", "비밀번호는
 * Sommer2024! 입니다", "мой пароль от wifi: Qz7$wLp4"). The value is ASCII, as passwords are typed,
 * and ends at the first letter of these scripts; the checks are the same.
 */
// not 口令 (a slogan, a spoken order, too) nor 암호 (a cipher: "암호화: AES-256" is encryption)
const OTHER_SCRIPT_NOUNS = ['密码', '密碼', 'パスワード', '비밀번호', 'пароль'];
const OTHER_SCRIPT_PASSWORD = new RegExp(
  `(?:${OTHER_SCRIPT_NOUNS.join('|')})(?:[ \\t]+от[ \\t]+[^\\s:：]{1,40})?[ \\t]*` +
    `(?:是|为|為|は|が|는|은|:|：|=|＝|—|-|это)?[ \\t]*` +
    `(?<secret>"[^"\\r\\n]{1,64}"|'[^'\\r\\n]{1,64}'|“[^”\\r\\n]{1,64}”|「[^」\\r\\n]{1,64}」|[\\x21-\\x7e]{1,80})`,
  'giu',
);

function judgeOtherScriptPassword(m: RuleMatch): readonly RuleHit[] {
  const at = m.match.indices?.groups?.secret;
  if (!at) return [];
  if (!m.secret.startsWith('「')) return judgeProsePassword(m).map((hit) => ({ ...hit, type: 'generic-password' }));
  // in corner brackets, as Japanese quotes: the value is inside them
  const inner = m.secret.slice(1, -1);
  const start = m.offset + at[0] + 1;
  return passwordLike(inner) ? [{ start, end: start + inner.length, type: 'generic-password' }] : [];
}

/**
 * A login given as a pair, the password after the user name: "the login is admin / Kestrel75!",
 * "creds: deploy:Wq8#mZ2v", "username and password are ops, Hx7-pq3r". The password is the part
 * after the separator; it must look like one (passwordLike and PAIRED_PASSWORD).
 */
/**
 * Stricter than a password named as one: eight characters or more, a letter and a digit, and none
 * of a URL's or a type's punctuation ("username:password@host:1234/db", "credentials: Creds, options?").
 */
const PAIRED_PASSWORD = /^(?=[^/?&=:]{8,}$)(?=.*\p{L})(?=.*\d)/u;
const PAIR_NOUNS = ['login', 'log-in', 'username', 'user name', 'credentials', 'creds', 'user/pass', 'user/password'];
const LOGIN_PAIR = new RegExp(
  `(?<![/\\w])(?:${PAIR_NOUNS.join('|')})(?:[ \\t]+and[ \\t]+password)?[ \\t]*(?:(?:is|are|was|were)[ \\t]+|[:=][ \\t]*)` +
    `(?:now[ \\t]+)?[\\w.@+-]{1,64}[ \\t]*(?:/|:|,)[ \\t]*(?<secret>"[^"\\r\\n]{1,64}"|'[^'\\r\\n]{1,64}'|[^\\s"'“\`]{1,80})`,
  'gi',
);

function judgeLoginPair(m: RuleMatch): readonly RuleHit[] {
  return judgeProsePassword(m)
    .filter((hit) => PAIRED_PASSWORD.test(m.text.slice(hit.start, hit.end)))
    .map((hit) => ({ ...hit, type: 'generic-password' }));
}

export const PROSE_PASSWORD_RULES: readonly SecretRule[] = [
  {
    id: 'generic-password',
    keywords: KEYWORDS,
    pattern: PROSE_PASSWORD,
    confidence: 0.7,
    placeholders: 'none',
    check: judgeProsePassword,
    priority: 0,
  },
  {
    id: 'generic-password-other-scripts',
    keywords: OTHER_SCRIPT_NOUNS,
    pattern: OTHER_SCRIPT_PASSWORD,
    confidence: 0.7,
    placeholders: 'none',
    check: judgeOtherScriptPassword,
    priority: 0,
  },
  {
    id: 'generic-password',
    keywords: ['login', 'log-in', 'username', 'user name', 'credentials', 'creds', 'user/pass'],
    pattern: LOGIN_PAIR,
    confidence: 0.7,
    placeholders: 'none',
    check: judgeLoginPair,
    priority: 0,
  },
];
