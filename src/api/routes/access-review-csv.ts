/**
 * The access review as one CSV: members, admin tokens and invitations share a header, told apart
 * by `kind`, so an auditor gets a single sheet to filter. Names and emails are chosen by users (a
 * member can call themselves `=HYPERLINK(…)`), so every cell goes through the audit export's
 * neutralising csvRow.
 */
import { csvRow } from '../../audit/csv.js';
import type { AccessReview, ProjectAccess } from '../../tenancy/access-review.js';

export const ACCESS_REVIEW_CSV_COLUMNS = [
  'kind',
  'id',
  'name',
  'email',
  'role',
  'project_access',
  'two_factor',
  'passkeys',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_sign_in_at',
  'last_activity_at',
  'inactive',
] as const;

type Column = (typeof ACCESS_REVIEW_CSV_COLUMNS)[number];
type Cell = string | number | null;

const iso = (date: Date | null) => (date === null ? null : date.toISOString());
const yesNo = (value: boolean) => (value ? 'yes' : 'no');
// `name (id)` pairs: names are what a reviewer recognises, ids what stays true after a rename.
const projectAccessCell = (access: ProjectAccess) => (access === 'all' ? 'all' : access.map((p) => `${p.name} (${p.id})`).join('; '));

function row(cells: Partial<Record<Column, Cell>>): string {
  return csvRow(ACCESS_REVIEW_CSV_COLUMNS.map((column) => cells[column] ?? null));
}

/** Members (created_at: joined), then admin tokens (last_activity_at: last used), then pending invitations (created_at: invited). */
export function accessReviewCsv(review: AccessReview): string {
  const lines = [csvRow(ACCESS_REVIEW_CSV_COLUMNS)];
  for (const m of review.members)
    lines.push(
      row({
        kind: 'member',
        id: m.userId,
        name: m.name,
        email: m.email,
        role: m.role,
        project_access: projectAccessCell(m.projectAccess),
        two_factor: yesNo(m.twoFactor),
        passkeys: m.passkeys,
        created_at: iso(m.joinedAt),
        last_sign_in_at: iso(m.lastSignInAt),
        last_activity_at: iso(m.lastActivityAt),
        inactive: yesNo(m.inactive),
      }),
    );
  for (const t of review.adminTokens)
    lines.push(
      row({
        kind: 'admin_token',
        id: t.id,
        name: t.name,
        role: t.role,
        project_access: 'all',
        created_at: iso(t.createdAt),
        expires_at: iso(t.expiresAt),
        revoked_at: iso(t.revokedAt),
        last_activity_at: iso(t.lastUsedAt),
        inactive: yesNo(t.inactive),
      }),
    );
  for (const i of review.pendingInvitations)
    lines.push(
      row({
        kind: 'invitation',
        email: i.email,
        role: i.role,
        project_access: projectAccessCell(i.projectAccess),
        created_at: iso(i.invitedAt),
        expires_at: iso(i.expiresAt),
      }),
    );
  return lines.join('');
}
