// Types for audit-allowlist-core.mjs (plain JavaScript, so `node scripts/audit-with-allowlist.mjs` needs no build).

export type Severity = 'high' | 'critical';

export interface Advisory {
  /** npm's numeric advisory id (`source` in the report) */
  id?: string;
  /** https://github.com/advisories/GHSA-… */
  url?: string;
  package: string;
  severity: string;
  title: string;
  range?: unknown;
}

export interface AllowlistEntry {
  /** GHSA id, advisory URL or npm advisory number */
  id: string;
  package: string;
  reason: string;
  reviewedBy: string;
  /** ISO 8601 date; the entry holds until the end of that day (UTC) */
  expires: string;
  [field: string]: string;
}

export interface Failure {
  kind: 'invalid-entry' | 'not-allowlisted' | 'expired';
  message: string;
  advisory?: Advisory;
  entry?: AllowlistEntry;
}

export interface Evaluation {
  ok: boolean;
  advisories: Advisory[];
  failures: Failure[];
  allowed: Array<{ advisory: Advisory; entry: AllowlistEntry }>;
  unused: AllowlistEntry[];
}

export const FAILING_SEVERITIES: readonly Severity[];
export function advisoryKeys(value: string | number | undefined): string[];
export function advisoriesFromReport(report: unknown): Advisory[];
export function validateAllowlist(allowlist: unknown): { entries: AllowlistEntry[]; problems: string[] };
export function isExpired(expires: string, now: Date): boolean;
export function evaluateAudit(report: unknown, allowlist: unknown, now: Date): Evaluation;
