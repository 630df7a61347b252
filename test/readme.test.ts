/** The README is part of the product: its configuration table must match the schema. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentTable } from '../src/config/env-table.js';
import { VARIABLE_NAMES } from '../src/config/variables.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('configuration table matches the zod schema (run: npx tsx scripts/update-readme-env-table.ts)', () => {
    const block = /<!-- env-table:start[^\n]*-->\n([\s\S]*?)\n<!-- env-table:end -->/.exec(readme)?.[1];
    expect(block).toBe(environmentTable());
    for (const name of VARIABLE_NAMES) expect(block).toContain(`\`${name}\``);
  });

  it('starts with the two commands a new user runs', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });
});
