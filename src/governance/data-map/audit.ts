/** Data map of the audit trail (src/db/schema/audit.ts). */
import { auditChainHeads, auditCheckpoints, auditEvents, siemCursors, userDataKeys } from '../../db/schema/index.js';
import { common, describeTable } from './describe.js';
import { AUDIT_RETENTION } from './retention-status.js';

export const auditTables = [
  describeTable(auditEvents, {
    purpose: 'Append-only, hash-chained record of every state-changing action and sign-in: accountability and incident investigation.',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['account_holder', 'invitee'],
    retention: `${AUDIT_RETENTION} The service roles cannot UPDATE or DELETE events, and events outlive the org. The actor’s IP and user agent and the personal fields of the diff are sealed under the person’s own key (user_data_keys); deleting the account destroys that key, leaving the event pseudonymous.`,
    columns: {
      id: common.rowId('event'),
      org_id: { category: 'identifier', personalData: false, description: 'The org’s chain; null for the instance chain.' },
      occurred_at: common.time('When the action happened.', true),
      actor_type: common.operational('user, token, api_key or system.'),
      actor_id: {
        category: 'pseudonymous',
        personalData: true,
        description: 'Who acted: a user id, an admin token id or an API key id.',
      },
      actor_ip: {
        category: 'encrypted',
        personalData: true,
        description:
          'Client IP address of the actor, sealed (AES-256-GCM) under the acting person’s key; in clear only for actors with no account (an admin token, a sign-in attempt for an unknown address).',
      },
      user_agent: {
        category: 'encrypted',
        personalData: true,
        description: 'Client user agent of the actor, sealed like actor_ip.',
      },
      action: common.operational('What was done (`member.added`, `auth.login`…).', true),
      target_type: common.operational('Kind of object acted on.'),
      target_id: { category: 'identifier', personalData: true, description: 'The object acted on; a user id when the target is a person.' },
      outcome: common.operational('success or failure.', true),
      reason: common.operational('Why the action failed, as written by the code (up to 500 characters).'),
      request_id: { category: 'identifier', personalData: false, description: 'The api or gateway request that caused the event.' },
      diff: {
        category: 'personal',
        personalData: true,
        description:
          'What changed, with secret-named fields removed and secret-shaped strings scrubbed. Personal fields (an email address, a name, a passkey label) are sealed under the key of the person they are about, or stored as a keyed hash when that person has no account (an invitee).',
      },
      seq: common.operational('Position in its chain (set by the chain trigger).'),
      prev_hash: common.operational('Hash of the previous event in the chain.'),
      hash: common.operational('SHA-256 over prev_hash and the event’s canonical JSON.'),
    },
  }),
  describeTable(auditChainHeads, {
    purpose: 'The last link of each audit chain, so that cut-off events are detected.',
    dataSubjects: [],
    retention: 'One row per chain, overwritten on every event.',
    columns: {
      chain: { category: 'identifier', personalData: false, description: '`instance` or an org id.' },
      seq: common.operational('Position of the chain’s last event.'),
      hash: common.operational('Hash of the chain’s last event.'),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(auditCheckpoints, {
    purpose: 'Signed (Ed25519) record of where retention pruning cut a chain, so the rest of the chain still verifies.',
    dataSubjects: [],
    retention: 'Kept indefinitely (nothing deletes a checkpoint): the latest one is where verification of a pruned chain starts.',
    columns: {
      id: common.rowId('checkpoint'),
      org_id: { category: 'identifier', personalData: false, description: 'The org’s chain; null for the instance chain.' },
      seq: common.operational('Position of the last pruned event.'),
      hash: common.operational('Hash of the last pruned event.'),
      pruned_at: common.time('When the events were pruned.'),
      signature: common.operational('Ed25519 signature over the checkpoint.'),
      key_id: common.operational('Fingerprint of the signing key.'),
    },
  }),
  describeTable(siemCursors, {
    purpose: 'How far each SIEM sink has delivered each audit chain, and the retry state of a failing delivery.',
    dataSubjects: [],
    retention: 'One row per sink and chain, overwritten as delivery advances; the events themselves stay in audit_events.',
    columns: {
      sink: common.operational('`webhook` or `stdout`.'),
      chain: { category: 'identifier', personalData: false, description: '`instance` or an org id.' },
      last_seq: common.operational('Position of the last event the sink accepted.'),
      attempts: common.operational('Failed deliveries in a row.'),
      next_attempt_at: common.time('When a failed delivery is retried.'),
      last_error: common.operational('Status code or short reason of the last failure (never a response body).'),
      lease_owner: common.operational('The api process sending this chain now.'),
      lease_until: common.time('Until when that process holds the chain.'),
      updated_at: common.updatedAt(),
    },
  }),
  describeTable(userDataKeys, {
    purpose:
      'One random key per user, wrapped by the master key, sealing the personal data inside audit events about them (crypto-shredding).',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['account_holder'],
    retention:
      'Until the account is deleted: the row goes with the user (foreign key), and with it the only way to read their sealed audit data.',
    columns: {
      user_id: common.userId(),
      master_key_id: common.operational('Fingerprint of the master key that wraps this key.'),
      wrapped_key: {
        category: 'credential_secret',
        personalData: false,
        description: 'The user’s AES-256 key, wrapped (AES-256-GCM) by the master key.',
      },
      created_at: common.createdAt(),
    },
  }),
];
