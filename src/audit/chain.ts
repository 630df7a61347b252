/**
 * Verifying the audit hash chains (migration 0019): each org's events, and the instance's (org id
 * null), form a chain where event n stores seq = n, prev_hash = the hash of event n-1 (64 zeros
 * for the first) and hash = SHA-256(prev_hash || canonical JSON of the event). The database
 * writes the links (a trigger, so no writer can skip or forge them); this module recomputes every
 * hash here, in keyset pages (memory stays flat whatever the chain's length), and reports the
 * first broken link: an edited event (its hash no longer matches its content), a deleted one (a
 * gap in seq, or a prev_hash that is not the previous hash), reordered ones (seq is part of the
 * hashed content), or events removed from the end (the chain head no longer matches the last
 * event). Runs as the database owner: see the migration for why a definer function reads the rows.
 */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { queryOne, queryRows } from '../db/rows.js';
import type { DbOrTx } from '../db/types.js';
import type { CheckpointSigner } from './checkpoint-signing.js';

export const GENESIS_HASH = '0'.repeat(64);
const PAGE = 2_000;

export type ChainBreak = {
  seq: number;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'head_mismatch' | 'checkpoint_signature_invalid' | 'checkpoint_key_unknown';
};

/** Checks a retention checkpoint's signature (audit/checkpoint-signing.ts). */
export type CheckpointVerifier = Pick<CheckpointSigner, 'keyId' | 'verify'>;
/**
 * The keys a checkpoint may be signed with: the current AUTH_SECRET's, and after a rotation those
 * of AUTH_SECRET_PREVIOUS (a checkpoint stays the latest until retention next removes events).
 */
export type CheckpointVerifiers = CheckpointVerifier | readonly CheckpointVerifier[];

export type ChainReport = {
  /** `instance`, or the org id. */
  chain: string;
  /** Events verified (those after the checkpoint, when retention removed older ones). */
  events: number;
  head: { seq: number; hash: string } | null;
  /** Where verification started when retention removed the oldest events. */
  checkpoint?: { seq: number; prunedAt: string; keyId: string };
  ok: boolean;
  /** The first broken link, when there is one. */
  broken?: ChainBreak;
};

export function linkHash(prevHash: string, canonical: string): string {
  return createHash('sha256')
    .update(prevHash + canonical, 'utf8')
    .digest('hex');
}

type PageRow = { seq: string | number; prev_hash: string; hash: string; canonical: string };
type CheckpointRow = { seq: string | number; hash: string; pruned_at: Date | string; signature: string; key_id: string };

/** Where a chain is read from: the owner's cross-org functions, or the api's tenant-scoped ones. */
type ChainSource = {
  head(): Promise<{ seq: string | number; hash: string } | undefined>;
  checkpoint(): Promise<CheckpointRow | undefined>;
  page(after: number, limit: number): Promise<PageRow[]>;
};

/** Any chain, read as the database owner (`portcullis audit verify`, restore). */
export async function verifyChain(db: DbOrTx, orgId: string | null, verifiers: CheckpointVerifiers): Promise<ChainReport> {
  return verifyFrom(orgId ?? 'instance', verifiers, {
    head: () => queryOne(db, sql`select seq, hash from audit_chain_heads where chain = ${orgId ?? 'instance'}`),
    checkpoint: () => queryOne<CheckpointRow>(db, sql`select * from portcullis_audit_latest_checkpoint(${orgId}::uuid)`),
    page: (after, limit) => queryRows<PageRow>(db, sql`select * from portcullis_audit_chain_page(${orgId}::uuid, ${after}, ${limit})`),
  });
}

/**
 * The chain of the org a tenant transaction is scoped to (`withTenant(orgId)`), read as the api
 * role through the tenant-only functions of migration 0028: the api cannot read another org's chain.
 */
