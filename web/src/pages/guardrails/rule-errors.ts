/** The api's refusals of custom rules, by rule name, so each is shown next to the rule it is about. */
import { ApiError } from '../../api/client.ts';
import { ruleNamedIn } from './draft.ts';

/** From a save's or a try's error: "Custom rule x: …" (400 invalid_custom_rule) becomes x → the whole message. */
export function ruleErrorsOf(...errors: unknown[]): ReadonlyMap<string, string> {
  const byRule = new Map<string, string>();
  for (const error of errors) {
    if (!(error instanceof ApiError) || error.code !== 'invalid_custom_rule') continue;
    const name = ruleNamedIn(error.message);
    if (name !== null && !byRule.has(name)) byRule.set(name, error.message);
  }
  return byRule;
}

/** owner and admin hold guardrails:write (src/auth/permissions.ts); the api decides, this only hides what it would refuse. */
export const mayWriteGuardrails = (role: string): boolean => role === 'owner' || role === 'admin';
