import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root, found by walking up from this file, so the same code works from src/ (tsx,
 * vitest) and from dist/ (npm start) and finds files that tsc does not copy (SQL migrations).
 */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('portcullis: cannot find package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const packageRoot = findPackageRoot();
export const migrationsFolder = join(packageRoot, 'src', 'db', 'migrations');
