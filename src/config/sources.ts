import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { VARIABLE_NAMES, type VariableName } from './variables.js';
import { ConfigError } from './config-error.js';
import { didYouMean, environmentTypoProblems, isKnownName } from './name-typos.js';
import { appendAll } from '../append-all.js';

export type ConfigSources = {
  /** From command-line flags, already mapped to variable names. */
  flags?: Partial<Record<VariableName, string>>;
  env: Record<string, string | undefined>;
  /** Path of a .env file; missing is fine unless `envFileRequired`. */
  envFile?: string;
  envFileRequired?: boolean;
};

export type VariableOrigin = 'flag' | 'env' | 'file' | 'dotenv' | 'default';

export type CollectedVariables = {
  values: Record<string, string>;
  origins: Record<string, VariableOrigin>;
};

const UNREADABLE = Symbol('unreadable');

/** Trailing newlines come from `echo secret > file` and Kubernetes/Docker secret mounts. */
function readValueFile(variable: string, path: string, cwd: string, problems: string[]): string | typeof UNREADABLE {
  try {
    return readFileSync(resolve(cwd, path), 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    problems.push(`${variable}_FILE: cannot read ${path} (${reason})`);
    return UNREADABLE;
  }
}

/**
 * What a variable name looks like. parseEnv turns lines without `=` into part of the next key
 * (`MASTER_KEY: abc…` followed by `HOST=x` gives the key "MASTER_KEY: abc…\nHOST"), so a key is
 * only echoed in an error when it has this shape; anything else may hold a pasted secret.
 */
const NAME_SHAPED = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const MAX_ECHOED_NAME = 40;

function describeUnknownKey(key: string, text: string, envFile: string): string {
  if (NAME_SHAPED.test(key) && key.length <= MAX_ECHOED_NAME) return `${key} (in ${envFile}): unknown variable${didYouMean(key)}`;
  const first = key.split(/\r?\n/)[0]?.trim() ?? '';
  const index = text.split(/\r?\n/).findIndex((line) => {
    const candidate = line.trim().replace(/^export\s+/, '');
    return candidate === first || (candidate.startsWith(first) && /^\s*=/.test(candidate.slice(first.length)));
  });
  const where = index === -1 ? '' : ` line ${index + 1}`;
  return `${envFile}${where}: not a NAME=value line with a known upper-case NAME (contents not shown: they may hold a secret)`;
}

function readDotEnv(sources: ConfigSources, problems: string[]): Record<string, string> {
  if (!sources.envFile) return {};
  if (!existsSync(sources.envFile)) {
    if (sources.envFileRequired) problems.push(`--env-file: ${sources.envFile} does not exist`);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(sources.envFile, 'utf8');
  } catch (error) {
    problems.push(`--env-file: cannot read ${sources.envFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    return {};
  }
  const parsed = parseEnv(text) as Record<string, string>;
  for (const key of Object.keys(parsed)) {
    if (!isKnownName(key)) problems.push(describeUnknownKey(key, text, sources.envFile));
  }
  return parsed;
}

/**
 * Like collectVariables, but returns the problems instead of throwing, so that loadConfig can
 * report them together with the validation problems. `failed` holds the variables whose value
 * could not be read (their value is absent rather than taken from a lower-precedence source).
 */
export function gatherVariables(
  sources: ConfigSources,
  cwd = process.cwd(),
): CollectedVariables & { problems: string[]; failed: Set<VariableName> } {
  const problems: string[] = [];
  const failed = new Set<VariableName>();
  for (const key of Object.keys(sources.env)) {
    if (key.startsWith('PORTCULLIS_') && !isKnownName(key)) problems.push(`${key}: unknown variable${didYouMean(key)}`);
  }
  appendAll(problems, environmentTypoProblems(sources.env));
  const dotenv = readDotEnv(sources, problems);
  const values: Record<string, string> = {};
  const origins: Record<string, VariableOrigin> = {};
  const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  for (const name of VARIABLE_NAMES) {
    const fileVar = `${name}_FILE`;
    const fromFile = (path: string | undefined) => (path === undefined ? undefined : readValueFile(name, path, cwd, problems));
    const candidates: [VariableOrigin, () => string | typeof UNREADABLE | undefined][] = [
      ['flag', () => sources.flags?.[name]],
      ['env', () => nonEmpty(sources.env[name])],
      ['file', () => fromFile(nonEmpty(sources.env[fileVar]))],
      ['dotenv', () => nonEmpty(dotenv[name])],
      ['file', () => fromFile(nonEmpty(dotenv[fileVar]))],
    ];
    for (const [origin, read] of candidates) {
      const value = read();
      if (value === UNREADABLE) {
        // Not a silent fall-back to a lower-precedence value: the operator pointed at this file.
        failed.add(name);
        break;
      }
      if (value !== undefined) {
        values[name] = value;
        origins[name] = origin;
        break;
      }
    }
    origins[name] ??= 'default';
  }
  return { values, origins, problems, failed };
}

/**
 * Collects the raw string value of every variable, in precedence order:
 * flag, environment variable, NAME_FILE from the environment, .env (NAME, then NAME_FILE).
 * Unknown PORTCULLIS_* environment variables, unknown .env keys and environment variables one edit
 * away from a known name (AUTH_SECRETT) are errors: a typo must not silently fall back to a default. Relative NAME_FILE paths are resolved against `cwd`.
 */
export function collectVariables(sources: ConfigSources, cwd = process.cwd()): CollectedVariables {
  const { values, origins, problems } = gatherVariables(sources, cwd);
  if (problems.length > 0) throw new ConfigError(problems);
  return { values, origins };
}
