/** Privacy: placeholder until the privacy work builds it. */
export function PrivacyPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Privacy</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
