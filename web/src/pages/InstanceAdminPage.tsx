/** Instance administration: placeholder until the instance-admin work builds it. */
export function InstanceAdminPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Instance administration</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
