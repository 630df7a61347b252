/**
 * One project's gateway settings: caching, body logging, allowed models, aliases with fallbacks,
 * timeout and retries, and its usage and rate limits (saved on their own). Owners and admins edit and
 * save them; everyone else reads them.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useModels } from '../api/model-queries.ts';
import { limitsSchema } from '../api/limits-schemas.ts';
import { useProjectSettings } from '../api/project-queries.ts';
import { useProjects } from '../api/queries.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { useOrgRole } from '../lib/org-role.ts';
import { limitsFormKey, settingsFormKey } from './project-settings/form-keys.ts';
import { LimitsSection } from './project-settings/LimitsSection.tsx';
import { ProjectSettingsForm } from './project-settings/ProjectSettingsForm.tsx';
import { mayWriteProjects } from './projects/may-write-projects.ts';
import '../styles/projects.css';

export function ProjectSettingsPage() {
  const { orgId = '', projectId = '' } = useParams();
  const project = useProjects(orgId).data?.find((p) => p.id === projectId);
  const settings = useProjectSettings(orgId, projectId);
  const catalog = useModels(orgId);
  const readOnly = !mayWriteProjects(useOrgRole(orgId));
  const [saved, setSaved] = useState(false);
  const [limitsSaved, setLimitsSaved] = useState(false);
  // The settings answer carries the limits too; read strictly here, since this form sends them back whole.
  const limits = settings.data ? limitsSchema.safeParse(settings.data.settings['limits']) : undefined;

  return (
    <section aria-labelledby="project-settings-title">
      <p className="breadcrumb">
        <Link to={`/orgs/${orgId}/projects`}>Projects</Link> / {project?.name ?? 'Project'}
      </p>
      <h1 id="project-settings-title">Settings{project ? ` of ${project.name}` : ''}</h1>
      {readOnly ? (
        <p className="notice">Only owners and admins of the organization can change project settings; you can read them.</p>
      ) : null}
      <p className="muted">
        How the gateway serves this project’s API keys. A saved change applies on every gateway at once. See{' '}
        <Link to={`/orgs/${orgId}/models?projectId=${encodeURIComponent(projectId)}`}>the models this project can use</Link> or{' '}
        <Link to={`/orgs/${orgId}/projects/${projectId}/keys`}>its API keys</Link>.
      </p>
      <ErrorMessage error={settings.error} />
      {settings.isPending ? <Loading what="settings" /> : null}
      <p role="status" className="muted">
        {saved ? 'Settings saved.' : ''}
      </p>
      {settings.data ? (
        <ProjectSettingsForm
          // Not the version: a limits save moves it, and the edits in progress here must survive that.
          key={settingsFormKey(settings.data.settings)}
          orgId={orgId}
          projectId={projectId}
          current={settings.data}
          catalogIds={(catalog.data ?? []).map((model) => model.id)}
          readOnly={readOnly}
          onReload={() => {
            setSaved(false);
            void settings.refetch();
          }}
          onSaved={() => setSaved(true)}
          onEdit={() => setSaved(false)}
        />
      ) : null}
      {settings.data && limits ? (
        limits.success ? (
          <LimitsSection
            // Rebuilt when the limits change at the api, not when a settings save moves the version.
            key={limitsFormKey(limits.data)}
            orgId={orgId}
            projectId={projectId}
            current={limits.data}
            readOnly={readOnly}
            saved={limitsSaved}
            onSaved={() => {
              setLimitsSaved(true);
              void settings.refetch();
            }}
            onEdit={() => setLimitsSaved(false)}
          />
        ) : (
          <ErrorMessage error={new Error('The api answered limits this page cannot read; they are left as they are.')} />
        )
      ) : null}
    </section>
  );
}
