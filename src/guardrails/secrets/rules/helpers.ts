/** Small builders shared by the rule tables, so every table writes patterns the same way. */

/** A case-insensitive literal inside an otherwise case-sensitive pattern: ci('aws') -> [aA][wW][sS]. */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out += lower === upper ? ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') : `[${lower}${upper}]`;
  }
  return out;
}

/** A lowercase hex UUID or an uppercase one (never mixed, like real ones). */
export const UUID =
  '(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12})';

/**
 * Start of a token: not preceded by a character that could belong to it, or right after a URL's
 * "://", where a token is the credentials' user (`git clone https://ghp_…@github.com/…`, as
 * GitHub's docs show it): the slash kept every prefixed key there from being found.
 */
export const START = '(?:(?<![A-Za-z0-9_+/-])|(?<=:\\/\\/))';
/**
 * End of a token: no token character follows, or only a hyphen and lower-case words (`…AA-thanks`,
 * `…-based`, `…-for-staging`): a token that goes on has capitals, digits or symbols after a hyphen.
 */
export const END = '(?![A-Za-z0-9_+/=])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_+/=-])))';

/** A token with a literal prefix: START + prefix + body + END. */
export function prefixed(prefix: string, body: string, end = END): RegExp {
  return new RegExp(`${START}(?<secret>${prefix}${body})${end}`, 'g');
}

/**
 * A value in a service-specific format assigned to (or printed after) a name mentioning the
 * service: `cloudflare_api_key = "…"`, `SUMO_ACCESS_KEY: …`, `facebook 1234|abcd`. `names` are
 * lowercase words matched case-insensitively; `value` is the case-sensitive format of the secret.
 */
export function keyed(
  names: readonly string[],
  value: string,
  end = '(?![A-Za-z0-9_])(?!-(?![a-z]+(?:-[a-z]+)*(?![A-Za-z0-9_-])))',
): RegExp {
  const name = names.map(ci).join('|');
  return new RegExp(
    `(?<![A-Za-z0-9])(?:${name})[\\w.\\- ]{0,32}?["'\`\\]]{0,2}[ \\t]{0,4}(?:=>|:::?=|:=|\\?=|[:=,(]|>\\s{0,40}|[ \\t])[ \\t]{0,4}["'\`]?[ \\t]{0,2}(?<secret>${value})${end}`,
    'g',
  );
}

/** At least `min` upper-case and `min` lower-case letters: random base62, not a camelCase identifier. */
export function mixedCase(value: string, min: number): boolean {
  let upper = 0;
  let lower = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 65 && c <= 90) upper++;
    else if (c >= 97 && c <= 122) lower++;
  }
  return upper >= min && lower >= min;
}
