/** Organization settings: placeholder until the org-settings work builds it. */
export function OrgSettingsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Organization settings</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
