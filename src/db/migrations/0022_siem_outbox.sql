CREATE TABLE "siem_cursors" (
	"sink" text NOT NULL,
	"chain" text NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone,
	"last_error" text,
	"lease_owner" uuid,
	"lease_until" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "siem_cursors_sink_chain_pk" PRIMARY KEY("sink","chain")
);
--> statement-breakpoint
-- SIEM delivery (docs/audit.md#siem-delivery): a cursor outbox. The events of a chain beyond a
-- sink's cursor are what that sink still has to receive, so recording an event needs no second
-- write and an event of a rolled-back transaction never exists to be sent. Appends to a chain are
-- serialised by the chain head's row lock until commit (0019), so seqs commit in order and a
-- cursor can never pass an event that becomes visible later. The api process delivers, across
-- orgs, only through the functions below; no service role has a grant on the table itself.
REVOKE ALL ON siem_cursors FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON siem_cursors TO portcullis_definer;
--> statement-breakpoint

-- Chains with events beyond the sink's cursor, due (backoff passed) and not held by another
-- replica (lease expired): leased to p_owner until p_lease_until. SKIP LOCKED lets replicas
-- claiming at the same moment take different chains instead of queueing. Times come from the
-- worker's clock, so tests can drive backoff without waiting.
CREATE FUNCTION portcullis_siem_claim(p_sink text, p_owner uuid, p_now timestamptz, p_lease_until timestamptz, p_limit integer)
RETURNS TABLE (chain text, last_seq bigint, head_seq bigint, attempts integer)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.siem_cursors (sink, chain)
  SELECT p_sink, h.chain FROM public.audit_chain_heads h
  WHERE NOT EXISTS (SELECT 1 FROM public.siem_cursors c WHERE c.sink = p_sink AND c.chain = h.chain)
  ON CONFLICT DO NOTHING;

  WITH due AS (
    SELECT c.sink, c.chain, h.seq AS head_seq FROM public.siem_cursors c JOIN public.audit_chain_heads h ON h.chain = c.chain
    WHERE c.sink = p_sink AND h.seq > c.last_seq
      AND (c.next_attempt_at IS NULL OR c.next_attempt_at <= p_now)
      AND (c.lease_until IS NULL OR c.lease_until <= p_now)
    ORDER BY c.next_attempt_at NULLS FIRST, c.chain
    LIMIT least(greatest(p_limit, 1), 1000)
    FOR UPDATE OF c SKIP LOCKED
  )
  UPDATE public.siem_cursors c SET lease_owner = p_owner, lease_until = p_lease_until, updated_at = now()
  FROM due WHERE c.sink = due.sink AND c.chain = due.chain
  RETURNING c.chain, c.last_seq, due.head_seq, c.attempts
$$;
--> statement-breakpoint

-- The next events of a chain beyond the cursor, oldest first, for the replica holding its lease
-- (anyone else gets nothing). Every column a SIEM needs, the chain links included so a receiver
-- can check them.
CREATE FUNCTION portcullis_siem_events(p_sink text, p_chain text, p_owner uuid, p_limit integer)
RETURNS TABLE (id uuid, org_id uuid, seq bigint, occurred_at timestamptz, actor_type text, actor_id text, actor_ip text,
  user_agent text, action text, target_type text, target_id text, outcome text, reason text, request_id text, diff jsonb,
  prev_hash text, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT e.id, e.org_id, e.seq, e.occurred_at, e.actor_type, e.actor_id, e.actor_ip, e.user_agent, e.action, e.target_type,
    e.target_id, e.outcome, e.reason, e.request_id, e.diff, e.prev_hash, e.hash
  FROM public.siem_cursors c
  JOIN public.audit_events e ON e.org_id IS NOT DISTINCT FROM nullif(p_chain, 'instance')::uuid AND e.seq > c.last_seq
  WHERE c.sink = p_sink AND c.chain = p_chain AND c.lease_owner = p_owner
  ORDER BY e.seq
  LIMIT least(greatest(p_limit, 1), 1000)
$$;
--> statement-breakpoint

-- The sink took every event up to p_seq: advance the cursor, clear the failure state, and keep
-- the lease until p_lease_until (null: release it). False when p_owner no longer holds the lease
-- (it expired and another replica took the chain): the caller stops, the other one continues.
CREATE FUNCTION portcullis_siem_ack(p_sink text, p_chain text, p_owner uuid, p_seq bigint, p_lease_until timestamptz)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  WITH acked AS (
    UPDATE public.siem_cursors SET last_seq = greatest(last_seq, p_seq), attempts = 0, next_attempt_at = NULL, last_error = NULL,
      lease_owner = CASE WHEN p_lease_until IS NULL THEN NULL ELSE p_owner END, lease_until = p_lease_until, updated_at = now()
    WHERE sink = p_sink AND chain = p_chain AND lease_owner = p_owner
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM acked)
$$;
--> statement-breakpoint

-- The sink refused or could not be reached: count the attempt, schedule the next one, release the
-- lease. The cursor stays, so the same events go again, in order, before any later one.
CREATE FUNCTION portcullis_siem_fail(p_sink text, p_chain text, p_owner uuid, p_next_attempt_at timestamptz, p_error text)
RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  WITH failed AS (
    UPDATE public.siem_cursors SET attempts = attempts + 1, next_attempt_at = p_next_attempt_at, last_error = left(p_error, 200),
      lease_owner = NULL, lease_until = NULL, updated_at = now()
    WHERE sink = p_sink AND chain = p_chain AND lease_owner = p_owner
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM failed)
$$;
--> statement-breakpoint

ALTER FUNCTION portcullis_siem_claim(text, uuid, timestamptz, timestamptz, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_siem_events(text, text, uuid, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_siem_ack(text, text, uuid, bigint, timestamptz) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_siem_fail(text, text, uuid, timestamptz, text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_siem_claim(text, uuid, timestamptz, timestamptz, integer), portcullis_siem_events(text, text, uuid, integer),
  portcullis_siem_ack(text, text, uuid, bigint, timestamptz), portcullis_siem_fail(text, text, uuid, timestamptz, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_siem_claim(text, uuid, timestamptz, timestamptz, integer), portcullis_siem_events(text, text, uuid, integer),
  portcullis_siem_ack(text, text, uuid, bigint, timestamptz), portcullis_siem_fail(text, text, uuid, timestamptz, text) TO portcullis_api;
