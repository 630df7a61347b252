/**
 * The 400 for a Responses request that cannot go to a non-OpenAI provider. The pipeline may refuse
 * `untranslatable` generically; this is the message written for this format, naming what only
 * OpenAI's servers provide (paths and item/tool types only, never values).
 */
import { HttpError } from '../../../http/errors.js';
import type { ProviderId } from '../../../providers/ids.js';
import type { ParsedInbound } from '../types.js';

const MAX_LISTED = 10;

/** Throws when the parsed request holds anything a translation would lose; returns otherwise. */
export function refuseUntranslatable(parsed: ParsedInbound, provider: ProviderId): void {
  const features = parsed.untranslatable ?? [];
  if (features.length === 0) return;
  const listed =
    features.slice(0, MAX_LISTED).join(', ') + (features.length > MAX_LISTED ? `, and ${features.length - MAX_LISTED} more` : '');
  throw new HttpError(
    400,
    'invalid_request_error',
    'unsupported_feature',
    `This request uses features that only OpenAI's servers provide, so it cannot be sent to ${provider}: ${listed}`,
  );
}
