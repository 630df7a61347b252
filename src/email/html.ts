// HTML escaping for the mail templates. Mails interpolate values that other people choose (an
// organisation name, an inviter's display name, a passkey name, a browser's User-Agent), so
// escaping is the default: the `html` tag escapes every interpolated string, and only fragments
// that were themselves built with `html` pass through unchanged.

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** A fragment of markup that is already safe; only `html` and `joinHtml` create one. */
export class SafeHtml {
  readonly #markup: string;

  constructor(markup: string, _brand: typeof BRAND) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

// Keeps `new SafeHtml(untrusted)` from being written elsewhere by accident.
const BRAND = Symbol('SafeHtml');

export type HtmlValue = string | number | SafeHtml | readonly SafeHtml[];

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map(String).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name` unless it is a SafeHtml. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? '');
  });
  return new SafeHtml(out, BRAND);
}

export function joinHtml(parts: readonly SafeHtml[], separator: SafeHtml = html``): SafeHtml {
  return new SafeHtml(parts.map(String).join(separator.toString()), BRAND);
}
