/**
 * The asynchronous step before configuration parsing: finds every variable whose value (after
 * flag / env / NAME_FILE / .env precedence) is a secret reference, resolves them all, and hands
 * the values to loadConfig. Nothing is imported or fetched when no reference is configured.
 */
import { ConfigError } from '../config/config-error.js';
import { gatherVariables, type ConfigSources } from '../config/sources.js';
import { variableMeta, VARIABLE_NAMES, type VariableName } from '../config/variables.js';
import { registerSecret } from '../logging/secret-registry.js';
import { SecretResolutionError } from './errors.js';
import { describeReference, isSecretReference, parseSecretReference, SecretReferenceError, type SecretReference } from './reference.js';
import { createReferenceResolver } from './resolver.js';
import { parseSecretManagerSettings, SECRET_MANAGER_VARIABLES, settingsSecrets } from './settings.js';

/**
 * Secrets, plus the two URLs that carry credentials. Not the secret managers' own settings
 * (VAULT_TOKEN, …): they are needed to resolve the others.
 */
export const REFERENCE_VARIABLES: readonly VariableName[] = VARIABLE_NAMES.filter(
  (name) =>
    (variableMeta(name).secret === true || name === 'DATABASE_URL' || name === 'REDIS_URL') &&
    !(SECRET_MANAGER_VARIABLES as readonly string[]).includes(name),
);

export type ReferenceEntry = { variable: VariableName; reference: SecretReference; text: string };

export type Resolution = { ok: true; value: string } | { ok: false; error: SecretResolutionError };

/** The references in force and a way to resolve them again (the refresher keeps it for the process's life). */
export type SecretReferenceSet = {
  readonly entries: readonly ReferenceEntry[];
  /** The values resolved at start-up. */
  readonly initial: ReadonlyMap<VariableName, string>;
  /** Never rejects: each variable carries its value or its (printable) error. */
  resolveAll(): Promise<Map<VariableName, Resolution>>;
};

export type ResolvedReferences = { values: Partial<Record<VariableName, string>>; set: SecretReferenceSet | undefined };

export async function resolveConfigReferences(sources: ConfigSources, cwd = process.cwd()): Promise<ResolvedReferences> {
  // Problems of the gathering itself (unknown variables, unreadable files) are loadConfig's to report.
  const { values } = gatherVariables(sources, cwd);
  const problems: string[] = [];
  const entries: ReferenceEntry[] = [];
  for (const variable of REFERENCE_VARIABLES) {
    const text = values[variable];
    if (text === undefined || !isSecretReference(text)) continue;
    try {
      const reference = parseSecretReference(text);
      entries.push({ variable, reference, text: describeReference(reference) });
    } catch (error) {
      if (!(error instanceof SecretReferenceError)) throw error;
      problems.push(`${variable}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (entries.length === 0) return { values: {}, set: undefined };

  const settings = parseSecretManagerSettings(values, sources.env);
  if (!settings.ok) throw new ConfigError(settings.problems);
  for (const secret of settingsSecrets(settings.settings)) registerSecret(secret);
  const resolve = createReferenceResolver(settings.settings);

  const set: Omit<SecretReferenceSet, 'initial'> = {
    entries,
    async resolveAll() {
      // The same reference behind two variables is fetched once per round.
      const byText = new Map<string, Promise<Resolution>>();
      const results = await Promise.all(
        entries.map(async (entry) => {
          let pending = byText.get(entry.text);
          if (!pending) {
            pending = resolve(entry.reference).then(
              (value): Resolution => ({ ok: true, value }),
              (error: unknown): Resolution => {
                if (error instanceof SecretResolutionError) return { ok: false, error };
                throw error;
              },
            );
            byText.set(entry.text, pending);
          }
          return [entry.variable, await pending] as const;
        }),
      );
      return new Map(results);
    },
  };

  const resolved = await set.resolveAll();
  const out: Partial<Record<VariableName, string>> = {};
  for (const [variable, result] of resolved) {
    if (result.ok) {
      registerSecret(result.value);
      out[variable] = result.value;
    } else problems.push(`${variable}: ${result.error.message}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { values: out, set: { ...set, initial: new Map(Object.entries(out) as [VariableName, string][]) } };
}
