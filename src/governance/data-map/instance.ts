/** Data map of instance-level tables (src/db/schema/instance.ts): setup and instance administration. */
import { instanceAdmins, instanceSettings, setupTokens } from '../../db/schema/index.js';
import { common, describeTable } from './describe.js';

export const instanceTables = [
  describeTable(setupTokens, {
    purpose: 'The first-run setup link that creates the first instance administrator.',
    dataSubjects: [],
    retention: 'Kept after use or expiry (no sweep); the rows hold only a hash of the token.',
    columns: {
      id: common.rowId('setup token'),
      token_hash: {
        category: 'credential_secret',
        personalData: false,
        description: 'SHA-256 of the setup link’s token; the token is never stored.',
      },
      expires_at: common.time('When the link stops working.'),
      used_at: common.time('When the link was used (single use).'),
      created_at: common.createdAt(),
    },
  }),
  describeTable(instanceAdmins, {
    purpose: 'Who administers the instance (signup mode, org plans, other instance admins).',
    lawfulBasis: 'contract',
    dataSubjects: ['account_holder'],
    retention: 'Until the right is withdrawn or the user is deleted (cascade).',
    columns: {
      user_id: common.userId(),
      granted_at: common.time('When the right was granted.', true),
      granted_by: {
        category: 'identifier',
        personalData: true,
        description: 'The user who granted it; null for the first admin (setup link).',
      },
    },
  }),
  describeTable(instanceSettings, {
    purpose: 'Instance-wide settings (one row): who may create an account.',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['account_holder'],
    retention: 'One row for the life of the instance, overwritten on change (each change is also in the instance audit chain).',
    columns: {
      id: common.operational('Always true: the table has one row.'),
      signup_mode: common.operational('`invite_only` or `open`.'),
      updated_at: common.updatedAt(),
      updated_by: {
        category: 'identifier',
        personalData: true,
        description: 'The instance admin (user id) who last changed the settings.',
      },
    },
  }),
];
