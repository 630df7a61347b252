// Decision logic of scripts/audit-with-allowlist.mjs, kept pure (no I/O, the clock passed in) so
// test/audit-allowlist.test.ts can check it. Types: audit-allowlist-core.d.mts.

/** Severities that fail the audit unless allowlisted (npm audit --audit-level=high). */
export const FAILING_SEVERITIES = ['high', 'critical'];

const REQUIRED_FIELDS = ['id', 'package', 'reason', 'reviewedBy', 'expires'];
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;
const GHSA = /GHSA(-[0-9a-z]{4}){3}/i;

/**
 * The identifiers an advisory or an allowlist entry can be named by: the GHSA id (from an id or
 * a URL, lower-cased), the full URL, and npm's numeric advisory id.
 * @param {string | number | undefined} value
 * @returns {string[]}
 */
export function advisoryKeys(value) {
  if (value === undefined || value === null) return [];
  const text = String(value).trim();
  if (text === '') return [];
  const keys = [text.toLowerCase()];
  const ghsa = GHSA.exec(text);
  if (ghsa) keys.push(ghsa[0].toLowerCase());
  return keys;
}

/**
 * The high and critical advisories of an `npm audit --json` report (npm 7+ format), one per
 * advisory and package. Throws when the report is not an audit result (npm could not reach the
 * advisory endpoint, no lockfile…): the caller must fail rather than pass on an audit that did not run.
 * @param {unknown} report
 */
export function advisoriesFromReport(report) {
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    throw new Error('npm audit did not return a JSON object');
  }
  const record = /** @type {Record<string, unknown>} */ (report);
  if (record.error !== undefined || typeof record.vulnerabilities !== 'object' || record.vulnerabilities === null) {
    const error = /** @type {{ summary?: unknown; code?: unknown } | undefined} */ (record.error);
    const detail = [record.message, error?.code, error?.summary].filter((part) => typeof part === 'string' && part !== '').join(': ');
    throw new Error(`npm audit did not produce a report${detail ? ` (${detail})` : ''}`);
  }
  const found = new Map();
  for (const [name, vulnerability] of Object.entries(/** @type {Record<string, { via?: unknown }>} */ (record.vulnerabilities))) {
    const via = Array.isArray(vulnerability?.via) ? vulnerability.via : [];
    for (const item of via) {
      // A string names another vulnerable package; its own entry carries the advisory.
      if (typeof item !== 'object' || item === null) continue;
      const severity = String(item.severity ?? '').toLowerCase();
      if (!FAILING_SEVERITIES.includes(severity)) continue;
      const packageName = typeof item.name === 'string' ? item.name : name;
      const id = item.source !== undefined ? String(item.source) : undefined;
      const url = typeof item.url === 'string' ? item.url : undefined;
      const key = `${packageName}|${url ?? id ?? item.title}`;
      if (found.has(key)) continue;
      found.set(key, {
        id,
        url,
        package: packageName,
        severity,
        title: typeof item.title === 'string' ? item.title : '',
        range: item.range,
      });
    }
  }
  return [...found.values()];
}

/**
 * Checks the shape of the allowlist file: an object with an `entries` array, each entry with every
 * required field as a non-empty string and `expires` an ISO 8601 date.
 * @param {unknown} allowlist
 * @returns {{ entries: Array<Record<string, string>>, problems: string[] }}
 */
export function validateAllowlist(allowlist) {
  const problems = [];
  const list = /** @type {{ entries?: unknown } | null} */ (typeof allowlist === 'object' ? allowlist : null);
  if (!list || !Array.isArray(list.entries)) {
    return { entries: [], problems: ['the allowlist must be an object with an "entries" array'] };
  }
  const entries = [];
  list.entries.forEach((entry, index) => {
    const label = `entry ${index + 1}${typeof entry?.id === 'string' ? ` (${entry.id})` : ''}`;
    if (typeof entry !== 'object' || entry === null) {
      problems.push(`${label}: not an object`);
      return;
    }
    const missing = REQUIRED_FIELDS.filter((field) => typeof entry[field] !== 'string' || entry[field].trim() === '');
    if (missing.length > 0) {
      problems.push(`${label}: missing ${missing.join(', ')}`);
      return;
    }
    if (!ISO_DATE.test(entry.expires) || Number.isNaN(Date.parse(entry.expires))) {
      problems.push(`${label}: "expires" must be an ISO 8601 date (YYYY-MM-DD), got ${JSON.stringify(entry.expires)}`);
      return;
    }
    entries.push(entry);
  });
  return { entries, problems };
}

/**
 * An entry expires at the end of its `expires` day (UTC) when it is a bare date, or at the instant given.
 * @param {string} expires
 * @param {Date} now
 */
export function isExpired(expires, now) {
  const end = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : Date.parse(expires);
  return now.getTime() > end;
}

/**
 * @param {{ id?: string, url?: string, package: string }} advisory
 * @param {Record<string, string>} entry
 */
function matches(advisory, entry) {
  if (entry.package !== advisory.package) return false;
  const wanted = new Set(advisoryKeys(entry.id));
  return [...advisoryKeys(advisory.id), ...advisoryKeys(advisory.url)].some((key) => wanted.has(key));
}

/**
 * The decision: which advisories fail the build and why.
 * - a high/critical advisory with no matching entry fails;
 * - a matching but expired entry fails (it must be reviewed again);
 * - an expired entry fails even if nothing matches it any more (delete it);
 * - an invalid allowlist fails;
 * - a valid, unexpired entry that matches nothing is reported as unused, without failing.
 * @param {unknown} report `npm audit --json` output, parsed
 * @param {unknown} allowlist security/audit-allowlist.json, parsed
 * @param {Date} now
 */
export function evaluateAudit(report, allowlist, now) {
  const advisories = advisoriesFromReport(report);
  const { entries, problems } = validateAllowlist(allowlist);
  const failures = [...problems.map((problem) => ({ kind: 'invalid-entry', message: problem }))];
  const allowed = [];
  const used = new Set();

  for (const advisory of advisories) {
    const name = `${advisory.severity} ${advisory.package}: ${advisory.title} (${advisory.url ?? advisory.id ?? 'no id'})`;
    const entry = entries.find((candidate) => matches(advisory, candidate));
    if (!entry) {
      failures.push({ kind: 'not-allowlisted', advisory, message: `${name} is not in the allowlist` });
      continue;
    }
    used.add(entry);
    if (isExpired(entry.expires, now)) {
      failures.push({ kind: 'expired', advisory, entry, message: `${name} was allowlisted until ${entry.expires}: review it again` });
    } else {
      allowed.push({ advisory, entry });
    }
  }

  const unused = [];
  for (const entry of entries) {
    if (used.has(entry)) continue;
    if (isExpired(entry.expires, now)) {
      failures.push({
        kind: 'expired',
        entry,
        message: `allowlist entry ${entry.id} (${entry.package}) expired on ${entry.expires}: remove it`,
      });
    } else {
      unused.push(entry);
    }
  }

  return { ok: failures.length === 0, advisories, failures, allowed, unused };
}
