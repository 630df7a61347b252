/** Project settings: placeholder until the projects work builds it. */
export function ProjectSettingsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Project settings</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
