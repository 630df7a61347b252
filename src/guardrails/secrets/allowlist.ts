/**
 * Placeholders, examples and template references that look like credentials but are not: the
 * detector must stay quiet on documentation, .env templates and CI files, or nobody will keep it on.
 */
import { decodeBase64Text } from './checksums.js';
import type { PlaceholderPolicy } from './rule.js';

/** Documented example credentials (from the providers' own docs), compared after trimming. */
const DOCUMENTED_EXAMPLES: ReadonlySet<string> = new Set([
  // AWS's documentation access key id and secret; built from parts so this file is not itself flagged.
  ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join(''),
  ['wJalrXUtnFEMI', '/K7MDENG/', 'bPxRfiCYEXAMPLEKEY'].join(''),
  // Stripe's documentation test key, in every snippet of its API reference.
  ['sk_test_', '4eC39HqLyjWDarjtT1zdp7dc'].join(''),
]);

/** Masking runs: "xxxx", "XXXX", "****", "####", "....", "••••", "00000000", "<...>". */
const MASK = /[xX]{4,}|\*{3,}|#{4,}|\.{3}|•{3,}|…|0{8,}|_{6,}/;

/** Words that only occur in placeholders, for every rule (case-insensitive). */
const PLACEHOLDER_WORDS =
  /example|placeholder|your[-_ ]?(?:own|api|secret|token|key|pass|access|client|app)|redacted|replace[-_ ]?(?:me|with)|insert[-_ ]|put[-_]your|_here\b|here$|\bhere_|changeme|change[-_]me/i;

/** Extra words for generic assignments only: fixtures in tests and docs ("fakesecret", "dummy"). */
const GENERIC_PLACEHOLDER_WORDS =
  /fake|dummy|sample|\btest(?:ing)?\b|not[-_ ]?a[-_ ]?real|lorem|foobar|^my[-_]?(?:pass(?:word)?|secret|token|key)$|^(?:password|passwd|secret|token|apikey|api[-_]key|value|null|none|nil|undefined|true|false|string|required|optional|empty|default|todo|tbd|n\/a)$/i;

/**
 * The whole value is a reference to something else, not a literal: ${VAR}, ${VAR:?message} and
 * ${VAR:-default} (a shell's expansions, cut at their first space), {{ .Values.x }}, $VAR,
 * %VAR%, <your-key>, [PASSWORD], $(command), `command`, ENC[...] (SOPS), process.env.X, os.environ[...].
 */
const REFERENCE =
  /^(?:\$\{[^{}\s]{1,80}\}|\$\{[A-Za-z_]\w{0,80}:?[-=?+].*|\$\{\{[^{}]{1,120}\}\}|\{\{[-\s]*[\w.$|"' ()-]{1,120}[-\s]*\}\}|\$[A-Za-z_][\w.]*|\$env:[A-Za-z_]\w*|\$\d|![A-Za-z]\w*(?:\s.*)?|\$\([^)]{0,200}\)?|%[A-Za-z_][\w.]*%|<[^<>\n]{1,80}>|\[[A-Za-z _-]{1,40}\]|\{[A-Za-z_][A-Za-z_.-]{0,60}\}|`[^`]*`?|ENC\[.*|(?:process\.env|os\.environ|os\.getenv|getenv|env|ENV|secrets|vars|var|settings|config)\b[.[(].*|@Microsoft\.KeyVault\(.*|ref\+.*|vault:.*|arn:aws:.*)$/;

/**
 * One character dominates: a run of the same character covers at least half of the value's
 * alphanumerics ("aaaa", "AKIA" + 16 "Z", "glc_111…", "AGE-SECRET-KEY-1QQQ…"). Random tokens never do.
 */
function singleRepeated(value: string): boolean {
  const core = value.replace(/[^A-Za-z0-9]/g, '');
  if (core.length < 4) return false;
  let longest = 1;
  let run = 1;
  for (let i = 1; i < core.length; i++) {
    run = core[i] === core[i - 1] ? run + 1 : 1;
    if (run > longest) longest = run;
  }
  return longest === core.length || (longest >= 6 && longest * 2 >= core.length);
}

const SEQUENCES = ['0123456789', 'abcdefghijklmnopqrstuvwxyz'];

/** Fraction of alphanumerics covered by ascending runs of length >= 3 ("123", "abcd"); random tokens stay near 0. */
function sequentialCoverage(value: string): number {
  const core = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (core.length === 0) return 0;
  let covered = 0;
  let run = 1;
  for (let i = 1; i <= core.length; i++) {
    const prev = core.charCodeAt(i - 1);
    const cur = i < core.length ? core.charCodeAt(i) : -1;
    const ascending = cur === prev + 1 && SEQUENCES.some((s) => s.includes(core[i - 1]! + core[i]!));
    // "9" -> "0" continues a digit run ("1234567890").
    const wraps = prev === 57 && cur === 48;
    if (ascending || wraps) run++;
    else {
      if (run >= 3) covered += run;
      run = 1;
    }
  }
  return covered / core.length;
}

/**
 * Base64 of readable text that is itself a placeholder ("dummy value", "example secret"): docs
 * and tests encode fixtures the way real config would. Random key material never decodes to text.
 */
function encodedPlaceholder(value: string): boolean {
  if (value.length < 12) return false;
  const decoded = decodeBase64Text(value);
  return decoded !== undefined && isPlaceholder(decoded, 'strict');
}

/** True when `value` is a placeholder/example/reference under the given policy. */
export function isPlaceholder(value: string, policy: PlaceholderPolicy = 'format'): boolean {
  if (policy === 'none') return false;
  const v = value.trim();
  if (v.length === 0) return true;
  if (DOCUMENTED_EXAMPLES.has(v)) return true;
  if (MASK.test(v) || PLACEHOLDER_WORDS.test(v) || singleRepeated(v)) return true;
  if (REFERENCE.test(v)) return true;
  if (policy === 'strict') {
    if (GENERIC_PLACEHOLDER_WORDS.test(v)) return true;
    if (sequentialCoverage(v) >= 0.6) return true;
    if (encodedPlaceholder(v)) return true;
  }
  return false;
}

/** Exposed for unit tests. */
export const _internals = { singleRepeated, sequentialCoverage };
