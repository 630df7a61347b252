/**
 * Responses content parts → canonical content parts. Parts the canonical types cannot carry (OpenAI
 * file ids, images in places only OpenAI accepts them) are reported through `report` with a
 * value-free path instead of being dropped: the request is then refused for translation.
 */
import type { ContentPart, FilePart, ImagePart, TextPart } from '../../canonical/types.js';
import type { MessagePart, ToolOutputPart } from './schema.js';

export type Report = (what: string) => void;

type ImageParam = Extract<MessagePart, { type: 'input_image' }>;
type FileParam = Extract<MessagePart, { type: 'input_file' }>;

const MEDIA_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i;

/** `data:<media type>[;param…];base64,<data>` → its parts; anything else (plain URL, non-base64 data URL) → undefined. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  if (!url.startsWith('data:')) return undefined;
  // indexOf rather than a regex: data URLs run to megabytes and must not meet a backtracking pattern.
  const comma = url.indexOf(',');
  if (comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.toLowerCase().endsWith(';base64')) return undefined;
  const mediaType = header.split(';')[0] ?? '';
  if (!MEDIA_TYPE.test(mediaType)) return undefined;
  return { mediaType: mediaType.toLowerCase(), data: url.slice(comma + 1) };
}

// `file_data` may be bare base64 with only a filename to say what it is; other providers need the
// media type, so only unambiguous extensions are accepted.
const MEDIA_TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
  html: 'text/html',
  xml: 'application/xml',
};

function mediaTypeFromFilename(filename: string | null | undefined): string | undefined {
  const dot = filename?.lastIndexOf('.') ?? -1;
  if (!filename || dot === -1) return undefined;
  return MEDIA_TYPE_BY_EXTENSION[filename.slice(dot + 1).toLowerCase()];
}

export function imagePart(part: ImageParam, path: string, report: Report): ImagePart | undefined {
  if (!part.image_url) {
    // A file id names a file stored in the client's OpenAI account; no other provider can read it.
    report(`${path} (input_image file_id)`);
    return undefined;
  }
  const inline = parseDataUrl(part.image_url);
  // 'original' (no downscaling) is OpenAI-only; 'high' is the closest canonical hint.
  const detail = part.detail === 'original' ? 'high' : (part.detail ?? undefined);
  return {
    type: 'image',
    source: inline ? { kind: 'base64', mediaType: inline.mediaType, data: inline.data } : { kind: 'url', url: part.image_url },
    ...(detail !== undefined ? { detail } : {}),
  };
}

export function filePart(part: FileParam, path: string, report: Report): FilePart | undefined {
  const filename = part.filename ? { filename: part.filename } : {};
  if (part.file_data) {
    const inline = parseDataUrl(part.file_data);
    if (inline) return { type: 'file', source: { kind: 'base64', ...inline }, ...filename };
    const mediaType = mediaTypeFromFilename(part.filename);
    if (mediaType === undefined) {
      report(`${path} (input_file data without a media type)`);
      return undefined;
    }
    return { type: 'file', source: { kind: 'base64', mediaType, data: part.file_data }, ...filename };
  }
  if (part.file_url) return { type: 'file', source: { kind: 'url', url: part.file_url }, ...filename };
  report(`${path} (input_file file_id)`);
  return undefined;
}

const text = (value: string): TextPart => ({ type: 'text', text: value });

/** User messages and tool outputs: text, images and files. */
export function userContent(parts: string | (MessagePart | ToolOutputPart)[], path: string, report: Report): ContentPart[] {
  if (typeof parts === 'string') return [text(parts)];
  const out: ContentPart[] = [];
  parts.forEach((part, i) => {
    const at = `${path}[${i}]`;
    switch (part.type) {
      case 'input_text':
      case 'output_text':
        out.push(text(part.text));
        break;
      case 'input_image': {
        const image = imagePart(part, at, report);
        if (image) out.push(image);
        break;
      }
      case 'input_file': {
        const file = filePart(part, at, report);
        if (file) out.push(file);
        break;
      }
      case 'refusal':
        report(`${at} (refusal outside an assistant message)`);
        break;
    }
  });
  return out;
}

/** System and developer messages: text only in the canonical types. */
export function instructionContent(parts: string | MessagePart[], path: string, report: Report): TextPart[] {
  if (typeof parts === 'string') return [text(parts)];
  const out: TextPart[] = [];
  parts.forEach((part, i) => {
    if (part.type === 'input_text' || part.type === 'output_text') out.push(text(part.text));
    else report(`${path}[${i}] (${part.type} in an instruction message)`);
  });
  return out;
}

/** Assistant messages replayed from earlier turns: text and refusals. */
export function assistantContent(parts: string | MessagePart[], path: string, report: Report): { content: TextPart[]; refusal?: string } {
  if (typeof parts === 'string') return { content: [text(parts)] };
  const content: TextPart[] = [];
  const refusals: string[] = [];
  parts.forEach((part, i) => {
    if (part.type === 'input_text' || part.type === 'output_text') content.push(text(part.text));
    else if (part.type === 'refusal') refusals.push(part.refusal);
    else report(`${path}[${i}] (${part.type} in an assistant message)`);
  });
  return refusals.length > 0 ? { content, refusal: refusals.join('') } : { content };
}
