// A lone surrogate has no UTF-8 form; Buffer.from would silently turn it into U+FFFD, so two
// different strings would authenticate as the same context.
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Canonical encoding of a list of strings for use as AEAD associated data: each field is
 * its UTF-8 length as a 4-byte big-endian integer followed by its bytes. Unlike joining
 * with a separator, no two different lists encode to the same bytes, so ("a:b", "c")
 * and ("a", "b:c") authenticate differently.
 */
export function encodeAad(fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    if (LONE_SURROGATE.test(field)) {
      throw new TypeError('associated data fields must be well-formed Unicode strings');
    }
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
