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

export const GENESIS_HASH = '0'.repeat(64);
const PAGE = 2_000;

export type ChainBreak = { seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap' | 'head_mismatch' };

export type ChainReport = {
  /** `instance`, or the org id. */
  chain: string;
  events: number;
  head: { seq: number; hash: string } | null;
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

export async function verifyChain(db: DbOrTx, orgId: string | null): Promise<ChainReport> {
  const chain = orgId ?? 'instance';
  const head = await queryOne<{ seq: string | number; hash: string }>(
    db,
    sql`select seq, hash from audit_chain_heads where chain = ${chain}`,
  );
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let events = 0;
  const report = (broken?: ChainBreak): ChainReport => ({
    chain,
    events,
    head: head ? { seq: Number(head.seq), hash: head.hash } : null,
    ok: broken === undefined,
    ...(broken ? { broken } : {}),
  });
  for (let after = 0; ;) {
    const rows = await queryRows<PageRow>(db, sql`select * from portcullis_audit_chain_page(${orgId}::uuid, ${after}, ${PAGE})`);
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
  if (headSeq !== events || (head ? head.hash : GENESIS_HASH) !== prevHash) return report({ seq: events + 1, reason: 'head_mismatch' });
  return report();
}

/** Every chain that has events: the instance's first, then the orgs'. */
export async function listChains(db: DbOrTx): Promise<(string | null)[]> {
  const rows = await queryRows<{ chain: string }>(db, sql`select chain from audit_chain_heads order by chain = 'instance' desc, chain`);
  return rows.map((r) => (r.chain === 'instance' ? null : r.chain));
}

export async function verifyAllChains(db: DbOrTx, orgId?: string | null): Promise<ChainReport[]> {
  const chains = orgId === undefined ? await listChains(db) : [orgId];
  const reports: ChainReport[] = [];
  for (const chain of chains) reports.push(await verifyChain(db, chain));
  return reports;
}
