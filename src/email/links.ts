// Finds the http(s) links in a plain-text mail body. The development fallback logs them so a
// developer can click the verification / reset / invitation link, and the test SMTP sink uses the
// same function so tests follow links exactly as a reader of the text part would.

// Stops at whitespace and at characters that cannot appear unencoded in a URL but commonly
// surround one in prose (<https://…>, "https://…", (https://…)).
const LINK = /https?:\/\/[^\s<>"'`()[\]{}]+/g;

// A sentence may end right after a link ("open https://x/y."): such trailing punctuation is
// almost never part of the URL, and our own links never end with it.
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

/** Distinct http(s) URLs in order of first appearance. */
export function extractLinks(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(LINK)) {
    const link = match[0].replace(TRAILING_PUNCTUATION, '');
    if (link.length > 'https://'.length) found.add(link);
  }
  return [...found];
}
