/**
 * The shape of one secret rule. Rules are data: a table of these, split by provider family under
 * rules/, is all the detector knows about token formats. detect.ts runs a rule's regex only in a
 * small window around a place where one of its keywords occurs, so the keyword list doubles as
 * the cheap pre-filter and must be present in (or next to) every text the rule can match.
 */
export type PlaceholderPolicy =
  /** Generic assignments: every placeholder heuristic, including sequential runs ("abcdef", "123456") and words like "fake". */
  | 'strict'
  /** Provider formats: only masks (xxxx, ****), single repeated characters, EXAMPLE and template references. */
  | 'format'
  /** Structural rules that do their own checking (PEM blocks, Kubernetes manifests). */
  | 'none';

export type RuleMatch = {
  /** The whole input text (offsets below are absolute). */
  text: string;
  /** The regex match; its `index` and `indices` are relative to `offset`. */
  match: RegExpExecArray;
  /** Where the string the regex ran on starts in `text` (0, or a window's start). */
  offset: number;
  /** The candidate secret and where it is. */
  secret: string;
  start: number;
  end: number;
};

/** A span a rule reports; `confidence` overrides the rule's default, `type` its id (one rule, several kinds). */
export type RuleHit = { start: number; end: number; confidence?: number; type?: string };

export type SecretRule = {
  /** Finding type, e.g. `github-pat`. */
  id: string;
  /** Lower-case literals; the rule only runs near a case-insensitive occurrence of one of them. */
  keywords: readonly string[];
  /**
   * Global regex (flag `g`), run on a window slice of the text. The secret is the named group
   * `secret` when present, else the whole match. Quantifiers are bounded: no catastrophic backtracking.
   */
  pattern: RegExp;
  /**
   * Where the pattern runs for a keyword hit. `hit` (default): sticky, starting exactly at the hit
   * (the keyword begins the match). `window`: anywhere in [hit - before, hit + after] (the keyword
   * sits inside the match). A function: sticky at the position it returns (-1 to skip).
   */
  anchor?: 'hit' | 'window' | ((text: string, hitStart: number) => number);
  /** `window` anchoring: characters of context before / after a keyword hit (defaults 48 / 320). */
  before?: number;
  after?: number;
  /** Default confidence of a hit. */
  confidence: number;
  /** Minimum Shannon entropy (bits per character) of the secret. */
  minEntropy?: number;
  /** Which placeholder heuristics apply (default `format`). */
  placeholders?: PlaceholderPolicy;
  /**
   * Extra validation. Return false to drop the candidate, a number to set its confidence (e.g. a
   * checksum that verifies), or hits to replace the candidate (structural rules).
   */
  check?: (m: RuleMatch) => boolean | number | readonly RuleHit[];
  /** Overlapping findings keep the higher priority (specific formats 2, service keyword 1, generic 0). */
  priority?: number;
};
