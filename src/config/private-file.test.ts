import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateFileExclusive } from './private-file.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-private-file-test-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createPrivateFileExclusive', () => {
  it('creates the file with its content and mode 0600, leaving no temporary file', () => {
    const path = join(dir, 'secret');
    expect(createPrivateFileExclusive(path, 'value\n')).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('value\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['secret']);
  });

  it('leaves an existing file alone and returns false', () => {
    const path = join(dir, 'secret');
    writeFileSync(path, 'first', { mode: 0o644 });
    expect(createPrivateFileExclusive(path, 'second')).toBe(false);
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['secret']);
  });

  it('is 0600 whatever the umask', () => {
    const previous = process.umask(0);
    try {
      const path = join(dir, 'secret');
      createPrivateFileExclusive(path, 'x');
      expect(statSync(path).mode & 0o777).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });

  it('fails loudly when the directory does not exist', () => {
    expect(() => createPrivateFileExclusive(join(dir, 'missing', 'secret'), 'x')).toThrow(/ENOENT/);
  });
});
