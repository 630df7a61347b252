import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateMasterKey, masterKeyId, parseMasterKey } from '../crypto/master-key.js';
import { REDACTED } from '../logging/redacted.js';
import { scrubSecrets } from '../logging/secret-registry.js';
import { assertPrivateFile, resolveSecrets, secretsDir } from './generated-secrets.js';
import { loadConfig, type Config } from './load.js';
import { authSecretWeakness } from './secret-strength.js';

let root: string;
let dataDir: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'portcullis-secrets-test-'));
  dataDir = join(root, 'data');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const mode = (path: string) => statSync(path).mode & 0o777;
const config = (env: Record<string, string> = {}): Config => loadConfig({ env: { PORTCULLIS_DATA_DIR: dataDir, ...env } }, root);
const authFile = () => join(secretsDir(dataDir), 'auth-secret');
const keyFile = () => join(secretsDir(dataDir), 'master-key');

describe('resolveSecrets: generated development secrets', () => {
  it('creates both secrets with mode 0600 in a 0700 directory', () => {
    const resolved = resolveSecrets(config());
    expect(resolved.createdNow).toEqual(['auth-secret', 'master-key']);
    expect(resolved.generated).toEqual({ authSecret: true, masterKey: true });
    expect(mode(secretsDir(dataDir))).toBe(0o700);
    expect(mode(authFile())).toBe(0o600);
    expect(mode(keyFile())).toBe(0o600);
    // Nothing else is left behind (no temporary files).
    expect(readdirSync(secretsDir(dataDir)).sort()).toEqual(['auth-secret', 'master-key']);
  });

  it('generates a strong AUTH_SECRET and a valid master key, and returns what is in the files', () => {
    const resolved = resolveSecrets(config());
    expect(authSecretWeakness(resolved.authSecret)).toBeUndefined();
    expect(readFileSync(authFile(), 'utf8')).toBe(`${resolved.authSecret}\n`);

    const stored = readFileSync(keyFile(), 'utf8').trim();
    const parsed = parseMasterKey(stored);
    expect(parsed.key).toHaveLength(32);
    expect(parsed.key.equals(resolved.masterKey!.key)).toBe(true);
    expect(resolved.masterKey!.id).toBe(masterKeyId(parsed.key));
    expect(parsed.key.every((b) => b === 0)).toBe(false);
  });

  it('is stable: a second call reads the same values and creates nothing', () => {
    const first = resolveSecrets(config());
    const second = resolveSecrets(config());
    expect(second.createdNow).toEqual([]);
    expect(second.authSecret).toBe(first.authSecret);
    expect(second.masterKey!.id).toBe(first.masterKey!.id);
    expect(second.masterKey!.key.equals(first.masterKey!.key)).toBe(true);
  });

  it('gives every process the same complete values when several create them at once', async () => {
    const script = join(root, 'racer.mts');
    const url = (name: string) => JSON.stringify(new URL(name, import.meta.url).href);
    writeFileSync(
      script,
      `import { resolveSecrets } from ${url('./generated-secrets.ts')};\n` +
        `import { loadConfig } from ${url('./load.ts')};\n` +
        `const config = loadConfig({ env: { PORTCULLIS_DATA_DIR: process.argv[3] } });\n` +
        `const startAt = Number(process.argv[2]);\n` +
        `while (Date.now() < startAt) {}\n` +
        `try { const s = resolveSecrets(config); process.stdout.write(JSON.stringify([s.authSecret, s.masterKey.id])); }\n` +
        `catch (e) { process.stdout.write(JSON.stringify(['error', e.message])); }\n`,
    );
    const startAt = Date.now() + 2500;
    const outputs = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, String(startAt), dataDir], {
          cwd: fileURLToPath(new URL('../..', import.meta.url)),
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        return new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
      }),
    );
    const results = outputs.map((o) => JSON.parse(o) as [string, string]);
    const [authSecret, masterKeyIdSeen] = results[0]!;
    expect(authSecretWeakness(authSecret)).toBeUndefined();
    for (const result of results) expect(result).toEqual([authSecret, masterKeyIdSeen]);
    expect(readFileSync(authFile(), 'utf8')).toBe(`${authSecret}\n`);
  }, 30_000);

  it('differs between data dirs (never a constant)', () => {
    const first = resolveSecrets(config());
    dataDir = join(root, 'other');
    const second = resolveSecrets(config());
    expect(second.authSecret).not.toBe(first.authSecret);
    expect(second.masterKey!.id).not.toBe(first.masterKey!.id);
  });

  it('registers the generated secrets with the log scrubber', () => {
    const resolved = resolveSecrets(config());
    expect(scrubSecrets(`x ${resolved.authSecret} y`)).toBe(`x ${REDACTED} y`);
    expect(scrubSecrets(resolved.masterKey!.key.toString('base64'))).toBe(REDACTED);
  });

  it.each(['auth-secret', 'master-key'])('refuses a %s file readable by others (0644), saying chmod 600', (name) => {
    resolveSecrets(config());
    const path = join(secretsDir(dataDir), name);
    chmodSync(path, 0o644);
    expect(() => resolveSecrets(config())).toThrow(`${path} is readable by other users (mode 0644); run: chmod 600 ${path}`);
    chmodSync(path, 0o640);
    expect(() => resolveSecrets(config())).toThrow(/mode 0640.*chmod 600/);
    chmodSync(path, 0o600);
    expect(() => resolveSecrets(config())).not.toThrow();
  });

  it('refuses an empty or truncated auth-secret file instead of signing with it', () => {
    mkdirSync(secretsDir(dataDir), { recursive: true, mode: 0o700 });
    writeFileSync(authFile(), '\n', { mode: 0o600 });
    expect(() => resolveSecrets(config())).toThrow(`${authFile()}: expected at least 32 characters`);
    writeFileSync(authFile(), 'abc\n', { mode: 0o600 });
    expect(() => resolveSecrets(config())).toThrow(/expected at least 32 characters/);
  });

  it('refuses a corrupt master-key file, naming it without echoing its content', () => {
    mkdirSync(secretsDir(dataDir), { recursive: true, mode: 0o700 });
    const content = `not-a-key-${randomBytes(8).toString('hex')}`;
    writeFileSync(keyFile(), content, { mode: 0o600 });
    let message = '';
    try {
      resolveSecrets(config());
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(keyFile());
    expect(message).toMatch(/32 random bytes/);
    expect(message).not.toContain(content);
  });

  it('reads a master key file written by hand (any accepted encoding, trailing newline)', () => {
    mkdirSync(secretsDir(dataDir), { recursive: true, mode: 0o700 });
    const key = randomBytes(32);
    writeFileSync(keyFile(), `${key.toString('hex')}\n`, { mode: 0o600 });
    const resolved = resolveSecrets(config());
    expect(resolved.masterKey!.key.equals(key)).toBe(true);
    expect(resolved.createdNow).toEqual(['auth-secret']);
  });
});

