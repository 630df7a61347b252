/**
 * The org's data export (GET …/export, owners only): a plain link, so the browser streams the download
 * with the session cookie and nothing of it passes through the page. Each export is audited.
 */
import { orgExportUrl } from '../../api/org-queries.ts';

export function ExportSection({ orgId, mayWrite }: { orgId: string; mayWrite: boolean }) {
  return (
    <section aria-labelledby="export-title" className="admin-section">
      <h2 id="export-title">Data export</h2>
      <p>
        Everything the organization holds, as one JSON Lines file: projects, members (with their email addresses), invitations, API keys and
        admin tokens (metadata only, never a secret), provider keys (never the key), guardrail policies, request logs, guardrail events,
        monthly usage and the whole audit trail.
      </p>
      <p className="hint">Each export is recorded in the audit log (org.exported) before the download starts.</p>
      {mayWrite ? (
        <div className="row">
          <a className="button secondary" href={orgExportUrl(orgId)} download>
            Download export
          </a>
          <a className="button secondary" href={`${orgExportUrl(orgId)}?include=bodies`} download>
            Download export with stored bodies
          </a>
        </div>
      ) : (
        <p className="hint">Only owners export the organization’s data.</p>
      )}
    </section>
  );
}
