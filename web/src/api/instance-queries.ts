/** Query hooks for instance administration (signed-in instance admins only; others get the api's 403). */
import { useQuery } from '@tanstack/react-query';
import { request } from './client.ts';
import { instanceAdminListSchema, instanceOrgListSchema, instanceSettingsSchema } from './instance-schemas.ts';

export const instanceQueryKeys = {
  settings: ['instance', 'settings'] as const,
  orgs: ['instance', 'orgs'] as const,
  admins: ['instance', 'admins'] as const,
};

export const useInstanceSettings = () =>
  useQuery({
    queryKey: instanceQueryKeys.settings,
    queryFn: ({ signal }) => request('GET', '/api/instance/settings', instanceSettingsSchema, { signal }),
  });

export const useInstanceOrgs = (enabled: boolean) =>
  useQuery({
    queryKey: instanceQueryKeys.orgs,
    queryFn: ({ signal }) => request('GET', '/api/instance/orgs', instanceOrgListSchema, { signal }).then((r) => r.orgs),
    enabled,
  });

export const useInstanceAdmins = (enabled: boolean) =>
  useQuery({
    queryKey: instanceQueryKeys.admins,
    queryFn: ({ signal }) => request('GET', '/api/instance/admins', instanceAdminListSchema, { signal }).then((r) => r.admins),
    enabled,
  });
