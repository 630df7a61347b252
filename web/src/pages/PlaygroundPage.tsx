/** Playground: placeholder until the playground work builds it. */
export function PlaygroundPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Playground</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
