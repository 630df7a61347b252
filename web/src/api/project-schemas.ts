/**
 * The shapes of project writes and project settings as the api answers them, validated on arrival.
 * The settings are read loosely on purpose: the PUT replaces the whole object, so every field this
 * dashboard does not edit (limits, and any the api adds later) must come back exactly as it was read.
 */
import { z } from 'zod/mini';
import { projectSchema } from './schemas.ts';

export const PROJECT_MODES = ['live', 'test'] as const;
export type ProjectMode = (typeof PROJECT_MODES)[number];

export const createdProjectSchema = z.object({ project: projectSchema });
export const deletedProjectSchema = z.object({ deleted: z.object({ id: z.string(), name: z.string(), apiKeys: z.number() }) });

export const projectSettingsSchema = z.looseObject({
  cache: z.looseObject({ enabled: z.boolean(), ttlSeconds: z.number() }),
  logBodies: z.boolean(),
  /** null: every model the project has a key for; a list: only these (`provider/model`, bare names or aliases). */
  allowedModels: z.nullable(z.array(z.string())),
  /** Alias name → ordered fallback targets. */
  aliases: z.record(z.string(), z.array(z.string())),
  /** null: the gateway's default upstream timeout. */
  timeoutMs: z.nullable(z.number()),
  /** null: the gateway's default bound on a whole request (REQUEST_TIMEOUT_MS). Absent from older servers. */
  requestTimeoutMs: z._default(z.nullable(z.number()), null),
  maxRetries: z.number(),
});
export type ProjectSettings = z.output<typeof projectSettingsSchema>;

/** GET and PUT answer the settings with their `version`, sent back as `If-Match` to refuse lost updates. */
export const versionedSettingsSchema = z.object({ settings: projectSettingsSchema, version: z.string() });
export type VersionedSettings = z.output<typeof versionedSettingsSchema>;
