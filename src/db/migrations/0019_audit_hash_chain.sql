-- Tamper-evident audit trail: every event is a link of its chain (an org's, or the instance's when
-- org_id is null). A BEFORE INSERT trigger, owned by portcullis_definer, gives each new event the
-- next position (seq), the previous event's hash, and hash = SHA-256(prev_hash || canonical JSON),
-- whatever the writer sent. The chain heads table serialises appends per chain: its row lock is
-- held until the inserting transaction ends, so a rolled-back event leaves no gap.
-- `portcullis audit verify` recomputes every hash from the rows (src/audit/chain.ts holds the
-- same canonical expression) and reports the first broken link.
CREATE TABLE "audit_chain_heads" (
	"chain" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "prev_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_events" ADD COLUMN "hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
REVOKE ALL ON audit_chain_heads FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON audit_chain_heads TO portcullis_definer;
--> statement-breakpoint

-- The canonical JSON of an event: its position, identity, time (UTC, microseconds), actor, action,
-- target, outcome, request id and diff, in this order, as jsonb's deterministic text form.
CREATE FUNCTION portcullis_audit_canonical(e public.audit_events)
RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT jsonb_build_array(e.seq, e.id, e.org_id, to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    e.actor_type, e.actor_id, e.actor_ip, e.user_agent, e.action, e.target_type, e.target_id, e.outcome, e.reason,
    e.request_id, e.diff)::text
$$;
--> statement-breakpoint

CREATE FUNCTION portcullis_audit_chain()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  chain_key text := coalesce(NEW.org_id::text, 'instance');
  head record;
BEGIN
  INSERT INTO public.audit_chain_heads (chain, seq, hash) VALUES (chain_key, 0, repeat('0', 64)) ON CONFLICT (chain) DO NOTHING;
  SELECT h.seq, h.hash INTO head FROM public.audit_chain_heads h WHERE h.chain = chain_key FOR UPDATE;
  NEW.seq := head.seq + 1;
  NEW.prev_hash := head.hash;
  NEW.hash := encode(sha256(convert_to(head.hash || public.portcullis_audit_canonical(NEW), 'UTF8')), 'hex');
  UPDATE public.audit_chain_heads SET seq = NEW.seq, hash = NEW.hash, updated_at = now() WHERE chain = chain_key;
  RETURN NEW;
END
$$;
--> statement-breakpoint

-- One page of a chain for `portcullis audit verify`, which runs as the database owner. FORCE RLS
-- hides audit events from an owner that is not a superuser, so the definer reads them; only the
-- role that ran this migration may call it (no service role can: a cross-org read).
GRANT SELECT ON audit_events TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_audit_verify ON audit_events FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE FUNCTION portcullis_audit_chain_page(p_org uuid, p_after bigint, p_limit integer)
RETURNS TABLE (seq bigint, prev_hash text, hash text, canonical text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT e.seq, e.prev_hash, e.hash, public.portcullis_audit_canonical(e)
  FROM public.audit_events e
  WHERE e.org_id IS NOT DISTINCT FROM p_org AND e.seq > p_after
  ORDER BY e.seq
  LIMIT least(greatest(p_limit, 1), 10000)
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_audit_chain_page(uuid, bigint, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_audit_chain_page(uuid, bigint, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_audit_chain_page(uuid, bigint, integer) TO CURRENT_USER;
--> statement-breakpoint
ALTER FUNCTION portcullis_audit_canonical(public.audit_events) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_audit_chain() OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_audit_canonical(public.audit_events), portcullis_audit_chain() FROM PUBLIC;
--> statement-breakpoint

-- Chain the events written before this migration, oldest first per chain. FORCE RLS would hide
-- them from a table owner that is not a superuser: lifted for the backfill only.
ALTER TABLE audit_events NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
DO $$
DECLARE
  e public.audit_events;
  chain_key text;
  last_chain text := NULL;
  n bigint := 0;
  prev text := repeat('0', 64);
BEGIN
  FOR e IN SELECT * FROM public.audit_events ORDER BY coalesce(org_id::text, 'instance'), occurred_at, id LOOP
    chain_key := coalesce(e.org_id::text, 'instance');
    IF last_chain IS DISTINCT FROM chain_key THEN
      IF last_chain IS NOT NULL THEN
        INSERT INTO public.audit_chain_heads (chain, seq, hash) VALUES (last_chain, n, prev);
      END IF;
      last_chain := chain_key;
      n := 0;
      prev := repeat('0', 64);
    END IF;
    n := n + 1;
    e.seq := n;
    e.prev_hash := prev;
    e.hash := encode(sha256(convert_to(prev || public.portcullis_audit_canonical(e), 'UTF8')), 'hex');
    UPDATE public.audit_events SET seq = e.seq, prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
    prev := e.hash;
  END LOOP;
  IF last_chain IS NOT NULL THEN
    INSERT INTO public.audit_chain_heads (chain, seq, hash) VALUES (last_chain, n, prev);
  END IF;
END
$$;
--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_chain_seq_key" UNIQUE NULLS NOT DISTINCT("org_id","seq");
--> statement-breakpoint
CREATE TRIGGER audit_events_chain BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION portcullis_audit_chain();
