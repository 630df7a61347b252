/**
 * Typed calls to the SIEM definer functions (migrations/0022_siem_outbox.sql): the only way the
 * api reads audit events across orgs and moves the per-sink cursors.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { queryOne, queryRows } from '../../db/rows.js';
import type { DbOrTx, Tx } from '../../db/types.js';
import { revealEvents } from '../personal-data.js';
import { toSiemEvent, type SiemEvent } from './event.js';

const bigintColumn = z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int().nonnegative());

const claimRowSchema = z.object({
  chain: z.string(),
  last_seq: bigintColumn,
  head_seq: bigintColumn,
  attempts: z.number().int().nonnegative(),
});

export type ClaimedChain = { chain: string; lastSeq: number; headSeq: number; attempts: number };

export async function claimChains(
  tx: DbOrTx,
  args: { sink: string; owner: string; now: Date; leaseUntil: Date; limit: number },
): Promise<ClaimedChain[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select * from portcullis_siem_claim(${args.sink}, ${args.owner}::uuid, ${args.now.toISOString()}::timestamptz,
      ${args.leaseUntil.toISOString()}::timestamptz, ${args.limit})`,
  );
  return rows.map((raw) => {
    const row = claimRowSchema.parse(raw);
    return { chain: row.chain, lastSeq: row.last_seq, headSeq: row.head_seq, attempts: row.attempts };
  });
}

/**
 * The chain's next events for the sink, with personal data opened: a SIEM is where security
 * teams look for the IP behind an action. Values of erased users arrive null.
 */
export async function pendingEvents(tx: Tx, args: { sink: string; chain: string; owner: string; limit: number }): Promise<SiemEvent[]> {
  const rows = await queryRows<Record<string, unknown>>(
    tx,
    sql`select * from portcullis_siem_events(${args.sink}, ${args.chain}, ${args.owner}::uuid, ${args.limit})`,
  );
  const events = rows.map(toSiemEvent);
  const stored = events.map((event) => ({ actorIp: event.actor.ip, userAgent: event.actor.user_agent, diff: event.diff }));
  const revealed = await revealEvents(tx, stored);
  return events.map((event, i) => {
    const open = revealed[i] ?? stored[i]!;
    return { ...event, actor: { ...event.actor, ip: open.actorIp, user_agent: open.userAgent }, diff: open.diff };
  });
}

/** False when the lease was lost to another replica. */
export async function ackDelivered(
  tx: DbOrTx,
  args: { sink: string; chain: string; owner: string; seq: number; leaseUntil: Date | null },
): Promise<boolean> {
  const row = await queryOne<{ held: boolean }>(
    tx,
    sql`select portcullis_siem_ack(${args.sink}, ${args.chain}, ${args.owner}::uuid, ${args.seq}::bigint,
      ${args.leaseUntil?.toISOString() ?? null}::timestamptz) as held`,
  );
  return row?.held === true;
}

export async function recordFailure(
  tx: DbOrTx,
  args: { sink: string; chain: string; owner: string; nextAttemptAt: Date; error: string },
): Promise<boolean> {
  const row = await queryOne<{ held: boolean }>(
    tx,
    sql`select portcullis_siem_fail(${args.sink}, ${args.chain}, ${args.owner}::uuid, ${args.nextAttemptAt.toISOString()}::timestamptz,
      ${args.error}) as held`,
  );
  return row?.held === true;
}
