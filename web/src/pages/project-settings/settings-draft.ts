/**
 * The settings form's working copy: numbers kept as typed text, aliases as an ordered list (so one can
 * be renamed without losing its place). `toSettings` builds the PUT body from the settings as read,
 * replacing only what the form edits: limits, and any field this dashboard does not know, go back
 * exactly as they came. Ranges are left to the api, whose 400 names the field and the bound.
 */
import type { ProjectSettings } from '../../api/project-schemas.ts';

export type AliasDraft = {
  /** Stable React key while the name is being edited. */
  key: number;
  name: string;
  targets: string[];
};

export type SettingsDraft = {
  cacheEnabled: boolean;
  ttlSeconds: string;
  logBodies: boolean;
  /** Off: `allowedModels` null (every model the project has a key for). */
  restrictModels: boolean;
  allowedModels: string[];
  aliases: AliasDraft[];
  /** '' for the gateway's default. */
  timeoutMs: string;
  /** '' for the gateway's default. */
  requestTimeoutMs: string;
  maxRetries: string;
};

export const MAX_TARGETS_PER_ALIAS = 10;

export function toDraft(settings: ProjectSettings): SettingsDraft {
  return {
    cacheEnabled: settings.cache.enabled,
    ttlSeconds: String(settings.cache.ttlSeconds),
    logBodies: settings.logBodies,
    restrictModels: settings.allowedModels !== null,
    allowedModels: settings.allowedModels ?? [],
    aliases: Object.entries(settings.aliases).map(([name, targets], index) => ({ key: index, name, targets })),
    timeoutMs: settings.timeoutMs === null ? '' : String(settings.timeoutMs),
    requestTimeoutMs: settings.requestTimeoutMs === null ? '' : String(settings.requestTimeoutMs),
    maxRetries: String(settings.maxRetries),
  };
}

/** A whole number typed into a field, or an Error naming the field. */
function wholeNumber(text: string, field: string): number | Error {
  const trimmed = text.trim();
  if (!/^-?\d+$/.test(trimmed)) return new Error(`${field} must be a whole number.`);
  return Number(trimmed);
}

function aliasesOf(drafts: readonly AliasDraft[]): Record<string, string[]> | Error {
  const aliases: Record<string, string[]> = {};
  for (const alias of drafts) {
    const name = alias.name.trim();
    if (name === '') return new Error('Every alias needs a name.');
    if (Object.hasOwn(aliases, name)) return new Error(`Two aliases are named “${name}”: give each its own name.`);
    if (alias.targets.length === 0) return new Error(`The alias “${name}” needs at least one model to route to.`);
    aliases[name] = [...alias.targets];
  }
  return aliases;
}

/** The PUT body: `base` (the settings as read) with the form's fields replaced; an Error for what cannot be sent. */
export function toSettings(draft: SettingsDraft, base: ProjectSettings): ProjectSettings | Error {
  const ttlSeconds = wholeNumber(draft.ttlSeconds, 'The cache lifetime');
  if (ttlSeconds instanceof Error) return ttlSeconds;
  const timeoutMs = draft.timeoutMs.trim() === '' ? null : wholeNumber(draft.timeoutMs, 'The timeout');
  if (timeoutMs instanceof Error) return timeoutMs;
  const requestTimeoutMs = draft.requestTimeoutMs.trim() === '' ? null : wholeNumber(draft.requestTimeoutMs, 'The request timeout');
  if (requestTimeoutMs instanceof Error) return requestTimeoutMs;
  const maxRetries = wholeNumber(draft.maxRetries, 'Retries');
  if (maxRetries instanceof Error) return maxRetries;
  const aliases = aliasesOf(draft.aliases);
  if (aliases instanceof Error) return aliases;
  return {
    ...base,
    cache: { ...base.cache, enabled: draft.cacheEnabled, ttlSeconds },
    logBodies: draft.logBodies,
    allowedModels: draft.restrictModels ? [...draft.allowedModels] : null,
    aliases,
    timeoutMs,
    requestTimeoutMs,
    maxRetries,
  };
}

/** `items` with the entry at `index` swapped with its neighbour `by` places away (-1 up, +1 down). */
export function moved<T>(items: readonly T[], index: number, by: -1 | 1): T[] {
  const target = index + by;
  if (target < 0 || target >= items.length) return [...items];
  const next = [...items];
  [next[index], next[target]] = [next[target] as T, next[index] as T];
  return next;
}
