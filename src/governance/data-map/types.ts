/**
 * The vocabulary of the data map (GDPR Art. 30): what kinds of data a column holds, whose data it
 * is, and on what basis it is processed. Kept small on purpose: an auditor reads every label in
 * docs/records-of-processing.md, and each one must mean one thing.
 */
import type { PgTable } from 'drizzle-orm/pg-core';

/** What a column holds, by the risk it carries if the database is copied. */
export const COLUMN_CATEGORIES = {
  identifier: 'A random row key, or a reference to another row. Meaningless on its own; a person’s when it names a user or member.',
  personal: 'Personal data readable in the database: a name, an email address, an IP address, a user agent, a label a person chose.',
  pseudonymous:
    'Relates to a person only through a key or another table: a keyed hash (HMAC) of personal data, or the id of an API key that may be a member’s personal key.',
  credential_secret:
    'Authentication material: a secret stored only hashed, wrapped or encrypted, or the public value that verifies one. A copy of the database does not sign anyone in.',
  encrypted:
    'Stored only as AES-256-GCM ciphertext: content the gateway carried (prompts, answers; may contain any personal data, special categories (Art. 9) included) under the org’s data key, or personal data inside audit events under the person’s own key.',
  tenant_content: 'Names and configuration an org writes about its own setup (org and project names, settings, policies, labels).',
  operational: 'Timestamps, counters, statuses, metrics and integrity data the service needs to run.',
} as const;
export type ColumnCategory = keyof typeof COLUMN_CATEGORIES;

/** Categories of data subjects (Art. 30(1)(c)). */
export const DATA_SUBJECTS = {
  account_holder: 'People with a Portcullis account: instance administrators and members of orgs (owners, admins, developers, viewers).',
  invitee: 'People invited to an org by email, who may not have an account yet.',
  end_user:
    'People whose prompts and answers pass through the gateway: an org’s own users and customers, and anyone named in what they send.',
} as const;
export type DataSubject = keyof typeof DATA_SUBJECTS;

/**
 * Suggested lawful bases (Art. 6(1)). The controller decides; these say why the software keeps the
 * data, so the controller can confirm or replace them in their own record.
 */
export const LAWFUL_BASES = {
  contract: 'Art. 6(1)(b): necessary to provide the service the person signed up for (their account, their sign-in, their membership).',
  legitimate_interests:
    'Art. 6(1)(f): security, accountability and abuse prevention (audit trail, sign-in notices, invitations sent by an org, usage records).',
  tenant_controller:
    'Decided by the org, as controller of what it sends through the gateway; the operator processes it on the org’s instructions (Art. 28).',
} as const;
export type LawfulBasis = keyof typeof LAWFUL_BASES;

export type ColumnEntry = {
  category: ColumnCategory;
  /**
   * True when the value, read with its row, tells something about an identifiable natural person
   * (Art. 4(1)): a person's own row and its timestamps, an address, a reference to a user. False
   * for random keys, hashes of random secrets and data about orgs, projects and keys.
   */
  personalData: boolean;
  description: string;
};

export type TableEntry<Column extends string = string> = {
  purpose: string;
  /** Required when a column holds personal data (the test checks it), absent otherwise. */
  lawfulBasis?: LawfulBasis;
  /** Whose personal data the table holds; empty when none. */
  dataSubjects: readonly DataSubject[];
  /** What the code does today, not an aspiration. */
  retention: string;
  columns: Record<Column, ColumnEntry>;
};

/** The SQL names of a Drizzle table's columns, as literal types (`'email' | 'email_verified' | …`). */
export type SqlColumnName<T extends PgTable> = {
  [K in keyof T['_']['columns']]: T['_']['columns'][K]['_']['name'];
}[keyof T['_']['columns']];

export type DescribedTable = { table: PgTable; name: string; entry: TableEntry };
