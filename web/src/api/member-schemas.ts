/**
 * The shapes of member management as the api shows them (invitations, a changed member), validated on
 * arrival. The member list itself is `memberListSchema` in schemas.ts. An invitation never carries its
 * link: the api keeps only the token's hash.
 */
import { z } from 'zod/mini';
import { memberSchema } from './schemas.ts';

const timestamp = z.string();

export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.string(),
  projectIds: z.nullable(z.array(z.string())),
  expiresAt: timestamp,
  createdAt: timestamp,
});
export type Invitation = z.output<typeof invitationSchema>;
export const invitationListSchema = z.object({ invitations: z.array(invitationSchema) });
export const oneInvitationSchema = z.object({ invitation: invitationSchema });

export const oneMemberSchema = z.object({ member: memberSchema });