describe('resolveSecrets: configured secrets', () => {
  it('uses configured values and writes no files', () => {
    const authSecret = randomBytes(48).toString('base64');
    const masterKey = generateMasterKey();
    const resolved = resolveSecrets(config({ AUTH_SECRET: authSecret, MASTER_KEY: masterKey }));
    expect(resolved.authSecret).toBe(authSecret);
    expect(resolved.masterKey!.key.equals(Buffer.from(masterKey, 'base64'))).toBe(true);
    expect(resolved.generated).toEqual({ authSecret: false, masterKey: false });
    expect(resolved.createdNow).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('configured values win over files already in the data dir', () => {
    const generated = resolveSecrets(config());
    const authSecret = randomBytes(48).toString('base64');
    const masterKey = generateMasterKey();
    const resolved = resolveSecrets(config({ AUTH_SECRET: authSecret, MASTER_KEY: masterKey }));
    expect(resolved.authSecret).toBe(authSecret);
    expect(resolved.authSecret).not.toBe(generated.authSecret);
    expect(resolved.masterKey!.id).not.toBe(generated.masterKey!.id);
  });

  it('generates only the one that is missing', () => {
    const masterKey = generateMasterKey();
    const resolved = resolveSecrets(config({ MASTER_KEY: masterKey }));
    expect(resolved.generated).toEqual({ authSecret: true, masterKey: false });
    expect(resolved.createdNow).toEqual(['auth-secret']);
    expect(existsSync(keyFile())).toBe(false);
  });

  it('works in production when both are configured, writing nothing', () => {
    const resolved = resolveSecrets(
      config({ NODE_ENV: 'production', AUTH_SECRET: randomBytes(48).toString('base64'), MASTER_KEY: generateMasterKey() }),
    );
    expect(resolved.createdNow).toEqual([]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it.each([
    ['neither', {}],
    ['only AUTH_SECRET', { AUTH_SECRET: randomBytes(48).toString('base64') }],
    ['only MASTER_KEY', { MASTER_KEY: generateMasterKey() }],
  ])('refuses to generate anything in production (%s configured)', (_label, env) => {
    expect(() => resolveSecrets(config({ NODE_ENV: 'production', ...env }))).toThrow(
      'AUTH_SECRET and MASTER_KEY must be configured in production (generated secrets are for development)',
    );
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses in production even when generated files already exist', () => {
    resolveSecrets(config());
    expect(() => resolveSecrets(config({ NODE_ENV: 'production' }))).toThrow(/must be configured in production/);
  });
});

describe('assertPrivateFile', () => {
  it('accepts 0600 and 0400, refuses any group or other bit', () => {
    const path = join(root, 'f');
    writeFileSync(path, 'x', { mode: 0o600 });
    expect(() => assertPrivateFile(path)).not.toThrow();
    chmodSync(path, 0o400);
    expect(() => assertPrivateFile(path)).not.toThrow();
    for (const bad of [0o604, 0o620, 0o601, 0o660, 0o666]) {
      chmodSync(path, bad);
      expect(() => assertPrivateFile(path)).toThrow(/chmod 600/);
    }
  });
});
