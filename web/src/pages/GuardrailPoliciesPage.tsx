/**
 * Guardrail policies: the organization's (what every project gets) or one project's override, per detector and
 * action, with custom rules and a live "try it" under the unsaved draft. Developers read and try; owners and
 * admins (guardrails:write) edit and save. The chosen project is in the address (`?project=`), so a reload keeps it.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { useOrgGuardrailPolicy, useProjectGuardrails } from '../api/guardrail-policy-queries.ts';
import { useProjects } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { useOrgRole } from '../lib/org-role.ts';
import { OrgPolicyScope } from './guardrails/OrgPolicyScope.tsx';
import { ProjectPolicyScope } from './guardrails/ProjectPolicyScope.tsx';
import { mayWriteGuardrails } from './guardrails/rule-errors.ts';
import { ScopePicker } from './guardrails/ScopePicker.tsx';

export function GuardrailPoliciesPage() {
  const { orgId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const projectId = search.get('project');
  const projects = useProjects(orgId);
  const orgPolicy = useOrgGuardrailPolicy(orgId);
  const projectPolicy = useProjectGuardrails(orgId, projectId);
  const mayWrite = mayWriteGuardrails(useOrgRole(orgId));
  // Bumped to drop a draft and start again from what is saved (after a version conflict).
  const [generation, setGeneration] = useState(0);
  const project = projects.data?.find((p) => p.id === projectId);

  async function reload() {
    await Promise.all([orgPolicy.refetch(), projectId === null ? undefined : projectPolicy.refetch()]);
    setGeneration((g) => g + 1);
  }

  const choose = (next: string | null) => setSearch(next === null ? {} : { project: next });
  const pending = orgPolicy.isPending || (projectId !== null && projectPolicy.isPending);

  return (
    <section aria-labelledby="guardrails-title" className="guardrails-page">
      <div className="page-title">
        <h1 id="guardrails-title">Guardrails</h1>
        <Link to={`/orgs/${encodeURIComponent(orgId)}/guardrail-violations`}>Guardrail violations</Link>
      </div>
      <p className="muted">
        What the gateway checks in every request and answer, and what it does with each finding. Changes apply from the gateways&apos; next
        request.
      </p>
      {mayWrite ? null : (
        <p className="notice">Only owners and admins of the organization can change guardrail policies. You can read them and try texts.</p>
      )}
      <ScopePicker projects={projects.data ?? []} projectId={projectId} onChange={choose} />
      <ErrorMessage error={projects.error} />
      <ErrorMessage error={orgPolicy.error} />
      <ErrorMessage error={projectId === null ? undefined : projectPolicy.error} />
      {pending ? <Loading what="the guardrail policy" /> : null}
      {projectId === null && orgPolicy.isSuccess ? (
        <OrgPolicyScope key={`org-${generation}`} orgId={orgId} view={orgPolicy.data} mayWrite={mayWrite} onReload={() => void reload()} />
      ) : null}
      {projectId !== null && orgPolicy.isSuccess && projectPolicy.isSuccess ? (
        <ProjectPolicyScope
          key={`${projectId}-${generation}`}
          orgId={orgId}
          projectId={projectId}
          projectName={project?.name ?? projectId}
          view={projectPolicy.data}
          orgPolicy={orgPolicy.data.policy}
          mayWrite={mayWrite}
          onReload={() => void reload()}
        />
      ) : null}
    </section>
  );
}
