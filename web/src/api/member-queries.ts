/** Query hooks for member management (the member list itself is `useMembers` in queries.ts). */
import { useQuery } from '@tanstack/react-query';
import { request, seg } from './client.ts';
import { invitationListSchema } from './member-schemas.ts';

export const memberQueryKeys = {
  invitations: (orgId: string) => ['orgs', orgId, 'invitations'] as const,
};

/** Pending invitations; the api lists them to members:write only, so call it only for those. */
export const useInvitations = (orgId: string, enabled: boolean) =>
  useQuery({
    queryKey: memberQueryKeys.invitations(orgId),
    queryFn: ({ signal }) =>
      request('GET', `/api/orgs/${seg(orgId)}/invitations`, invitationListSchema, { signal }).then((r) => r.invitations),
    enabled,
  });
