import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/load.js';
import type { ConfigSources } from '../config/sources.js';
import { variableMeta, VARIABLE_NAMES, type VariableName } from '../config/variables.js';

/** Flags every command accepts, each mapped to its configuration variable (flags win over env). */
const FLAG_VARIABLES: { flag: string; variable: VariableName; key: string; description: string }[] = VARIABLE_NAMES.flatMap((variable) => {
  const flag = variableMeta(variable).flag;
  if (!flag) return [];
  const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
  return [{ flag, variable, key, description: `${variableMeta(variable).description} (${variable})` }];
});

export function withConfigOptions(command: Command): Command {
  for (const { flag, description } of FLAG_VARIABLES) command.option(`${flag} <value>`, description);
  command.option('--env-file <path>', 'read variables from this .env file (default: ./.env if present)');
  return command;
}

function sourcesFromOptions(options: Record<string, unknown>): ConfigSources {
  const flags: Partial<Record<VariableName, string>> = {};
  for (const { variable, key } of FLAG_VARIABLES) {
    const value = options[key];
    if (typeof value === 'string') flags[variable] = value;
  }
  const envFile = typeof options.envFile === 'string' ? options.envFile : '.env';
  return { flags, env: process.env, envFile, envFileRequired: typeof options.envFile === 'string' };
}

/** Without secret references: one in the configuration is reported as a ConfigError. */
export function configFromOptions(options: Record<string, unknown>): Config {
  return loadConfig(sourcesFromOptions(options));
}

/**
 * Every command that opens the database or serves: secret references (vault://, aws-sm://, …)
 * are resolved first. The secret-manager clients are imported only when a reference is configured.
 */
export async function resolveConfigFromOptions(options: Record<string, unknown>): Promise<Config> {
  const { loadConfigResolvingReferences } = await import('../secrets/load-config.js');
  return loadConfigResolvingReferences(sourcesFromOptions(options));
}

/**
 * For `doctor`, which takes a synchronous loader and reports a ConfigError as a failed check:
 * references are resolved now, and the loader hands back the config or throws the error.
 */
export async function configLoaderFromOptions(options: Record<string, unknown>): Promise<() => Config> {
  try {
    const config = await resolveConfigFromOptions(options);
    return () => config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return () => {
      throw error;
    };
  }
}
