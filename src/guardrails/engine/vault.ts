/**
 * One request's placeholders. The same value gets the same placeholder everywhere in the request
 * (`[EMAIL_1]` in the system prompt and in the last message is one person), numbered per type in
 * order of first appearance. For reversible redaction the originals are kept here, in memory, for
 * the life of the request only, and `restore` puts them back into the provider's answer; they are
 * never logged or stored.
 */
export class RedactionVault {
  private readonly byValue = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly originals = new Map<string, string>();

  placeholderFor(type: string, value: string, options: { reversible: boolean }): string {
    const key = `${type}\u0000${value}`;
    let placeholder = this.byValue.get(key);
    if (placeholder === undefined) {
      const n = (this.counters.get(type) ?? 0) + 1;
      this.counters.set(type, n);
      placeholder = `[${type}_${n}]`;
      this.byValue.set(key, placeholder);
    }
    if (options.reversible) this.originals.set(placeholder, value);
    return placeholder;
  }

  /** Whether any placeholder can be put back (a response needs restoring at all). */
  get reversible(): boolean {
    return this.originals.size > 0;
  }

  /** The longest placeholder that can be restored: how much a stream must hold back. */
  get longestPlaceholder(): number {
    let longest = 0;
    for (const placeholder of this.originals.keys()) longest = Math.max(longest, placeholder.length);
    return longest;
  }

  /**
   * The text with every reversible placeholder replaced by its original value, written by
   * `encode` (inside JSON, the original must be escaped as string content).
   */
  restore(text: string, encode: (original: string) => string = (original) => original): string {
    if (this.originals.size === 0 || !text.includes('[')) return text;
    return text.replace(/\[[A-Z_]{1,32}_\d{1,6}\]/g, (placeholder) => {
      const original = this.originals.get(placeholder);
      return original === undefined ? placeholder : encode(original);
    });
  }
}
