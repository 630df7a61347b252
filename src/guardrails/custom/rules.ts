/**
 * Custom guardrail rules, per org: a regular expression, a keyword list or a blocklist of terms,
 * each with an action and a scope. Users write these patterns, so they never run on JavaScript's
 * backtracking RegExp (one `(a+)+$` would stall the gateway): they are compiled with re2js, a
 * linear-time engine, and refused at save time when RE2 cannot run them (backreferences,
 * lookaround), when they are too large, or when they match empty text.
 *
 * - `regex`: the pattern as written (RE2 syntax), case-insensitive unless `caseSensitive`.
 * - `keywords`: whole words or phrases (`\b` on both sides), case-insensitive unless `caseSensitive`.
 * - `blocklist`: terms anywhere, even inside longer words ("pass" in "password"), case-insensitive.
 */
import { RE2JS } from 're2js';
import { z } from 'zod';

export const CUSTOM_RULE_KINDS = ['regex', 'keywords', 'blocklist'] as const;
export const CUSTOM_RULE_ACTIONS = ['block', 'redact', 'flag'] as const;
export const RULE_SCOPES = ['input', 'output', 'both'] as const;

/** RE2's own measure of a compiled pattern's cost; beyond this a rule is refused as too complex. */
export const MAX_PROGRAM_SIZE = 20_000;

const term = z.string().trim().min(1, 'a term cannot be empty').max(200, 'a term has at most 200 characters');

export const customRuleSchema = z
  .object({
    /** The rule's name in findings and events (`type`): unique within a policy. */
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, "-" and "_", at most 64, starting with a letter or digit'),
    description: z.string().trim().max(200).optional(),
    kind: z.enum(CUSTOM_RULE_KINDS),
    pattern: z.string().min(1).max(2000).optional(),
    terms: z.array(term).min(1).max(1000).optional(),
    caseSensitive: z.boolean().default(false),
    action: z.enum(CUSTOM_RULE_ACTIONS),
    scope: z.enum(RULE_SCOPES).default('both'),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.kind === 'regex' && rule.pattern === undefined)
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'a regex rule needs a pattern' });
    if (rule.kind === 'regex' && rule.terms !== undefined)
      ctx.addIssue({ code: 'custom', path: ['terms'], message: 'a regex rule has a pattern, not terms' });
    if (rule.kind !== 'regex' && rule.terms === undefined)
      ctx.addIssue({ code: 'custom', path: ['terms'], message: `a ${rule.kind} rule needs terms` });
    if (rule.kind !== 'regex' && rule.pattern !== undefined)
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `a ${rule.kind} rule has terms, not a pattern` });
    if (rule.kind === 'blocklist' && rule.caseSensitive)
      ctx.addIssue({ code: 'custom', path: ['caseSensitive'], message: 'a blocklist always ignores case' });
  });
export type CustomRule = z.output<typeof customRuleSchema>;

/** Why a rule cannot be used, in words for the person who wrote it. */
export class CustomRuleError extends Error {
  constructor(
    readonly ruleName: string,
    message: string,
  ) {
    super(message);
    this.name = 'CustomRuleError';
  }

  /** The sentence shown wherever a policy is saved (the api's 400 `invalid_custom_rule`, a bootstrap file), so both read alike. */
  get problem(): string {
    return `Custom rule ${this.ruleName}: ${this.message}`;
  }
}

export type CompiledRule = { rule: CustomRule; matcher: RE2JS };

function sourceOf(rule: CustomRule): string {
  if (rule.kind === 'regex') return rule.pattern ?? '';
  const alternatives = (rule.terms ?? []).map((t) => RE2JS.quote(t)).join('|');
  return rule.kind === 'keywords' ? `\\b(?:${alternatives})\\b` : `(?:${alternatives})`;
}

/** Compiles one validated rule, or throws CustomRuleError saying what is wrong with it. */
export function compileRule(rule: CustomRule): CompiledRule {
  const flags = rule.caseSensitive ? 0 : RE2JS.CASE_INSENSITIVE;
  let matcher: RE2JS;
  try {
    // No LOOKBEHINDS flag: lookbehinds are refused like other lookaround.
    matcher = RE2JS.compile(sourceOf(rule), flags);
  } catch (error) {
    const detail = error instanceof Error ? error.message.replace(/^error parsing regexp: /i, '') : String(error);
    throw new CustomRuleError(
      rule.name,
      `the pattern is not supported: ${detail}. Patterns use RE2 syntax: no backreferences or lookaround (linear-time matching).`,
    );
  }
  if (matcher.programSize() > MAX_PROGRAM_SIZE)
    throw new CustomRuleError(
      rule.name,
      `the pattern is too complex (size ${matcher.programSize()}, at most ${MAX_PROGRAM_SIZE}); split it into several rules.`,
    );
  if (matcher.matcher('').find()) throw new CustomRuleError(rule.name, 'the pattern matches empty text, so it would match everywhere.');
  return { rule, matcher };
}

/** Every match of one compiled rule: [start, end) as JavaScript string indices. */
export function matchRule(compiled: CompiledRule, text: string): { start: number; end: number }[] {
  const spans: { start: number; end: number }[] = [];
  const m = compiled.matcher.matcher(text);
  while (m.find()) spans.push({ start: m.start(), end: m.end() });
  return spans;
}
