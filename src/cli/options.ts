import type { Command } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { loadConfig, type Config } from '../config/load.js';
import type { ConfigSources } from '../config/sources.js';
import { variableMeta, VARIABLE_NAMES, type VariableName } from '../config/variables.js';

/** Flags mapped to their configuration variable (flags win over env). */
const FLAG_VARIABLES: { flag: string; variable: VariableName; key: string; description: string }[] = VARIABLE_NAMES.flatMap((variable) => {
  const flag = variableMeta(variable).flag;
  if (!flag) return [];
  const key = flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, ch: string) => ch.toUpperCase());
  return [{ flag, variable, key, description: `${variableMeta(variable).description} (${variable})` }];
});

export type ListeningService = 'gateway' | 'api';

/**
 * Flags that only a command serving HTTP uses: where it listens. A one-shot command (`migrate`,
 * `bootstrap`, `doctor`, …) or the other service would ignore them, so commander refuses them there
 * instead of accepting a flag that silently does nothing. The variables themselves (HOST, API_PORT, …)
 * are still read from the environment by every command: they are part of the one validated config.
 */
const LISTEN_FLAG_VARIABLES: Readonly<Partial<Record<VariableName, readonly ListeningService[]>>> = {
  HOST: ['gateway', 'api'],
  GATEWAY_PORT: ['gateway'],
  API_PORT: ['api'],
};

/** Adds --env-file, the flags every command uses, and the listen flags of the services it runs (if any). */
export function withConfigOptions(command: Command, serves: readonly ListeningService[] = []): Command {
  for (const { flag, variable, description } of FLAG_VARIABLES) {
    const listenFor = LISTEN_FLAG_VARIABLES[variable];
    if (listenFor && !listenFor.some((service) => serves.includes(service))) continue;
    command.option(`${flag} <value>`, description);
  }
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
