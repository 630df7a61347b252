/** Security: placeholder until the account-security work builds it. */
export function SecurityPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Security</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
