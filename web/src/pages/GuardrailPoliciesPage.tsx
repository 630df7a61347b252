/** Guardrails: placeholder until the guardrails work builds it. */
export function GuardrailPoliciesPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Guardrails</h1>
      <p className="muted">Not built yet.</p>
    </section>
  );
}
