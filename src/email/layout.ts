// The shared shape of every Portcullis mail: one rendering to plain text (readable on its own, the
// part that terminal mail clients, screen readers and our log fallback see) and one to simple
// HTML with inline styles only, because mail clients drop <style> blocks and block remote content;
// no images, no scripts, no external resources.
import type { SafeHtml } from './html.js';
import { escapeHtml, html, joinHtml } from './html.js';

export const PRODUCT_NAME = 'Portcullis';

export type RenderedMail = { subject: string; text: string; html: string };

export type MailContent = {
  subject: string;
  heading: string;
  /** Plain sentences; escaped for HTML. */
  paragraphs: readonly string[];
  /** Label/value lines (time, IP address, browser…) shown as a small table. */
  details?: readonly (readonly [label: string, value: string])[];
  action?: { label: string; link: string };
  /** The "If this wasn't you…" line, set apart at the end. */
  notice?: string;
};

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

// Values from other people or from request headers end up in the subject and in single lines of
// text: a newline there could fake extra lines (or headers, were a mail library to pass it
// through), and a multi-kilobyte User-Agent would bury the message.
export function oneLine(value: string, maxLength = 200): string {
  const flat = value.replace(CONTROL_CHARACTERS, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
}

/** Only http(s) links go into a mail: a javascript: or data: URL in a button is never intended. */
export function checkedLink(link: string): string {
  const url = new URL(link);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`mail links must be http(s), got ${url.protocol}`);
  return link;
}

/** Fixed, locale-independent time format: mails go to people in any time zone. */
export function formatTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function renderText(content: MailContent): string {
  const blocks: string[] = [content.heading, ...content.paragraphs];
  if (content.action) blocks.push(`${content.action.label}:\n${content.action.link}`);
  if (content.details?.length) blocks.push(content.details.map(([label, value]) => `${label}: ${value}`).join('\n'));
  if (content.notice) blocks.push(content.notice);
  blocks.push(`— ${PRODUCT_NAME}`);
  return `${blocks.join('\n\n')}\n`;
}

const FONT = 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;';

function renderAction(action: NonNullable<MailContent['action']>): SafeHtml {
  return html`<p style="margin:24px 0;">
      <a
        href="${action.link}"
        style="${FONT}display:inline-block;padding:10px 18px;background:#1f4fd1;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:600;"
        >${action.label}</a
      >
    </p>
    <p style="${FONT}font-size:13px;color:#555555;">
      If the button does not work, copy this link into your browser:<br /><a
        href="${action.link}"
        style="color:#1f4fd1;word-break:break-all;"
        >${action.link}</a
      >
    </p>`;
}

function renderDetails(details: NonNullable<MailContent['details']>): SafeHtml {
  const rows = details.map(
    ([label, value]) =>
      html`<tr>
        <td style="${FONT}padding:2px 12px 2px 0;color:#555555;white-space:nowrap;vertical-align:top;">${label}</td>
        <td style="${FONT}padding:2px 0;word-break:break-word;">${value}</td>
      </tr>`,
  );
  return html`<table role="presentation" style="border-collapse:collapse;margin:16px 0;font-size:14px;">
    ${rows}
  </table>`;
}

function renderHtml(content: MailContent): string {
  const body = joinHtml([
    html`<h1 style="${FONT}font-size:20px;margin:0 0 16px;">${content.heading}</h1>`,
    ...content.paragraphs.map((paragraph) => html`<p style="${FONT}font-size:15px;line-height:1.5;margin:0 0 12px;">${paragraph}</p>`),
    ...(content.action ? [renderAction(content.action)] : []),
    ...(content.details?.length ? [renderDetails(content.details)] : []),
    ...(content.notice
      ? [
          html`<p
            style="${FONT}font-size:14px;line-height:1.5;margin:16px 0 0;padding:12px;background:#fff6e5;border-left:3px solid #e0a100;"
          >
            ${content.notice}
          </p>`,
        ]
      : []),
  ]);
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;color:#18181b;">
<div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;border-radius:6px;">
${body.toString()}
<p style="${FONT}font-size:12px;color:#71717a;margin:24px 0 0;">— ${PRODUCT_NAME}</p>
</div>
</body></html>
`;
}

export function renderMail(content: MailContent): RenderedMail {
  const action = content.action && { label: content.action.label, link: checkedLink(content.action.link) };
  const checked = { ...content, subject: oneLine(content.subject), action };
  return { subject: checked.subject, text: renderText(checked), html: renderHtml(checked) };
}
