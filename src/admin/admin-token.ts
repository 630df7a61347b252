import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomTokenBase64Url } from '../crypto/random.js';
import { assertPrivateFile } from '../config/generated-secrets.js';
import { registerSecret } from '../logging/secret-registry.js';

/**
 * The credential of the loopback admin endpoint: fresh on every start, readable only by the user
 * that owns the data dir (0600), deleted on shutdown. Whoever can read it can already read the
 * database files, so it grants nothing new — it only stops other local users and browsers.
 */
export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin.token');
}

export function writeAdminToken(dataDir: string): { token: string; remove(): void } {
  const path = adminTokenPath(dataDir);
  const token = randomTokenBase64Url(32);
  rmSync(path, { force: true });
  writeFileSync(path, token, { mode: 0o600, flag: 'wx' });
  registerSecret(token);
  return { token, remove: () => rmSync(path, { force: true }) };
}

export function readAdminToken(dataDir: string): string {
  const path = adminTokenPath(dataDir);
  assertPrivateFile(path);
  const token = readFileSync(path, 'utf8').trim();
  registerSecret(token);
  return token;
}
