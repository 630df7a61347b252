/** Models: placeholder until the models work builds it. */
export function ModelsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Models</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
