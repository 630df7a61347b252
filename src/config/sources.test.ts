import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { collectVariables, gatherVariables, type ConfigSources } from './sources.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-sources-test-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

function problemsOf(sources: ConfigSources): string[] {
  try {
    collectVariables(sources, dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected collectVariables to throw a ConfigError');
}

describe('collectVariables: unknown variables', () => {
  it('refuses an unknown PORTCULLIS_* environment variable, naming it', () => {
    expect(problemsOf({ env: { PORTCULLIS_FOO: 'x' } })).toEqual(['PORTCULLIS_FOO: unknown variable']);
    expect(problemsOf({ env: { PORTCULLIS_DATADIR: '/data' } })).toEqual([
      'PORTCULLIS_DATADIR: unknown variable; did you mean PORTCULLIS_DATA_DIR?',
    ]);
    expect(problemsOf({ env: { PORTCULLIS_FOO_FILE: '/x' } })).toEqual(['PORTCULLIS_FOO_FILE: unknown variable']);
  });

  it('reports every unknown variable, not just the first', () => {
    expect(problemsOf({ env: { PORTCULLIS_A: '1', PORTCULLIS_B: '2' } })).toEqual([
      'PORTCULLIS_A: unknown variable',
      'PORTCULLIS_B: unknown variable',
    ]);
  });

  it('ignores environment variables of other programs (PATH, HOME, NODE_OPTIONS, REDIS_HOST, …)', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/root',
      NODE_OPTIONS: '--max-old-space-size=512',
      NODE_PATH: '/usr/lib/node',
      REDIS_HOST: 'cache',
      REDIS_PORT: '6379',
      SMTP_HOST: 'mail',
      HOSTNAME: 'box',
      POST: '1',
      SOMETHING_FILE: '/nope',
      // A Kubernetes service link for a service named `app`: one letter from API_PORT, but injected, not typed.
      APP_PORT: 'tcp://10.0.0.7:80',
    };
    expect(collectVariables({ env }, dir).values).toEqual({});
  });

  it('refuses an environment variable one edit away from a known name, suggesting it', () => {
    const cases: [string, string][] = [
      ['AUTH_SECRETT', 'AUTH_SECRET'], // insertion
      ['GATWAY_PORT', 'GATEWAY_PORT'], // deletion
      ['DATABASE_URI', 'DATABASE_URL'], // substitution
      ['MSATER_KEY', 'MASTER_KEY'], // transposition
      ['AUTH_SECRET_FIEL', 'AUTH_SECRET_FILE'], // the NAME_FILE form too
    ];
    for (const [typo, known] of cases) {
      expect(problemsOf({ env: { [typo]: 'x', PATH: '/usr/bin' } }), typo).toEqual([
        `${typo} is not a Portcullis variable; did you mean ${known}? (unset it or correct the name)`,
      ]);
    }
  });

  it('leaves names shorter than 8 characters, names two edits away and known names alone', () => {
    // HOSTS is one edit from HOST, but too short to tell from another program's variable.
    const env = { HOSTS: 'a', HOST: '127.0.0.1', AUTH_SECRETS_X: 'x', TLS_CERT_FILE: '/c', NODE_ENV: 'test' };
    expect(gatherVariables({ env }, dir).problems).toEqual([]);
  });

  it('accepts variables whose own name ends in _FILE (TLS_CERT_FILE) in .env', () => {
    const envFile = file('.env', 'TLS_CERT_FILE=/etc/tls/cert.pem\nTLS_KEY_FILE=/etc/tls/key.pem\n');
    expect(collectVariables({ env: {}, envFile }, dir).values).toEqual({
      TLS_CERT_FILE: '/etc/tls/cert.pem',
      TLS_KEY_FILE: '/etc/tls/key.pem',
    });
  });

  it('accepts the known PORTCULLIS_* variable and its _FILE form', () => {
    const path = file('data-dir', '/srv/data\n');
    expect(collectVariables({ env: { PORTCULLIS_DATA_DIR: '/srv/a' } }, dir).values.PORTCULLIS_DATA_DIR).toBe('/srv/a');
    expect(collectVariables({ env: { PORTCULLIS_DATA_DIR_FILE: path } }, dir).values.PORTCULLIS_DATA_DIR).toBe('/srv/data');
  });

  it('refuses an unknown key in the .env file, naming the key and the file', () => {
    const envFile = file('.env', 'GATWAY_PORT=4000\nLOG_LEVEL=debug\nFOO_FILE=/x\n');
    expect(problemsOf({ env: {}, envFile }).sort()).toEqual([
      `FOO_FILE (in ${envFile}): unknown variable`,
      `GATWAY_PORT (in ${envFile}): unknown variable; did you mean GATEWAY_PORT?`,
    ]);
  });

  it('refuses non-PORTCULLIS keys in .env too (PATH has no business there)', () => {
    const envFile = file('.env', 'PATH=/tmp\n');
    expect(problemsOf({ env: {}, envFile })).toEqual([`PATH (in ${envFile}): unknown variable`]);
  });

  it('points at a malformed .env line by number without echoing it', () => {
    const secret = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8';
    const envFile = file('.env', `# comment\nAUTH_SECRET\n${secret}\nHOST=0.0.0.0\n`);
    const problems = problemsOf({ env: {}, envFile });
    expect(problems).toEqual([
      `${envFile} line 2: not a NAME=value line with a known upper-case NAME (contents not shown: they may hold a secret)`,
    ]);
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('does not echo a key-shaped value that cannot be a variable name (a pasted hex key)', () => {
    const hex = 'A'.repeat(8) + '0123456789ABCDEF'.repeat(3) + 'ABCDEFAB';
    const envFile = file('.env', `${hex}=\n`);
    const problems = problemsOf({ env: {}, envFile });
    expect(problems).toEqual([
      `${envFile} line 1: not a NAME=value line with a known upper-case NAME (contents not shown: they may hold a secret)`,
    ]);
  });

  it('does not echo lower-case keys (base64 secrets look like them)', () => {
    const envFile = file('.env', 'gateway_port=1\n');
    expect(problemsOf({ env: {}, envFile })).toEqual([
      `${envFile} line 1: not a NAME=value line with a known upper-case NAME (contents not shown: they may hold a secret)`,
    ]);
  });
});

describe('collectVariables: NAME_FILE', () => {
  it('reads the value from the file, trimming one trailing \\n', () => {
    const path = file('secret', 'value-from-file\n');
    const { values, origins } = collectVariables({ env: { AUTH_SECRET_FILE: path } }, dir);
    expect(values.AUTH_SECRET).toBe('value-from-file');
    expect(origins.AUTH_SECRET).toBe('file');
  });

  it('trims one trailing \\r\\n', () => {
    const path = file('secret', 'value-from-file\r\n');
    expect(collectVariables({ env: { AUTH_SECRET_FILE: path } }, dir).values.AUTH_SECRET).toBe('value-from-file');
  });

  it('trims only one newline, and nothing else', () => {
    expect(collectVariables({ env: { HOST_FILE: file('a', 'x\n\n') } }, dir).values.HOST).toBe('x\n');
    expect(collectVariables({ env: { HOST_FILE: file('b', ' x ') } }, dir).values.HOST).toBe(' x ');
    expect(collectVariables({ env: { HOST_FILE: file('c', 'x\ny') } }, dir).values.HOST).toBe('x\ny');
  });

  it('resolves a relative path against cwd', () => {
    file('relative-secret', 'rel\n');
    expect(collectVariables({ env: { AUTH_SECRET_FILE: 'relative-secret' } }, dir).values.AUTH_SECRET).toBe('rel');
  });

  it('reports a missing file, naming NAME_FILE and the path', () => {
    const path = join(dir, 'does-not-exist');
    expect(problemsOf({ env: { MASTER_KEY_FILE: path } })).toEqual([`MASTER_KEY_FILE: cannot read ${path} (ENOENT)`]);
  });

  it('reports a directory given as the file', () => {
    const path = join(dir, 'a-dir');
    mkdirSync(path);
    expect(problemsOf({ env: { MASTER_KEY_FILE: path } })).toEqual([`MASTER_KEY_FILE: cannot read ${path} (EISDIR)`]);
  });

  it('does not fall back to a lower-precedence value when the file cannot be read', () => {
    const envFile = file('.env', 'AUTH_SECRET=from-dotenv\n');
    const gathered = gatherVariables({ env: { AUTH_SECRET_FILE: join(dir, 'missing') }, envFile }, dir);
    expect(gathered.problems).toHaveLength(1);
    expect(gathered.values.AUTH_SECRET).toBeUndefined();
    expect(gathered.failed.has('AUTH_SECRET')).toBe(true);
  });

  it('does not read NAME_FILE at all when NAME is set in the environment', () => {
    const { values, origins } = collectVariables({ env: { HOST: '0.0.0.0', HOST_FILE: join(dir, 'missing') } }, dir);
    expect(values.HOST).toBe('0.0.0.0');
    expect(origins.HOST).toBe('env');
  });

  it('works inside the .env file', () => {
    const path = file('key', 'from-dotenv-file\n');
    const envFile = file('.env', `AUTH_SECRET_FILE=${path}\n`);
    const { values, origins } = collectVariables({ env: {}, envFile }, dir);
    expect(values.AUTH_SECRET).toBe('from-dotenv-file');
    expect(origins.AUTH_SECRET).toBe('file');
  });

  it('reports a missing file named in the .env file', () => {
    const path = join(dir, 'missing');
    const envFile = file('.env', `AUTH_SECRET_FILE=${path}\n`);
    expect(problemsOf({ env: {}, envFile })).toEqual([`AUTH_SECRET_FILE: cannot read ${path} (ENOENT)`]);
  });

  it('takes an empty file as an empty value (validation then refuses it), not as unset', () => {
    const { values, origins } = collectVariables({ env: { AUTH_SECRET_FILE: file('empty', '') } }, dir);
    expect(values.AUTH_SECRET).toBe('');
    expect(origins.AUTH_SECRET).toBe('file');
  });
});

describe('collectVariables: precedence', () => {
  const envFileWith = (content: string) => file('.env', content);

  it('flag > env > env NAME_FILE > .env NAME > .env NAME_FILE', () => {
    const envFileValue = file('env-file-value', 'env-file\n');
    const dotenvFileValue = file('dotenv-file-value', 'dotenv-file\n');
    const envFile = envFileWith(`HOST=dotenv\nHOST_FILE=${dotenvFileValue}\n`);
    const all: ConfigSources = { flags: { HOST: 'flag' }, env: { HOST: 'env', HOST_FILE: envFileValue }, envFile };

    const pick = (sources: ConfigSources) => {
      const { values, origins } = collectVariables(sources, dir);
      return [values.HOST, origins.HOST];
    };
    expect(pick(all)).toEqual(['flag', 'flag']);
    expect(pick({ ...all, flags: {} })).toEqual(['env', 'env']);
    expect(pick({ ...all, flags: {}, env: { HOST_FILE: envFileValue } })).toEqual(['env-file', 'file']);
    expect(pick({ ...all, flags: {}, env: {} })).toEqual(['dotenv', 'dotenv']);
    expect(pick({ flags: {}, env: {}, envFile: envFileWith(`HOST_FILE=${dotenvFileValue}\n`) })).toEqual(['dotenv-file', 'file']);
    expect(pick({ env: {} })).toEqual([undefined, 'default']);
  });

  it('env NAME beats NAME_FILE, and NAME_FILE from the environment beats .env', () => {
    const secretFile = file('secret', 'from-file\n');
    const envFile = envFileWith('AUTH_SECRET=from-dotenv\n');
    expect(collectVariables({ env: { AUTH_SECRET: 'from-env', AUTH_SECRET_FILE: secretFile }, envFile }, dir).values.AUTH_SECRET).toBe(
      'from-env',
    );
    expect(collectVariables({ env: { AUTH_SECRET_FILE: secretFile }, envFile }, dir).values.AUTH_SECRET).toBe('from-file');
  });

  it('treats an empty environment variable as unset', () => {
    const envFile = envFileWith('HOST=dotenv\n');
    const { values, origins } = collectVariables({ env: { HOST: '', HOST_FILE: '' }, envFile }, dir);
    expect(values.HOST).toBe('dotenv');
    expect(origins.HOST).toBe('dotenv');
  });

  it('passes an empty flag through (validation decides)', () => {
    expect(collectVariables({ flags: { HOST: '' }, env: { HOST: 'env' } }, dir).values.HOST).toBe('');
  });
});

describe('collectVariables: the .env file', () => {
  it('may be missing unless required', () => {
    const envFile = join(dir, 'nope.env');
    expect(collectVariables({ env: {}, envFile }, dir).values).toEqual({});
    expect(problemsOf({ env: {}, envFile, envFileRequired: true })).toEqual([`--env-file: ${envFile} does not exist`]);
  });

  it('reports an unreadable .env file as a configuration problem', () => {
    const envFile = join(dir, 'env-dir');
    mkdirSync(envFile);
    expect(problemsOf({ env: {}, envFile })).toEqual([`--env-file: cannot read ${envFile} (EISDIR)`]);
  });

  it('understands comments, quotes and export', () => {
    const envFile = file('.env', '# a comment\nexport HOST=0.0.0.0\nLOG_LEVEL="debug" # trailing\nPUBLIC_URL=\'https://x.example\'\n');
    expect(collectVariables({ env: {}, envFile }, dir).values).toEqual({
      HOST: '0.0.0.0',
      LOG_LEVEL: 'debug',
      PUBLIC_URL: 'https://x.example',
    });
  });
});
