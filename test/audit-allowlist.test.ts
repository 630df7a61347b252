// The decision logic of scripts/audit-with-allowlist.mjs: which npm audit findings fail the build.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { advisoriesFromReport, evaluateAudit, isExpired, validateAllowlist } from '../scripts/audit-allowlist-core.mjs';

const NOW = new Date('2026-06-15T12:00:00Z');
const GHSA_URL = 'https://github.com/advisories/GHSA-abcd-efgh-2345';

function report(vulnerabilities: Record<string, unknown>): unknown {
  return { auditReportVersion: 2, vulnerabilities, metadata: {} };
}

function advisory(name: string, severity: string, url = GHSA_URL, source = 1100001): Record<string, unknown> {
  return { name, severity, via: [{ source, name, dependency: name, title: `${name} is vulnerable`, url, severity, range: '<2.0.0' }] };
}

function entry(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    id: 'GHSA-abcd-efgh-2345',
    package: 'left-pad',
    reason: 'only reachable through a code path Portcullis does not call',
    reviewedBy: 'security@example.com',
    expires: '2026-07-01',
    ...overrides,
  };
}

describe('advisoriesFromReport', () => {
  it('keeps high and critical advisories only, once each, with the package that carries them', () => {
    const found = advisoriesFromReport(
      report({
        'left-pad': advisory('left-pad', 'high'),
        wrapper: { name: 'wrapper', severity: 'high', via: ['left-pad'] },
        chalk: advisory('chalk', 'moderate', 'https://github.com/advisories/GHSA-mmmm-mmmm-mmmm'),
        lodash: advisory('lodash', 'critical', 'https://github.com/advisories/GHSA-cccc-cccc-cccc', 1100002),
      }),
    );
    expect(found.map((a) => `${a.package}:${a.severity}`).sort()).toEqual(['left-pad:high', 'lodash:critical']);
  });

  it('throws when npm could not produce a report, so an audit that did not run never passes', () => {
    expect(() => advisoriesFromReport({ message: '405 Method Not Allowed', error: { summary: '' } })).toThrow(/did not produce a report/);
    expect(() => advisoriesFromReport('nope')).toThrow();
    expect(() => advisoriesFromReport(null)).toThrow();
  });
});

describe('validateAllowlist', () => {
  it('accepts complete entries and names what is missing or malformed', () => {
    const { entries, problems } = validateAllowlist({
      entries: [entry(), entry({ reason: '' }), entry({ expires: 'next month' }), { id: 'GHSA-x' }],
    });
    expect(entries).toHaveLength(1);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/missing reason/);
    expect(problems[1]).toMatch(/ISO 8601/);
    expect(problems[2]).toMatch(/missing package, reason, reviewedBy, expires/);
  });

  it('refuses a file without an entries array', () => {
    expect(validateAllowlist([]).problems).toHaveLength(1);
    expect(validateAllowlist(null).problems).toHaveLength(1);
  });
});

describe('isExpired', () => {
  it('holds a bare date until the end of that day (UTC), and an instant until that instant', () => {
    expect(isExpired('2026-06-15', NOW)).toBe(false);
    expect(isExpired('2026-06-14', NOW)).toBe(true);
    expect(isExpired('2026-06-15T11:59:59Z', NOW)).toBe(true);
    expect(isExpired('2026-06-15T12:00:01Z', NOW)).toBe(false);
  });
});

describe('evaluateAudit', () => {
  it('passes a clean report with an empty allowlist', () => {
    const result = evaluateAudit(report({}), { entries: [] }, NOW);
    expect(result.ok).toBe(true);
    expect(result.failures).toEqual([]);
  });

  it('fails a high advisory that is not allowlisted', () => {
    const result = evaluateAudit(report({ 'left-pad': advisory('left-pad', 'high') }), { entries: [] }, NOW);
    expect(result.ok).toBe(false);
    expect(result.failures).toMatchObject([{ kind: 'not-allowlisted' }]);
  });

  it('passes an allowlisted advisory, matched by GHSA id, by URL or by npm advisory number', () => {
    for (const id of ['GHSA-abcd-efgh-2345', 'ghsa-ABCD-efgh-2345', GHSA_URL, '1100001']) {
      const result = evaluateAudit(report({ 'left-pad': advisory('left-pad', 'critical') }), { entries: [entry({ id })] }, NOW);
      expect(result.ok, id).toBe(true);
      expect(result.allowed).toHaveLength(1);
    }
  });

  it('does not let an entry for one package cover the same advisory in another', () => {
    const result = evaluateAudit(report({ 'right-pad': advisory('right-pad', 'high') }), { entries: [entry()] }, NOW);
    expect(result.ok).toBe(false);
    expect(result.failures.map((f) => f.kind)).toEqual(['not-allowlisted']);
    expect(result.unused).toHaveLength(1);
  });

  it('fails an allowlisted advisory whose entry has expired', () => {
    const result = evaluateAudit(
      report({ 'left-pad': advisory('left-pad', 'high') }),
      { entries: [entry({ expires: '2026-06-01' })] },
      NOW,
    );
    expect(result.ok).toBe(false);
    expect(result.failures).toMatchObject([{ kind: 'expired' }]);
    expect(result.failures[0]!.message).toMatch(/review it again/);
  });

  it('fails an expired entry even when its advisory is gone, and only notes an unused live one', () => {
    const stale = evaluateAudit(report({}), { entries: [entry({ expires: '2026-01-01' })] }, NOW);
    expect(stale.ok).toBe(false);
    expect(stale.failures[0]!.message).toMatch(/remove it/);

    const unused = evaluateAudit(report({}), { entries: [entry()] }, NOW);
    expect(unused.ok).toBe(true);
    expect(unused.unused).toHaveLength(1);
  });

  it('fails on an invalid allowlist entry even with nothing to allow', () => {
    const result = evaluateAudit(report({}), { entries: [entry({ reviewedBy: '' })] }, NOW);
    expect(result.ok).toBe(false);
    expect(result.failures).toMatchObject([{ kind: 'invalid-entry' }]);
  });

  it('ignores moderate and low advisories', () => {
    const result = evaluateAudit(report({ chalk: advisory('chalk', 'moderate'), debug: advisory('debug', 'low') }), { entries: [] }, NOW);
    expect(result.ok).toBe(true);
    expect(result.advisories).toEqual([]);
  });
});

describe('security/audit-allowlist.json', () => {
  it('is a valid allowlist whose entries all have a reason, a reviewer and an unexpired date at most 30 days out', () => {
    const file: unknown = JSON.parse(readFileSync(new URL('../security/audit-allowlist.json', import.meta.url), 'utf8'));
    const { entries, problems } = validateAllowlist(file);
    expect(problems).toEqual([]);
    const now = new Date();
    for (const item of entries) {
      expect(isExpired(item.expires, now), `${item.id} expired on ${item.expires}`).toBe(false);
      expect(Date.parse(item.expires) - now.getTime(), `${item.id}: expires more than 30 days out`).toBeLessThanOrEqual(31 * 86_400_000);
    }
  });
});
