/**
 * Canonical content parts → Messages API content blocks (user turns and tool results). What
 * Anthropic cannot take is refused with UnsupportedFeatureError, never dropped.
 */
import type { ContentPart, FilePart, ImagePart, TextPart } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import { IMAGE_MEDIA_TYPES } from './constants.js';
import type { WireDocumentBlock, WireImageBlock, WireTextBlock } from './wire-types.js';

type MediaBlock = WireTextBlock | WireImageBlock | WireDocumentBlock;

const DATA_URL = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/=\s]*)$/i;

export function textBlock(part: TextPart): WireTextBlock {
  return { type: 'text', text: part.text, ...(part.cacheControl ? { cache_control: part.cacheControl } : {}) };
}

function imageBlock(part: ImagePart): WireImageBlock {
  const cache = part.cacheControl ? { cache_control: part.cacheControl } : {};
  // `detail` is an OpenAI resolution hint with no Anthropic equivalent; the image itself is kept.
  if (part.source.kind === 'base64') return { type: 'image', source: base64Image(part.source.mediaType, part.source.data), ...cache };
  const url = part.source.url;
  // Anthropic's url source fetches http(s) only; an inline data: URL is sent as base64 instead.
  const data = DATA_URL.exec(url);
  if (data) return { type: 'image', source: base64Image(data[1]!.toLowerCase(), data[2]!.replace(/\s/g, '')), ...cache };
  if (!/^https?:\/\//i.test(url))
    throw new UnsupportedFeatureError('anthropic', 'image_url', 'anthropic accepts image URLs over http(s) or as base64 data: URLs only');
  return { type: 'image', source: { type: 'url', url }, ...cache };
}

function base64Image(mediaType: string, data: string): WireImageBlock['source'] {
  if (!(IMAGE_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw new UnsupportedFeatureError(
      'anthropic',
      'image_media_type',
      `anthropic accepts images of type ${IMAGE_MEDIA_TYPES.join(', ')} only`,
    );
  }
  return { type: 'base64', media_type: mediaType, data };
}

function documentBlock(part: FilePart): WireDocumentBlock {
  const meta = {
    ...(part.filename !== undefined ? { title: part.filename } : {}),
    ...(part.cacheControl ? { cache_control: part.cacheControl } : {}),
  };
  const source = part.source;
  if (source.kind === 'file_id') {
    // A file id names a file in another provider's (or another org's) file store; Anthropic
    // would look it up in the gateway's own Anthropic org, which is never what the client meant.
    throw new UnsupportedFeatureError(
      'anthropic',
      'file_id',
      'file ids cannot be sent to anthropic through a translated request; send the file content',
    );
  }
  if (source.kind === 'url') return { type: 'document', source: { type: 'url', url: source.url }, ...meta };
  if (source.mediaType === 'application/pdf')
    return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: source.data }, ...meta };
  if (source.mediaType === 'text/plain') {
    return {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: Buffer.from(source.data, 'base64').toString('utf8') },
      ...meta,
    };
  }
  throw new UnsupportedFeatureError('anthropic', 'file_media_type', 'anthropic accepts PDF and plain-text files only');
}

/** One part of a user message or tool result. */
export function contentBlock(part: ContentPart): MediaBlock {
  switch (part.type) {
    case 'text':
      return textBlock(part);
    case 'image':
      return imageBlock(part);
    case 'file':
      return documentBlock(part);
    case 'audio':
      throw new UnsupportedFeatureError('anthropic', 'input_audio', 'audio input is not supported by anthropic');
  }
}
