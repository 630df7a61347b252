#!/usr/bin/env node
// npm audit for production dependencies, with a reviewed, dated allowlist:
//   node scripts/audit-with-allowlist.mjs [--allowlist FILE] [--report FILE]
// Runs `npm audit --omit=dev --audit-level=high --json` (or reads a saved report with --report) and
// fails on any high or critical advisory that security/audit-allowlist.json does not list, or lists
// with an expired date. Exit codes: 0 pass, 1 advisories or allowlist problems, 2 the audit could
// not run (registry unreachable, no lockfile…): never a silent pass.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateAudit } from './audit-allowlist-core.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

function option(name) {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function readJson(path, what) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`audit: cannot read ${what} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

function runNpmAudit() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['audit', '--omit=dev', '--audit-level=high', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    console.error(`audit: could not run npm audit: ${result.error.message}`);
    process.exit(2);
  }
  // npm audit exits 1 when it finds anything at or above --audit-level: the JSON on stdout decides.
  try {
    return JSON.parse(result.stdout);
  } catch {
    console.error(`audit: npm audit printed no JSON (exit ${result.status}).\n${result.stderr.trim()}`);
    process.exit(2);
  }
}

const allowlistPath = resolve(root, option('--allowlist') ?? 'security/audit-allowlist.json');
const reportPath = option('--report');
const allowlist = readJson(allowlistPath, 'allowlist');
const report = reportPath ? readJson(resolve(reportPath), 'report') : runNpmAudit();

let evaluation;
try {
  evaluation = evaluateAudit(report, allowlist, new Date());
} catch (error) {
  console.error(`audit: FAILED, the audit did not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

for (const { advisory, entry } of evaluation.allowed) {
  console.log(
    `audit: allowed until ${entry.expires} (${entry.reviewedBy}): ${advisory.severity} ${advisory.package} ${advisory.url ?? advisory.id}`,
  );
}
for (const entry of evaluation.unused) {
  console.log(`audit: note: allowlist entry ${entry.id} (${entry.package}) matches no current advisory; remove it`);
}
for (const failure of evaluation.failures) {
  console.error(`audit: ${failure.message}`);
}
if (!evaluation.ok) {
  console.error(
    `audit: FAILED: ${evaluation.failures.length} problem(s). Upgrade the dependency, or add a reviewed entry to ${allowlistPath} ` +
      '(id, package, reason, reviewedBy, expires within 30 days).',
  );
  process.exit(1);
}
console.log(
  `audit: ok: ${evaluation.advisories.length} high/critical advisory(ies) in production dependencies, ${evaluation.allowed.length} allowlisted.`,
);
