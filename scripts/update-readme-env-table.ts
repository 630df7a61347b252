// Rewrites the configuration table in README.md from the zod schema: npx tsx scripts/update-readme-env-table.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { environmentTable } from '../src/config/env-table.js';

const path = new URL('../README.md', import.meta.url);
const readme = readFileSync(path, 'utf8');
const updated = readme.replace(/(<!-- env-table:start[^\n]*-->\n)[\s\S]*?(\n<!-- env-table:end -->)/, `$1${environmentTable()}$2`);
writeFileSync(path, updated);
