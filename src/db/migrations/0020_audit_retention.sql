CREATE TABLE "audit_checkpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	"pruned_at" timestamp with time zone NOT NULL,
	"signature" text NOT NULL,
	"key_id" text NOT NULL,
	CONSTRAINT "audit_checkpoints_chain_seq_key" UNIQUE NULLS NOT DISTINCT("org_id","seq")
);
--> statement-breakpoint
ALTER TABLE "audit_checkpoints" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "audit_checkpoints" AS PERMISSIVE FOR ALL TO "portcullis_api", "portcullis_gateway" USING ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid);--> statement-breakpoint
-- Retention: the api process prunes, in batches, only through the functions below (no service role
-- may DELETE an audit event, a request log or a guardrail event itself). Floors in SQL bound what a
-- compromised api could remove: audit events younger than 30 days (the shortest plan retention)
-- and request logs younger than 1 day are never pruned, whatever the caller asks.
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
GRANT SELECT ON audit_checkpoints TO portcullis_api;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_checkpoints TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_retention ON audit_checkpoints FOR ALL TO portcullis_definer USING (true) WITH CHECK (true);
--> statement-breakpoint
GRANT DELETE ON audit_events TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_retention_delete ON audit_events FOR DELETE TO portcullis_definer USING (true);
--> statement-breakpoint
GRANT SELECT (id, org_id, created_at), DELETE ON request_logs TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_retention ON request_logs FOR ALL TO portcullis_definer USING (true);
--> statement-breakpoint
GRANT SELECT (org_id, request_log_id), DELETE ON request_bodies TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_retention ON request_bodies FOR ALL TO portcullis_definer USING (true);
--> statement-breakpoint
GRANT SELECT (id, org_id, created_at), DELETE ON guardrail_events TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_retention ON guardrail_events FOR ALL TO portcullis_definer USING (true);
--> statement-breakpoint
GRANT SELECT (plan, settings) ON organizations TO portcullis_definer;
--> statement-breakpoint

-- Every org with its plan and retention settings (nothing else of its settings): the job's work list.
CREATE FUNCTION portcullis_retention_targets()
RETURNS TABLE (org_id uuid, plan text, retention jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT o.id, o.plan, coalesce(o.settings -> 'retention', '{}'::jsonb) FROM public.organizations o ORDER BY o.id
$$;
--> statement-breakpoint

-- The last event of a chain's oldest run of events older than p_cutoff, at most p_limit events in:
-- where the next pruning batch ends. No row: nothing to prune.
CREATE FUNCTION portcullis_audit_prune_point(p_org uuid, p_cutoff timestamptz, p_limit integer)
RETURNS TABLE (seq bigint, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT b.seq, b.hash FROM (
    SELECT e.seq, e.hash FROM public.audit_events e
    WHERE e.org_id IS NOT DISTINCT FROM p_org
      AND e.seq < coalesce((SELECT min(r.seq) FROM public.audit_events r WHERE r.org_id IS NOT DISTINCT FROM p_org AND r.occurred_at >= p_cutoff), 9223372036854775807)
    ORDER BY e.seq
    LIMIT least(greatest(p_limit, 1), 50000)
  ) b ORDER BY b.seq DESC LIMIT 1
$$;
--> statement-breakpoint

-- Removes a chain's events up to p_upto_seq after writing the signed checkpoint that lets the chain
-- still verify. 0 when that event is gone already (another replica pruned it).
CREATE FUNCTION portcullis_prune_audit(p_org uuid, p_upto_seq bigint, p_hash text, p_pruned_at timestamptz, p_signature text, p_key_id text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  target record;
  removed integer;
BEGIN
  SELECT e.seq, e.hash, e.occurred_at INTO target FROM public.audit_events e
  WHERE e.org_id IS NOT DISTINCT FROM p_org AND e.seq = p_upto_seq;
  IF NOT FOUND THEN
    RETURN 0;
  END IF;
  IF target.hash <> p_hash THEN
    RAISE EXCEPTION 'checkpoint hash does not match audit event %', p_upto_seq;
  END IF;
  IF target.occurred_at > now() - interval '30 days' THEN
    RAISE EXCEPTION 'audit events younger than 30 days are never pruned';
  END IF;
  INSERT INTO public.audit_checkpoints (org_id, seq, hash, pruned_at, signature, key_id)
  VALUES (p_org, p_upto_seq, p_hash, p_pruned_at, p_signature, p_key_id);
  DELETE FROM public.audit_events e WHERE e.org_id IS NOT DISTINCT FROM p_org AND e.seq <= p_upto_seq;
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END
$$;
--> statement-breakpoint

-- One batch of an org's request logs (with their stored bodies) and guardrail events older than
-- p_cutoff; returns how many rows went.
CREATE FUNCTION portcullis_prune_request_logs(p_org uuid, p_cutoff timestamptz, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  cutoff timestamptz := least(p_cutoff, now() - interval '1 day');
  batch integer := least(greatest(p_limit, 1), 50000);
  doomed uuid[];
  removed integer := 0;
  n integer;
BEGIN
  SELECT array_agg(l.id) INTO doomed FROM (
    SELECT r.id FROM public.request_logs r WHERE r.org_id = p_org AND r.created_at < cutoff ORDER BY r.created_at LIMIT batch
  ) l;
  IF doomed IS NOT NULL THEN
    DELETE FROM public.request_bodies b WHERE b.org_id = p_org AND b.request_log_id = ANY (doomed);
    GET DIAGNOSTICS n = ROW_COUNT;
    removed := removed + n;
    DELETE FROM public.request_logs r WHERE r.org_id = p_org AND r.id = ANY (doomed);
    GET DIAGNOSTICS n = ROW_COUNT;
    removed := removed + n;
  END IF;
  DELETE FROM public.guardrail_events g WHERE g.id IN (
    SELECT x.id FROM public.guardrail_events x WHERE x.org_id = p_org AND x.created_at < cutoff ORDER BY x.created_at LIMIT batch
  );
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN removed + n;
END
$$;
--> statement-breakpoint

-- The latest checkpoint of a chain, for `portcullis audit verify` (run as the migration role).
CREATE FUNCTION portcullis_audit_latest_checkpoint(p_org uuid)
RETURNS TABLE (seq bigint, hash text, pruned_at timestamptz, signature text, key_id text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT c.seq, c.hash, c.pruned_at, c.signature, c.key_id FROM public.audit_checkpoints c
  WHERE c.org_id IS NOT DISTINCT FROM p_org ORDER BY c.seq DESC LIMIT 1
$$;
--> statement-breakpoint

ALTER FUNCTION portcullis_retention_targets() OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_audit_prune_point(uuid, timestamptz, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_prune_audit(uuid, bigint, text, timestamptz, text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_prune_request_logs(uuid, timestamptz, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_audit_latest_checkpoint(uuid) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_retention_targets(), portcullis_audit_prune_point(uuid, timestamptz, integer),
  portcullis_prune_audit(uuid, bigint, text, timestamptz, text, text), portcullis_prune_request_logs(uuid, timestamptz, integer),
  portcullis_audit_latest_checkpoint(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_retention_targets(), portcullis_audit_prune_point(uuid, timestamptz, integer),
  portcullis_prune_audit(uuid, bigint, text, timestamptz, text, text), portcullis_prune_request_logs(uuid, timestamptz, integer)
  TO portcullis_api;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_audit_latest_checkpoint(uuid) TO CURRENT_USER;
