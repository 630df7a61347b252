/** Request logs: placeholder until the request-logs work builds it. */
export function RequestLogsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Request logs</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
