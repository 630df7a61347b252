/**
 * The secret and PII findings of a text, at offsets in the text as written: over the detectors'
 * view of it (detection-view.ts), with what its encoded and spelt-out runs hold
 * (encoded-values.ts), and over the text as written too wherever the view reads it differently.
 *
 * A reading only ever adds findings. The view reads a character reference or a look-alike as the
 * character it stands for, and some of those characters are a value's syntax: "&#64;" inside a
 * URL's password reads as the at sign that ends the credentials, and "&sol;" as a slash, so the
 * view sees a host and a path where the password was, and found nothing. Reading "&#64;" is also
 * what finds "jane&#64;acme.com", so it cannot be dropped; instead, a finding over the text as
 * written that no finding over the view covers is kept as well. Look-alike letters read as Latin
 * ones (look-alike-letters.ts) are the same: "10.0.0.1а и …", an address typed against the
 * Russian word "а", reads as "10.0.0.1a". The second pass runs only on text in which the view
 * read punctuation ("&#64;", "&sol;", a full-width "＠") or such a letter: ASCII text
 * without references or escapes, most of what the gateway sees, and typeset text (no-break
 * spaces, dashes, curly quotes) are read once (a second pass would double the secret and PII
 * detectors' cost on them).
 */
import type { DetectionView } from './detection-view.js';
import { detectSecretsAndPii } from './encoded-values.js';
import { readNumberWords } from './number-words.js';
import { detectPii } from './pii/detect.js';
import { spanIndex } from './span-index.js';
import type { Finding } from './types.js';

export type ValueFindings = { secrets: Finding[]; pii: Finding[] };

export function valueFindings(text: string, view: DetectionView): ValueFindings {
  const read = detectSecretsAndPii(view.text);
  const secrets = view.inOriginal(read.secrets);
  const pii = [...view.inOriginal(read.pii), ...view.inOriginal(inNumberWords(view.text, read.pii))];
  if (!view.readAsWrittenToo) return { secrets, pii };
  const asWritten = detectSecretsAndPii(text);
  const inView = spanIndex([...secrets, ...pii]);
  // Only where the view read syntax: elsewhere the text as written reads as the view does, but
  // for what a full-width number or a look-alike around it became ("(mobile) １２３－４５－６７８０ —
  // '4111 1111'" is a phone as written, its label no longer before another number). Kept
  // everywhere, such a finding came and went with an escape a hundred characters away, which a
  // stream scanned a window at a time does not see.
  const readAsSyntax = spanIndex(view.readAsSyntax);
  const notInView = (f: Finding): boolean => !inView.covers(f.start, f.end) && readAsSyntax.overlaps(f.start - 1, f.end + 1);
  return {
    secrets: [...secrets, ...asWritten.secrets.filter(notInView)],
    pii: [...pii, ...asWritten.pii.filter(notInView)],
  };
}

/**
 * The PII findings in the numbers `text` writes in words (number-words.ts), at offsets in `text`:
 * those that take in a digit of a run and that no finding over the text covers already.
 */
function inNumberWords(text: string, found: readonly Finding[]): Finding[] {
  const reading = readNumberWords(text);
  if (reading === undefined) return [];
  const runs = spanIndex(reading.runs);
  const taken = spanIndex(found);
  return reading
    .inOriginal(detectPii(reading.text, []).filter((f) => runs.overlaps(f.start, f.end)))
    .filter((f) => !taken.covers(f.start, f.end));
}
