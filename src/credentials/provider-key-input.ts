/**
 * What callers may send about a provider key. Refinement messages are fixed text: validation
 * errors go back to the client and must never quote the submitted value (a key, or a URL with
 * credentials in it). What needs the provider or the instance's policy (base URL, options) is
 * checked by provider-key-rules.ts.
 */
import { z } from 'zod';
import { PROVIDER_IDS } from '../providers/ids.js';

// Pasted keys often carry a newline; in an HTTP header it would fail every request, and a key
// never legitimately contains whitespace.
function printable(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f || /\s/.test(value[i]!)) return false;
  }
  return true;
}

export const providerSecretSchema = z
  .string()
  .min(1)
  .max(10_000)
  .refine(printable, 'must not contain whitespace or control characters')
  .meta({ description: 'The provider API key. Write-only: stored encrypted, never returned (only its last 4 characters).' });

export const providerKeyLabelSchema = z.string().trim().min(1).max(100);

export const baseUrlSchema = z.string().max(2000).meta({
  description:
    "What the provider's official SDK calls its base URL. http(s), no credentials, no query string; link-local and metadata addresses are refused, private and loopback ones unless the instance allows them.",
});

// The per-provider rules (which keys, which values) are in provider-key-rules.ts.
// A value is a scalar or a flat string map (Azure's `deployments`).
export const providerOptionsSchema = z
  .record(z.string().max(100), z.union([z.string().max(1000), z.number(), z.boolean(), z.record(z.string().max(100), z.string().max(200))]))
  .meta({
    description:
      'Provider-specific, non-secret settings. Azure OpenAI: `apiVersion` (e.g. `"2024-10-21"`) and `deployments`, deployment name -> catalog model id (e.g. `{ "prod-gpt": "gpt-5.4-mini" }`).',
  });

export const projectIdsSchema = z
  .array(z.uuid())
  .max(100)
  .meta({ description: 'Projects that may use the key; empty: every project of the org.' });

export const createProviderKeyInputSchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    label: providerKeyLabelSchema
      .optional()
      .meta({ description: 'Tells several keys of one provider apart. Default: the provider, or `<project>/<provider>` for one project.' }),
    key: providerSecretSchema,
    baseUrl: baseUrlSchema.optional(),
    options: providerOptionsSchema.optional(),
    projectIds: projectIdsSchema.optional(),
  })
  .strict();
export type CreateProviderKeyInput = z.output<typeof createProviderKeyInputSchema>;

export const updateProviderKeyInputSchema = z
  .object({
    key: providerSecretSchema.optional(),
    label: providerKeyLabelSchema.optional(),
    baseUrl: baseUrlSchema.nullable().optional(),
    options: providerOptionsSchema.optional(),
    projectIds: projectIdsSchema.optional(),
  })
  .strict()
  .meta({
    description:
      'Fields left out keep their value; `baseUrl: null` returns to the provider default; options and projectIds are replaced as a whole.',
  });
export type UpdateProviderKeyInput = z.output<typeof updateProviderKeyInputSchema>;

export const testProviderKeyInputSchema = z
  .object({
    projectId: z.uuid().meta({ description: 'The project whose routing the test goes through (its key scope, policy and limits apply).' }),
    model: z.string().trim().min(1).max(200).refine(printable, 'must not contain whitespace or control characters').optional().meta({
      description:
        "The provider's model id, without the `provider/` prefix (Azure: the deployment name). Default: the provider's cheapest catalog chat model (an Azure key with a deployments map: its first chat deployment by name); required for openai-compatible.",
    }),
  })
  .strict();
export type TestProviderKeyInput = z.output<typeof testProviderKeyInputSchema>;
