/**
 * Download my data: a plain link to the api's JSON archive (the session cookie goes with it; the
 * browser saves the attachment). Nothing of it passes through the dashboard's state or cache.
 */
export function ExportSection() {
  return (
    <section aria-labelledby="export-title" className="account-section">
      <h2 id="export-title">Download your data</h2>
      <p>
        One JSON file with everything Portcullis holds about you: your profile, sign-in methods (never a password or key, only that they
        exist), sessions, passkeys, two-factor status, memberships, invitations to your address, your personal API keys with their request
        logs (no prompts or answers) and the audit events about you. Each download is recorded in the audit trail.
      </p>
      <p>
        <a className="button-link" href="/api/me/export" download>
          Download my data (JSON)
        </a>
      </p>
    </section>
  );
}
