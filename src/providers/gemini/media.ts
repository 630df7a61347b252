/**
 * Images, files and audio → Gemini parts. Bytes travel as `inlineData` (base64); URLs as `fileData`, which
 * Google fetches itself: https URLs (public or signed, supported since January 2026), gs:// URIs and Files
 * API names. Plain http is refused: Google fetches external files over HTTPS only, and a 400 here is clearer
 * than Google's. Fetching happens on Google's side, so these URLs never make the gateway open a connection.
 */
import type { AudioPart, FilePart, ImagePart } from '../../gateway/canonical/types.js';
import { UnsupportedFeatureError } from '../types.js';
import type { WireMediaPart } from './wire-request.js';

const MEDIA_TYPE = /^[a-z0-9][a-z0-9.+-]*\/[a-z0-9][a-z0-9.+-]*$/i;
const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;
const FILES_API_NAME = /^files\/[A-Za-z0-9_-]+$/;
/** Files API names are resolved against Google's host, whatever base URL the provider key uses. */
const FILES_API_BASE = 'https://generativelanguage.googleapis.com/v1beta/';

/** Gemini infers the type of a fetched file poorly; send it when the name makes it obvious, else leave it to Google. */
const BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  txt: 'text/plain',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  mp4: 'video/mp4',
  mov: 'video/mov',
  webm: 'video/webm',
};

function typeFromName(name: string | undefined): string | undefined {
  const match = /\.([A-Za-z0-9]+)$/.exec(name ?? '');
  return match ? BY_EXTENSION[match[1]!.toLowerCase()] : undefined;
}

function unsupported(feature: string, message: string): UnsupportedFeatureError {
  return new UnsupportedFeatureError('gemini', feature, message);
}

function inline(mediaType: string, data: string): WireMediaPart {
  if (!MEDIA_TYPE.test(mediaType)) throw unsupported('media_type', 'the media type of an inline file is not valid');
  if (data === '') throw unsupported('media_data', 'an inline file is empty');
  return { inlineData: { mimeType: mediaType.toLowerCase(), data } };
}

function fromUrl(url: string, nameHint: string | undefined): WireMediaPart {
  const dataUrl = DATA_URL.exec(url);
  if (dataUrl) return inline(dataUrl[1]!, dataUrl[2]!);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw unsupported('media_url', 'a media URL is not a valid URL');
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'gs:') {
    const mimeType = typeFromName(parsed.pathname) ?? typeFromName(nameHint);
    return { fileData: { fileUri: url, ...(mimeType !== undefined ? { mimeType } : {}) } };
  }
  if (parsed.protocol === 'data:') throw unsupported('media_url', 'only base64 data: URLs are supported');
  if (parsed.protocol === 'http:')
    throw unsupported('media_url', 'Gemini fetches files over https only; send an https URL or the data inline');
  throw unsupported('media_url', 'media URLs must be https:, gs: or base64 data: URLs');
}

function audioType(format: string): string {
  if (!/^[a-z0-9][a-z0-9.+-]*$/i.test(format)) throw unsupported('audio_format', 'the audio format is not valid');
  return `audio/${format.toLowerCase()}`;
}

export function mediaPart(part: ImagePart | FilePart | AudioPart): WireMediaPart {
  if (part.type === 'audio') return inline(audioType(part.format), part.data);
  const name = part.type === 'file' ? part.filename : undefined;
  const source = part.source;
  switch (source.kind) {
    case 'base64':
      return inline(source.mediaType, source.data);
    case 'url':
      return fromUrl(source.url, name);
    case 'file_id': {
      if (!FILES_API_NAME.test(source.fileId)) {
        throw unsupported('file_id', 'only Gemini Files API names (files/…) can be referenced by id');
      }
      const mimeType = typeFromName(name);
      return { fileData: { fileUri: FILES_API_BASE + source.fileId, ...(mimeType !== undefined ? { mimeType } : {}) } };
    }
  }
}
