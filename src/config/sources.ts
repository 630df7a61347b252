import { readFileSync, existsSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { isVariableName, VARIABLE_NAMES, type VariableName } from './variables.js';
import { ConfigError } from './config-error.js';

export type ConfigSources = {
  /** From command-line flags, already mapped to variable names. */
  flags?: Partial<Record<VariableName, string>>;
  env: Record<string, string | undefined>;
  /** Path of a .env file; missing is fine unless `envFileRequired`. */
  envFile?: string;
  envFileRequired?: boolean;
};

export type VariableOrigin = 'flag' | 'env' | 'file' | 'dotenv' | 'default';

/** Trailing newlines come from `echo secret > file` and Kubernetes/Docker secret mounts. */
function readValueFile(variable: string, path: string, problems: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${variable}_FILE: cannot read ${path} (${reason})`);
    return undefined;
  }
}

function readDotEnv(sources: ConfigSources, problems: string[]): Record<string, string> {
  if (!sources.envFile) return {};
  if (!existsSync(sources.envFile)) {
    if (sources.envFileRequired) problems.push(`--env-file: ${sources.envFile} does not exist`);
    return {};
  }
  const parsed = parseEnv(readFileSync(sources.envFile, 'utf8')) as Record<string, string>;
  for (const key of Object.keys(parsed)) {
    const base = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : key;
    if (!isVariableName(base)) problems.push(`${key} (in ${sources.envFile}): unknown variable`);
  }
  return parsed;
}

/**
 * Collects the raw string value of every variable, in precedence order:
 * flag, environment variable, NAME_FILE from the environment, .env (NAME, then NAME_FILE).
 * Unknown PORTCULLIS_* environment variables and unknown .env keys are errors: a typo must not
 * silently fall back to a default.
 */
export function collectVariables(sources: ConfigSources): { values: Record<string, string>; origins: Record<string, VariableOrigin> } {
  const problems: string[] = [];
  for (const key of Object.keys(sources.env)) {
    if (!key.startsWith('PORTCULLIS_')) continue;
    const base = key.endsWith('_FILE') ? key.slice(0, -'_FILE'.length) : key;
    if (!isVariableName(base)) problems.push(`${key}: unknown variable`);
  }
  const dotenv = readDotEnv(sources, problems);
  const values: Record<string, string> = {};
  const origins: Record<string, VariableOrigin> = {};
  const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  for (const name of VARIABLE_NAMES) {
    const fileVar = `${name}_FILE`;
    const candidates: [VariableOrigin, () => string | undefined][] = [
      ['flag', () => sources.flags?.[name]],
      ['env', () => nonEmpty(sources.env[name])],
      ['file', () => (nonEmpty(sources.env[fileVar]) ? readValueFile(name, sources.env[fileVar]!, problems) : undefined)],
      ['dotenv', () => nonEmpty(dotenv[name])],
      ['file', () => (nonEmpty(dotenv[fileVar]) ? readValueFile(name, dotenv[fileVar]!, problems) : undefined)],
    ];
    for (const [origin, read] of candidates) {
      const value = read();
      if (value !== undefined) {
        values[name] = value;
        origins[name] = origin;
        break;
      }
    }
    origins[name] ??= 'default';
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { values, origins };
}
