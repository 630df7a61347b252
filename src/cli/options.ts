import type { Command } from 'commander';
import { loadConfig, type Config } from '../config/load.js';
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

export function configFromOptions(options: Record<string, unknown>): Config {
  const flags: Partial<Record<VariableName, string>> = {};
  for (const { variable, key } of FLAG_VARIABLES) {
    const value = options[key];
    if (typeof value === 'string') flags[variable] = value;
  }
  const envFile = typeof options.envFile === 'string' ? options.envFile : '.env';
  return loadConfig({ flags, env: process.env, envFile, envFileRequired: typeof options.envFile === 'string' });
}
