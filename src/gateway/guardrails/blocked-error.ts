import { HttpError } from '../../http/errors.js';
import type { GuardrailEventRecord } from './event-record.js';

/**
 * The 400 a blocked request (or answer) gets: OpenAI-shaped (Anthropic-shaped on /v1/messages),
 * `code: "guardrail_blocked"`, naming the detector, rule and category — never the matched text.
 */
export function guardrailBlockedError(event: GuardrailEventRecord): HttpError {
  const what = event.direction === 'input' ? 'The request was' : 'The response was';
  return new HttpError(
    400,
    'invalid_request_error',
    'guardrail_blocked',
    `${what} blocked by a guardrail: detector ${event.detector}, rule ${event.rule}, category ${event.category}.`,
    { details: { guardrail: guardrailDetails(event) } },
  );
}

export function guardrailDetails(event: GuardrailEventRecord) {
  return { detector: event.detector, rule: event.rule, category: event.category, direction: event.direction, location: event.location };
}

export function blockedMessage(event: GuardrailEventRecord): string {
  return `The response was blocked by a guardrail: detector ${event.detector}, rule ${event.rule}, category ${event.category}.`;
}
