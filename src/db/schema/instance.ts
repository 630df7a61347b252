/**
 * Instance-level state that no tenant owns. Service roles get no direct write access: these rows
 * change only through SECURITY DEFINER functions (see migrations), so an api bug cannot mint an
 * instance admin or reuse a setup token.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './auth.js';

export const setupTokens = pgTable('setup_tokens', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** SHA-256 of the token from the setup link; the token itself is never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const instanceAdmins = pgTable('instance_admins', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  grantedAt: timestamp('granted_at', { withTimezone: true }).notNull().defaultNow(),
  /** Null for the first admin, who became admin through the setup link. */
  grantedBy: text('granted_by'),
});

/** Who may create an account: only invited people (and the setup link), or anyone. */
export const SIGNUP_MODES = ['invite_only', 'open'] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

/**
 * Instance-wide settings, one row (the `id` is always true). Changed only by instance admins
 * through `portcullis_set_signup_mode` (see migrations), audited in the instance chain. No tenant
 * owns it, so no row-level security: grants alone decide (the api reads it, nobody else writes).
 */
export const instanceSettings = pgTable(
  'instance_settings',
  {
    id: boolean('id').primaryKey().default(true),
    /** invite_only: accounts come from the setup link and invitations. open: anyone may sign up (password or OAuth) and create an org. */
    signupMode: text('signup_mode').$type<SignupMode>().notNull().default('invite_only'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text('updated_by'),
  },
  (t) => [
    check('instance_settings_singleton', sql`${t.id}`),
    check('instance_settings_signup_mode_check', sql`${t.signupMode} in ('invite_only', 'open')`),
  ],
);
