/** The shapes of instance administration as the api shows them (sign-up mode, orgs and plans, admins). */
import { z } from 'zod/mini';
import { ORG_PLANS } from './org-schemas.ts';

const timestamp = z.string();

export const SIGNUP_MODES = ['invite_only', 'open'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];
export const instanceSettingsSchema = z.object({ signupMode: z.enum(SIGNUP_MODES) });

export const instanceOrgSchema = z.object({
  id: z.string(),
  name: z.string(),
  plan: z.enum(ORG_PLANS),
  createdAt: timestamp,
  members: z.number(),
});
export type InstanceOrg = z.output<typeof instanceOrgSchema>;
export const instanceOrgListSchema = z.object({ orgs: z.array(instanceOrgSchema) });
export const planChangeSchema = z.object({ id: z.string(), plan: z.enum(ORG_PLANS), previousPlan: z.enum(ORG_PLANS) });

export const instanceAdminSchema = z.object({
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  grantedAt: timestamp,
  grantedBy: z.nullable(z.string()),
});
export type InstanceAdmin = z.output<typeof instanceAdminSchema>;
export const instanceAdminListSchema = z.object({ admins: z.array(instanceAdminSchema) });
