/** Data map of the audit trail (src/db/schema/audit.ts). */
import { auditChainHeads, auditCheckpoints, auditEvents, siemCursors } from '../../db/schema/index.js';
import { common, describeTable } from './describe.js';
import { AUDIT_RETENTION } from './retention-status.js';

export const auditTables = [
  describeTable(auditEvents, {
    purpose: 'Append-only, hash-chained record of every state-changing action and sign-in: accountability and incident investigation.',
    lawfulBasis: 'legitimate_interests',
    dataSubjects: ['account_holder', 'invitee'],
    retention: `${AUDIT_RETENTION} The service roles cannot UPDATE or DELETE events, and events outlive the org. Per-user encryption of personal data in events is planned too.`,
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
      actor_ip: { category: 'personal', personalData: true, description: 'Client IP address of the actor.' },
      user_agent: { category: 'personal', personalData: true, description: 'Client user agent of the actor.' },
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
          'What changed, with secret-named fields removed and secret-shaped strings scrubbed. Can hold personal data such as an invitee’s email address, a member’s role, or a keyed fingerprint of the email a failed sign-in used.',
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
];