export async function verifyTenantChain(tx: DbOrTx, orgId: string, verifiers: CheckpointVerifiers): Promise<ChainReport> {
  return verifyFrom(orgId, verifiers, {
    head: () => queryOne(tx, sql`select seq, hash from portcullis_tenant_audit_chain_head()`),
    // The checkpoints table is readable under the org's row-level security.
    checkpoint: () =>
      queryOne<CheckpointRow>(
        tx,
        sql`select seq, hash, pruned_at, signature, key_id from audit_checkpoints where org_id = ${orgId}::uuid order by seq desc limit 1`,
      ),
    page: (after, limit) => queryRows<PageRow>(tx, sql`select * from portcullis_tenant_audit_chain_page(${after}, ${limit})`),
  });
}

async function verifyFrom(chain: string, verifiers: CheckpointVerifiers, source: ChainSource): Promise<ChainReport> {
  const head = await source.head();
  const checkpoint = await source.checkpoint();
  // After retention the chain starts at the latest checkpoint, whose signature vouches for the
  // position and hash of the last event removed.
  const first = checkpoint ? Number(checkpoint.seq) : 0;
  let prevHash = checkpoint ? checkpoint.hash : GENESIS_HASH;
  let expectedSeq = first + 1;
  let events = 0;
  const report = (broken?: ChainBreak): ChainReport => ({
    chain,
    events,
    head: head ? { seq: Number(head.seq), hash: head.hash } : null,
    ...(checkpoint ? { checkpoint: { seq: first, prunedAt: new Date(checkpoint.pruned_at).toISOString(), keyId: checkpoint.key_id } } : {}),
    ok: broken === undefined,
    ...(broken ? { broken } : {}),
  });
  if (checkpoint) {
    const signed = { chain, seq: first, hash: checkpoint.hash, prunedAt: new Date(checkpoint.pruned_at) };
    const known: readonly CheckpointVerifier[] = 'keyId' in verifiers ? [verifiers] : verifiers;
    const verifier = known.find((key) => key.keyId === checkpoint.key_id);
    if (!verifier) return report({ seq: first, reason: 'checkpoint_key_unknown' });
    if (!verifier.verify(signed, checkpoint.signature)) return report({ seq: first, reason: 'checkpoint_signature_invalid' });
  }
  for (let after = first; ;) {
    const rows = await source.page(after, PAGE);
    for (const row of rows) {
      const seq = Number(row.seq);
      if (seq !== expectedSeq) return report({ seq: expectedSeq, reason: 'seq_gap' });
      if (row.prev_hash !== prevHash) return report({ seq, reason: 'prev_hash_mismatch' });
      if (linkHash(row.prev_hash, row.canonical) !== row.hash) return report({ seq, reason: 'hash_mismatch' });
      prevHash = row.hash;
      expectedSeq++;
      events++;
    }
    if (rows.length < PAGE) break;
    after = expectedSeq - 1;
  }
  // Events cut from the end leave a chain that verifies on its own: the head says how far it went.
  const headSeq = head ? Number(head.seq) : 0;
  if (headSeq !== expectedSeq - 1 || (head ? head.hash : GENESIS_HASH) !== prevHash)
    return report({ seq: expectedSeq, reason: 'head_mismatch' });
  return report();
}

/** Every chain that has events: the instance's first, then the orgs'. */
export async function listChains(db: DbOrTx): Promise<(string | null)[]> {
  const rows = await queryRows<{ chain: string }>(db, sql`select chain from audit_chain_heads order by chain = 'instance' desc, chain`);
  return rows.map((r) => (r.chain === 'instance' ? null : r.chain));
}

export async function verifyAllChains(db: DbOrTx, verifiers: CheckpointVerifiers, orgId?: string | null): Promise<ChainReport[]> {
  const chains = orgId === undefined ? await listChains(db) : [orgId];
  const reports: ChainReport[] = [];
  for (const chain of chains) reports.push(await verifyChain(db, chain, verifiers));
  return reports;
}
