/**
 * What every dashboard page gets in the browser tests: an accessibility check with axe-core (no
 * serious or critical violation) and a full-page screenshot under test-results/dashboard/ for review.
 *
 * axe runs through the DevTools protocol (`page.evaluate`), which the page's Content Security
 * Policy does not govern, so the dashboard keeps its strict `script-src 'self'` while it is checked.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { packageRoot } from '../../../src/paths.js';

const SCREENSHOT_DIR = join(packageRoot, 'test-results', 'dashboard');

let axeSource: string | undefined;
function loadAxeSource(): string {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  return axeSource;
}

/** One axe violation as the test reports it: rule, impact, and where. */
export type AccessibilityViolation = { rule: string; impact: string; help: string; targets: string[] };

/** The serious and critical violations axe finds on the page as it is now (WCAG 2.0/2.1 A and AA rules). */
export async function seriousAccessibilityViolations(page: Page): Promise<AccessibilityViolation[]> {
  const alreadyLoaded = await page.evaluate('typeof window.axe === "object"');
  if (alreadyLoaded !== true) await page.evaluate(`${loadAxeSource()}\n;undefined`);
  // Page code as a string: the test project has no DOM types.
  return page.evaluate<AccessibilityViolation[]>(`window.axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
    .then((result) => result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) })))`);
}

/** Saves a full-page screenshot as test-results/dashboard/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Checks the page with axe (fails the test, naming each rule and element, on a serious or critical
 * violation) and saves its screenshot. Call it once the page shows its data, not while it loads.
 */
export async function reviewPage(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  expect(await seriousAccessibilityViolations(page), `accessibility of ${name}`).toEqual([]);
}
