/**
 * For tests: the context a policy gives `applyGuardrails`, with a fresh placeholder vault and,
 * unless one is given, the identity as the value hash (so a test reads which value an event is of).
 */
import { compileRule } from '../custom/rules.js';
import { scanText } from '../scan.js';
import { applyGuardrails, type ApplyContext, type Direction, type GuardrailOutcome } from './apply.js';
import { guardrailPolicySchema, type GuardrailPolicyInput } from './policy.js';
import { RedactionVault } from './vault.js';

export function contextFor(
  input: GuardrailPolicyInput,
  direction: Direction = 'input',
  hash: (value: string) => string = (v) => v,
): ApplyContext {
  const policy = guardrailPolicySchema.parse(input);
  return { policy, customRules: policy.customRules.map(compileRule), direction, hash, vault: new RedactionVault() };
}

/** `text` judged as a request under the policy `input`. */
export function judgeInput(text: string, input: GuardrailPolicyInput, hash?: (value: string) => string): GuardrailOutcome {
  return applyGuardrails(text, contextFor(input, 'input', hash));
}

/** The secret and PII findings in `text` (every detector but injection), as [type, the text found]. */
export const foundValues = (text: string): [string, string][] =>
  scanText(text)
    .filter((f) => f.detector !== 'injection')
    .map((f) => [f.type, text.slice(f.start, f.end)]);
