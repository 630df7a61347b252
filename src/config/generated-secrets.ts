import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateMasterKey, parseMasterKey, type MasterKey } from '../crypto/envelope.js';
import { randomTokenBase64Url } from '../crypto/random.js';
import { registerSecret } from '../logging/secret-registry.js';
import type { Config } from './load.js';
import { createPrivateFileExclusive } from './private-file.js';
import { MIN_AUTH_SECRET_LENGTH } from './secret-strength.js';

export type ResolvedSecrets = {
  authSecret: string;
  /** AUTH_SECRET_PREVIOUS, newest first: read what they made, never sign (config/previous-auth-secrets.ts). */
  previousAuthSecrets: readonly string[];
  /** Undefined only with a KMS (MASTER_KEY_PROVIDER) and no MASTER_KEY: nothing local to wrap with. */
  masterKey: MasterKey | undefined;
  /** Which came from the data dir rather than the configuration (doctor reports them). */
  generated: { authSecret: boolean; masterKey: boolean };
};

export function secretsDir(dataDir: string): string {
  return join(dataDir, 'secrets');
}

/** Group- or world-readable secret files are refused rather than silently used. */
export function assertPrivateFile(path: string): void {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new Error(`${path} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${path}`);
  }
}

/**
 * Reads a generated secret from the data dir, creating it on first use. Creation is atomic: if two
 * processes race, one writes and the other reads the complete value that was written.
 */
function readOrCreate(path: string, create: () => string): { value: string; created: boolean } {
  const created = createPrivateFileExclusive(path, create() + '\n');
  if (!created) assertPrivateFile(path);
  return { value: readFileSync(path, 'utf8').trim(), created };
}

/**
 * AUTH_SECRET and MASTER_KEY from the configuration, or (outside production only) generated
 * once into `<data dir>/secrets/` with mode 0600. Never a constant shipped in the code. With a KMS
 * (MASTER_KEY_PROVIDER) no master key is needed or generated: MASTER_KEY, if set, is an old key
 * still to be migrated.
 */
export function resolveSecrets(config: Config): ResolvedSecrets & { createdNow: string[] } {
  const createdNow: string[] = [];
  const kms = config.masterKeyProvider.provider.kind !== 'local';
  const needMasterKey = config.masterKey === undefined && !kms;
  const needGenerated = config.authSecret === undefined || needMasterKey;
  if (needGenerated && config.production) {
    throw new Error(
      kms
        ? 'AUTH_SECRET must be configured in production (generated secrets are for development)'
        : 'AUTH_SECRET and MASTER_KEY must be configured in production (generated secrets are for development)',
    );
  }
  if (needGenerated) mkdirSync(secretsDir(config.dataDir), { recursive: true, mode: 0o700 });

  let authSecret = config.authSecret;
  if (authSecret === undefined) {
    const path = join(secretsDir(config.dataDir), 'auth-secret');
    const file = readOrCreate(path, () => randomTokenBase64Url(48));
    // An emptied or truncated file must not become an empty signing key.
    if (file.value.length < MIN_AUTH_SECRET_LENGTH) {
      throw new Error(`${path}: expected at least ${MIN_AUTH_SECRET_LENGTH} characters; delete the file to generate a new one`);
    }
    authSecret = file.value;
    if (file.created) createdNow.push('auth-secret');
  }
  let masterKey = config.masterKey;
  if (masterKey === undefined && needMasterKey) {
    const path = join(secretsDir(config.dataDir), 'master-key');
    const file = readOrCreate(path, generateMasterKey);
    try {
      masterKey = parseMasterKey(file.value);
    } catch (error) {
      throw new Error(`${path}: ${(error as Error).message}`);
    }
    if (file.created) createdNow.push('master-key');
  }
  registerSecret(authSecret);
  if (masterKey) registerSecret(masterKey.key.toString('base64'));
  return {
    authSecret,
    previousAuthSecrets: config.previousAuthSecrets,
    masterKey,
    generated: { authSecret: config.authSecret === undefined, masterKey: needMasterKey },
    createdNow,
  };
}
