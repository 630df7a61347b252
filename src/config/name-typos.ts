/**
 * Near-miss variable names. Only unknown PORTCULLIS_* names and unknown .env keys can be refused
 * outright: the process environment holds everything else on the machine. But `AUTH_SECRETT=…` or
 * `GATWAY_PORT=…` in the environment would otherwise leave the real variable at its default without
 * a word, so a name one edit away from a known one is treated as a typo and refused.
 */
import { isVariableName, VARIABLE_NAMES } from './variables.js';

/**
 * Short names (HOST, and near-misses of it such as HOSTS or POST) are too close to unrelated
 * variables of other programs; from 8 characters on, one edit away is rarely a coincidence.
 */
const MIN_TYPO_LENGTH = 8;

const KUBERNETES_SERVICE_LINK = /^(?:tcp|udp|sctp):\/\//;

/** Every name Portcullis reads: each variable and its NAME_FILE form. */
const KNOWN_NAMES: readonly string[] = VARIABLE_NAMES.flatMap((name) => [name, `${name}_FILE`]);

/** A known variable, or the NAME_FILE form of one (TLS_CERT_FILE is a variable of its own). */
export function isKnownName(name: string): boolean {
  return isVariableName(name) || (name.endsWith('_FILE') && isVariableName(name.slice(0, -'_FILE'.length)));
}

/** True when one insertion, deletion, substitution or swap of two adjacent characters turns a into b. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return false;
  if (a.length === b.length) {
    const diffs: number[] = [];
    for (let i = 0; i < a.length && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 1) return true;
    const [i, j] = diffs;
    return diffs.length === 2 && j === i! + 1 && a[i!] === b[j] && a[j] === b[i!];
  }
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  if (long.length - short.length !== 1) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1);
}

/** The known name this unknown one is most likely a typo of, if any. */
export function suggestVariableName(name: string): string | undefined {
  if (isKnownName(name) || name.length < MIN_TYPO_LENGTH - 1) return undefined;
  return KNOWN_NAMES.find((known) => known.length >= MIN_TYPO_LENGTH && withinOneEdit(name, known));
}

/** `AUTH_SECRETT is not a Portcullis variable; did you mean AUTH_SECRET?` for each near-miss in env. */
export function environmentTypoProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    // PORTCULLIS_* names are refused anyway (with the suggestion): one message per name.
    if (key.startsWith('PORTCULLIS_')) continue;
    // Kubernetes injects <SERVICE>_PORT=tcp://… for every service in the namespace (a service
    // named `app` gives APP_PORT): not something the operator typed.
    if (value !== undefined && KUBERNETES_SERVICE_LINK.test(value)) continue;
    const suggestion = suggestVariableName(key);
    if (suggestion) problems.push(`${key} is not a Portcullis variable; did you mean ${suggestion}? (unset it or correct the name)`);
  }
  return problems;
}

/** `; did you mean NAME?` for a message about an unknown name, or nothing. */
export function didYouMean(name: string): string {
  const suggestion = suggestVariableName(name);
  return suggestion ? `; did you mean ${suggestion}?` : '';
}
