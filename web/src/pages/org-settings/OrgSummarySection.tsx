/** The org's name, plan and the user's role. The plan is read-only here: an instance administrator sets it. */
import type { Organization } from '../../api/org-schemas.ts';
import { formatDate } from '../../lib/format.ts';

export function OrgSummarySection({ org }: { org: Organization }) {
  return (
    <section aria-labelledby="org-summary-title" className="admin-section">
      <h2 id="org-summary-title">Organization</h2>
      <dl className="details">
        <dt>Name</dt>
        <dd data-field="org-name">{org.name}</dd>
        <dt>Plan</dt>
        <dd data-field="org-plan">
          {org.plan}
          <span className="cell-hint">Set by an instance administrator; it decides how long audit events are kept.</span>
        </dd>
        <dt>Your role</dt>
        <dd>{org.yourRole}</dd>
        <dt>Created</dt>
        <dd>{formatDate(org.createdAt)}</dd>
      </dl>
    </section>
  );
}
