/**
 * What callers may set on an API key, validated at every boundary that accepts it (the api, the
 * loopback admin endpoint). Refinement messages are fixed text: validation errors go back to the
 * client and must never quote the submitted value.
 */
import { z } from 'zod';
import { limitsSchema } from '../tenancy/limits.js';
import { routeTargetSchema } from '../tenancy/settings.js';
import { ipAllowlistSchema } from './ip-allowlist.js';

export const credentialNameSchema = z.string().trim().min(1).max(100);

/** An ISO 8601 timestamp with a zone, later than now (a credential created already expired is a mistake). */
export const futureTimestampSchema = z.iso
  .datetime({ offset: true })
  .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
  .meta({ description: 'ISO 8601 with a time zone, e.g. 2027-01-01T00:00:00Z; must be in the future.' });

export const allowedModelsSchema = z
  .array(routeTargetSchema)
  .min(1)
  .max(100)
  .nullable()
  .meta({ description: 'Models this key may request (`provider/model`, bare names or project aliases); null = any the project allows.' });

export const createApiKeyInputSchema = z
  .object({
    name: credentialNameSchema,
    expiresAt: futureTimestampSchema.nullable().optional(),
    allowedModels: allowedModelsSchema.optional(),
    ipAllowlist: ipAllowlistSchema.optional(),
    limits: limitsSchema.optional(),
    ownerMemberId: z.uuid().nullable().optional().meta({ description: 'A member of this org: the key is personal and dies with them.' }),
  })
  .strict();
export type CreateApiKeyInput = z.output<typeof createApiKeyInputSchema>;

export const updateApiKeyInputSchema = z
  .object({
    name: credentialNameSchema.optional(),
    expiresAt: futureTimestampSchema.nullable().optional(),
    allowedModels: allowedModelsSchema.optional(),
    ipAllowlist: ipAllowlistSchema.optional(),
    limits: limitsSchema.optional(),
  })
  .strict()
  .meta({ description: 'Fields left out keep their value; null removes an expiry or a restriction; limits are replaced as a whole.' });
export type UpdateApiKeyInput = z.output<typeof updateApiKeyInputSchema>;

export const MAX_GRACE_PERIOD_SECONDS = 604_800;

export const rotateApiKeyInputSchema = z
  .object({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_PERIOD_SECONDS)
      .meta({ description: 'How long the replaced secret keeps working (0 = it stops at once; at most 7 days).' }),
  })
  .strict();
