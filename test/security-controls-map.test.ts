// docs/security.md's "Compliance controls map" is evidence for an assessor: every code path and
// test it names must exist, and a test cited as `file > name` must contain that name.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');
const exists = (path: string): boolean => existsSync(new URL(path, root));

interface Row {
  control: string;
  code: string[];
  tests: string[];
  frameworks: string[];
}

const COLUMNS = ['Control', 'Code', 'Test', 'SOC 2', 'GDPR', 'HIPAA', 'PCI DSS v4.0'];

function cells(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split('|')
    .map((cell) => cell.trim());
}

/** The backticked spans of a cell, one per reference (cells separate them with <br>). */
function references(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);
}

function controlsMap(markdown: string): { header: string[]; rows: Row[] } {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === '## Compliance controls map');
  if (start === -1) throw new Error('docs/security.md has no "## Compliance controls map" section');
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  const table = lines.slice(start + 1, end === -1 ? undefined : end).filter((line) => line.trim().startsWith('|'));
  const [headerLine, separator, ...body] = table;
  if (!headerLine || !separator) throw new Error('the controls map has no table');
  return {
    header: cells(headerLine),
    rows: body.map((line) => {
      const [control = '', code = '', tests = '', ...frameworks] = cells(line);
      return { control, code: references(code), tests: references(tests), frameworks };
    }),
  };
}

const { header, rows } = controlsMap(read('docs/security.md'));

describe('the compliance controls map in docs/security.md', () => {
  it('has the expected columns and a row per control, each mapped to every framework', () => {
    expect(header).toEqual(COLUMNS);
    expect(rows.length).toBeGreaterThanOrEqual(25);
    for (const row of rows) {
      expect(row.frameworks, row.control).toHaveLength(COLUMNS.length - 3);
      expect(row.code.length, `${row.control}: no code path`).toBeGreaterThan(0);
      expect(row.tests.length, `${row.control}: no test`).toBeGreaterThan(0);
      for (const framework of row.frameworks) expect(framework, row.control).not.toBe('');
    }
  });

  it('names only code paths that exist', () => {
    const missing = rows.flatMap((row) => row.code.filter((path) => !exists(path)).map((path) => `${row.control}: ${path}`));
    expect(missing).toEqual([]);
  });

  it('names only test files that exist, and test names that appear in them', () => {
    const problems: string[] = [];
    for (const row of rows) {
      for (const reference of row.tests) {
        const separator = reference.indexOf(' > ');
        const file = separator === -1 ? reference : reference.slice(0, separator);
        const name = separator === -1 ? undefined : reference.slice(separator + 3);
        if (!/\.test\.ts$/.test(file)) {
          problems.push(`${row.control}: ${file} is not a test file`);
        } else if (!exists(file)) {
          problems.push(`${row.control}: ${file} does not exist`);
        } else if (name !== undefined && !read(file).includes(name)) {
          problems.push(`${row.control}: ${file} has no test named "${name}"`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('covers every control the security process requires', () => {
    const controls = rows.map((row) => row.control.toLowerCase()).join('\n');
    for (const topic of [
      'tenant isolation',
      'encryption at rest',
      'kms',
      'per-user keys',
      'api keys',
      'admin tokens',
      'passkeys',
      'two-factor',
      'session',
      'rate and usage limits',
      'guardrails',
      'pii',
      'secret detection',
      'injection',
      'hash chains',
      'append-only',
      'audit verify',
      'checkpoints',
      'retention',
      'siem',
      'security alerts',
      'access review',
      'gdpr',
      'org export',
      'org deletion',
      'secrets management',
      'ssrf',
      'csrf',
      'log scrubbing',
      'doctor',
      'supply chain',
      'incident',
    ]) {
      expect(controls, topic).toContain(topic);
    }
  });
});

describe('SECURITY.md', () => {
  it('SECURITY.md names the reporting channel and the notification deadlines', () => {
    const policy = read('SECURITY.md');
    expect(policy).toMatch(/private vulnerability reporting/i);
    expect(policy).toMatch(/security@/);
    expect(policy).toMatch(/24 hours/);
    expect(policy).toMatch(/72 hours/);
    expect(policy).toMatch(/Art(icle|\.) 33/);
    for (const step of ['Detection', 'Containment', 'Investigation', 'Remediation', 'Communication', 'Post-mortem']) {
      expect(policy).toContain(step);
    }
    // The commands it tells an operator to run during an incident are real commands.
    const cli = read('src/cli.ts');
    for (const command of ['revoke', 'rotate-master', 'rotate-tenant', 'verify']) {
      expect(policy).toContain(command);
      expect(cli).toContain(`'${command}`);
    }
  });
});
