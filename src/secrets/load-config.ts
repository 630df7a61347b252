import { loadConfig, type Config } from '../config/load.js';
import type { ConfigSources } from '../config/sources.js';
import { resolveConfigReferences } from './config-references.js';

/** Start-up configuration: secret references resolved first, then the usual synchronous parse. */
export async function loadConfigResolvingReferences(sources: ConfigSources, cwd = process.cwd()): Promise<Config> {
  return loadConfig(sources, cwd, await resolveConfigReferences(sources, cwd));
}
