import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { checkBaseUrl, checkOptions } from '../credentials/provider-key-rules.js';
import { providerOptionsSchema } from '../credentials/provider-key-input.js';
import { compileRule, CustomRuleError, type CustomRule } from '../guardrails/custom/rules.js';
import { guardrailOverrideSchema, guardrailPolicySchema } from '../guardrails/engine/policy.js';
import type { SsrfPolicy } from '../gateway/upstream/ssrf.js';
import { HttpError } from '../http/errors.js';
import { MEMBER_ROLES, ORG_PLANS, PROJECT_MODES } from '../db/schema/index.js';
import { PROVIDER_IDS } from '../providers/ids.js';
import { orgSettingsSchema, projectSettingsSchema } from '../tenancy/settings.js';

const name = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');

const providerKeySchema = z
  .object({
    provider: z.enum(PROVIDER_IDS),
    key: z.string().min(1, 'must not be empty').max(10_000),
    /** What the provider's official SDK calls its base URL. */
    baseUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** Distinguishes several keys of one provider; defaults to the provider (org level) or project/provider. */
    label: name.optional(),
    /** Provider-specific, non-secret settings, e.g. `{ apiVersion: 2024-10-21, deployments: { prod-gpt: gpt-5.4-mini } }` for Azure OpenAI. */
    options: providerOptionsSchema.optional(),
  })
  .strict()
  // The api's checks, so a file cannot store options the api would refuse.
  .superRefine((key, ctx) => {
    if (key.options === undefined) return;
    try {
      checkOptions(key.provider, key.options);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['options'], message: error.message.replace(/^options\.?/, '').replace(/^: /, '') });
    }
  });

const apiKeySchema = z
  .object({
    name,
    expiresAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2027-01-01T00:00:00Z' }).optional(),
  })
  .strict();

const projectSchema = z
  .object({
    name,
    mode: z.enum(PROJECT_MODES).default('live'),
    providerKeys: z.array(providerKeySchema).default([]),
    apiKeys: z.array(apiKeySchema).default([]),
    /** Caching, body logging, allowed models, aliases with fallback chains, timeouts (see README). */
    settings: projectSettingsSchema.optional(),
    /** The project's guardrail override, as `PUT …/projects/:projectId/guardrails` takes it. */
    guardrails: guardrailOverrideSchema.optional(),
  })
  .strict();

const orgSchema = z
  .object({
    name,
    plan: z.enum(ORG_PLANS).default('free'),
    members: z.array(z.object({ email: z.email('must be an email address'), role: z.enum(MEMBER_ROLES) }).strict()).default([]),
    /** Org-wide provider keys, usable by every project. */
    providerKeys: z.array(providerKeySchema).default([]),
    projects: z.array(projectSchema).default([]),
    /** Provider allow/deny lists (data residency, vendor policy). */
    settings: orgSettingsSchema.optional(),
    /** The org's guardrail policy, as `PUT /api/orgs/:orgId/guardrails` takes it (what it leaves out takes its default). */
    guardrails: guardrailPolicySchema.optional(),
  })
  .strict();

/**
 * Custom rules RE2 cannot run, refused at load as the api refuses them at save time (same check,
 * same sentence), so a file with one never gets as far as writing anything.
 */
function uncompilableRules(rules: readonly CustomRule[] | undefined, ctx: z.RefinementCtx, path: (string | number)[]) {
  (rules ?? []).forEach((rule, index) => {
    try {
      compileRule(rule);
    } catch (error) {
      if (!(error instanceof CustomRuleError)) throw error;
      ctx.addIssue({ code: 'custom', path: [...path, index], message: error.problem });
    }
  });
}

function noDuplicates<T>(items: T[], key: (item: T) => string, ctx: z.RefinementCtx, path: (string | number)[], what: string) {
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const k = key(item).toLowerCase();
    if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [...path, index], message: `duplicate ${what} "${key(item)}"` });
    seen.add(k);
  });
}

