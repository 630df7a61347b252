/** Query hooks and writes for projects and their gateway settings. */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import {
  createdProjectSchema,
  deletedProjectSchema,
  versionedSettingsSchema,
  type ProjectMode,
  type ProjectSettings,
  type VersionedSettings,
} from './project-schemas.ts';

export const projectQueryKeys = {
  /** Under the org's projects key, so invalidating the project list also drops every project's settings. */
  settings: (orgId: string, projectId: string) => ['orgs', orgId, 'projects', projectId, 'settings'] as const,
};

const projectsPath = (orgId: string) => `/api/orgs/${seg(orgId)}/projects`;
const settingsPath = (orgId: string, projectId: string) => `${projectsPath(orgId)}/${seg(projectId)}/settings`;

export const useProjectSettings = (orgId: string, projectId: string) =>
  useQuery({
    queryKey: projectQueryKeys.settings(orgId, projectId),
    queryFn: ({ signal }) => request('GET', settingsPath(orgId, projectId), versionedSettingsSchema, { signal }),
    // A form is being filled from it: a background refetch must not move the version under the user.
    staleTime: Infinity,
  });

export const createProject = (orgId: string, name: string, mode: ProjectMode) =>
  request('POST', projectsPath(orgId), createdProjectSchema, { body: { name, mode } }).then((r) => r.project);

/** The api deletes only when `confirm` is the project's exact name. */
export const deleteProject = (orgId: string, projectId: string, confirm: string) =>
  request('DELETE', `${projectsPath(orgId)}/${seg(projectId)}`, deletedProjectSchema, { body: { confirm } }).then((r) => r.deleted);

/** Replaces the whole settings object; refused with 409 `version_conflict` when `version` is no longer current. */
export const saveProjectSettings = (
  orgId: string,
  projectId: string,
  settings: ProjectSettings,
  version: string,
): Promise<VersionedSettings> =>
  request('PUT', settingsPath(orgId, projectId), versionedSettingsSchema, { body: settings, headers: { 'if-match': `"${version}"` } });
