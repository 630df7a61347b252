/**
 * Instance-level state that no tenant owns. Service roles get no direct write access: these rows
 * change only through SECURITY DEFINER functions (see migrations), so an api bug cannot mint an
 * instance admin or reuse a setup token.
 */
import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
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