export const bootstrapDocumentSchema = z
  .object({ orgs: z.array(orgSchema).min(1, 'list at least one org') })
  .strict()
  .superRefine((doc, ctx) => {
    noDuplicates(doc.orgs, (o) => o.name, ctx, ['orgs'], 'org');
    doc.orgs.forEach((org, o) => {
      noDuplicates(org.projects, (p) => p.name, ctx, ['orgs', o, 'projects'], 'project');
      noDuplicates(org.members, (m) => m.email, ctx, ['orgs', o, 'members'], 'member');
      uncompilableRules(org.guardrails?.customRules, ctx, ['orgs', o, 'guardrails', 'customRules']);
      org.projects.forEach((project, p) => {
        noDuplicates(project.apiKeys, (k) => k.name, ctx, ['orgs', o, 'projects', p, 'apiKeys'], 'API key');
        uncompilableRules(project.guardrails?.customRules, ctx, ['orgs', o, 'projects', p, 'guardrails', 'customRules']);
      });
    });
  });

export type BootstrapDocument = z.output<typeof bootstrapDocumentSchema>;
export type BootstrapProviderKey = z.output<typeof providerKeySchema>;

export class BootstrapDocumentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid bootstrap file:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BootstrapDocumentError';
  }
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>(
    (acc, part) => (typeof part === 'number' ? `${acc}[${part}]` : acc ? `${acc}.${String(part)}` : String(part)),
    '',
  );
}

/** The name of the org a problem is in, as the file spells it, so a long file's `orgs[7]` need not be counted out. */
function orgNameAt(value: unknown, path: PropertyKey[]): string | undefined {
  if (path[0] !== 'orgs' || typeof path[1] !== 'number' || typeof value !== 'object' || value === null) return undefined;
  const orgs: unknown = (value as { orgs?: unknown }).orgs;
  const org: unknown = Array.isArray(orgs) ? orgs[path[1]] : undefined;
  const name: unknown = typeof org === 'object' && org !== null ? (org as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name.trim().length > 0 && name.length <= 100 ? name : undefined;
}

/**
 * Validates a parsed document; every problem names its place (`orgs[0].projects[1].apiKeys[0] (org "acme")`),
 * guardrail policies included (custom rules RE2 cannot run among them). Never echoes a key.
 */
export function validateBootstrapDocument(value: unknown): BootstrapDocument {
  const parsed = bootstrapDocumentSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BootstrapDocumentError(
    parsed.error.issues.map((issue) => {
      const org = orgNameAt(value, issue.path);
      const where = (formatPath(issue.path) || '(top level)') + (org === undefined ? '' : ` (org ${JSON.stringify(org)})`);
      if (issue.code === 'unrecognized_keys')
        return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `${where}: ${issue.message}`;
    }),
  );
}

/** Parses JSON or YAML text (by file extension; YAML is the fallback since JSON is valid YAML). */
export function parseBootstrapText(text: string, fileName: string): BootstrapDocument {
  let value: unknown;
  try {
    value = extname(fileName).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    // Parser messages can quote the offending text, which may be a key: keep the position, drop quotes.
    const reason = ((error as Error).message.split('\n')[0] ?? '').replace(/"[^"]*"|'[^']*'/g, '…');
    throw new BootstrapDocumentError([
      `${fileName}: not valid ${extname(fileName).toLowerCase() === '.json' ? 'JSON' : 'YAML'} (${reason})`,
    ]);
  }
  return validateBootstrapDocument(value);
}

/**
 * Every provider base URL in the document against the api's rules (SSRF policy, no query string),
 * so a bootstrap file cannot store what the api would refuse. Checked before anything is applied.
 */
export function checkBootstrapBaseUrls(doc: BootstrapDocument, policy: SsrfPolicy): void {
  const problems: string[] = [];
  doc.orgs.forEach((org, o) => {
    const keys = [
      ...org.providerKeys.map((key, k) => ({ key, where: `orgs[${o}].providerKeys[${k}].baseUrl` })),
      ...org.projects.flatMap((project, p) =>
        project.providerKeys.map((key, k) => ({ key, where: `orgs[${o}].projects[${p}].providerKeys[${k}].baseUrl` })),
      ),
    ];
    for (const { key, where } of keys) {
      if (key.baseUrl === undefined) continue;
      try {
        checkBaseUrl(key.baseUrl, policy);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        // The message names the host and the reason, never the URL.
        problems.push(`${where}: ${error.message.replace(/^baseUrl: /, '')}`);
      }
    }
  });
  if (problems.length > 0) throw new BootstrapDocumentError(problems);
}
