/**
 * A guardrail event as the gateway hands it to the request-log writer: one per finding, written
 * to guardrail_events in the same transaction as the request's log row. It names the detector,
 * rule, category, action and where the finding was (a value-free path such as
 * `messages[2].content` and offsets into that text) with a keyed hash of the matched value —
 * never the value.
 */
import type { GuardrailAction } from '../../guardrails/engine/policy.js';
import type { DetectorName } from '../../guardrails/types.js';

export type GuardrailEventRecord = {
  direction: 'input' | 'output';
  detector: DetectorName;
  /** The rule that fired: PII type, secret rule id, injection category or custom rule name. */
  rule: string;
  /** PII type, injection category, `secret` or `custom`. */
  category: string;
  action: GuardrailAction;
  /** Value-free path of the text the finding is in (`messages[1].content[0].text`, `output`). */
  location: string;
  start: number;
  end: number;
  /** HMAC-SHA256 (hex) of the matched text under the org's guardrail hash key. */
  valueHash: string;
};
