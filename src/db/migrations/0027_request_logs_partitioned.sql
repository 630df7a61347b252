-- request_logs becomes a table PARTITIONED BY RANGE (created_at), one partition per UTC month
-- (request_logs_pYYYYMM) and a DEFAULT partition, so that an insert never fails for want of a
-- partition and retention can drop a whole month instead of deleting it row by row (docs/scaling.md).
--
-- portcullis:contract the previous release keeps working mid-upgrade: the parent keeps the name request_logs, every column, index name, check, policy and grant; only the old heap is renamed aside, copied and dropped inside this migration's transaction.
--
-- Every existing row is copied. The primary key becomes (id, created_at): a partitioned table's
-- unique constraints must contain the partition key. The writer's ON CONFLICT DO NOTHING names no
-- target, so a retried batch (same id, same created_at) is still a no-op.
--
-- Ownership moves to portcullis_definer: only a table's owner may create, attach or drop its
-- partitions, and the api (which runs the retention job) does that only through the two SECURITY
-- DEFINER functions below. No service role has any privilege on a partition, and every partition
-- has RLS enabled and forced with no policy: naming a partition directly reads and writes nothing.

ALTER TABLE "request_logs" RENAME TO "request_logs_unpartitioned";
--> statement-breakpoint
ALTER INDEX "request_logs_pkey" RENAME TO "request_logs_unpartitioned_pkey";
--> statement-breakpoint
ALTER INDEX "request_logs_org_time_idx" RENAME TO "request_logs_unpartitioned_org_time_idx";
--> statement-breakpoint
ALTER INDEX "request_logs_key_time_idx" RENAME TO "request_logs_unpartitioned_key_time_idx";
--> statement-breakpoint
CREATE TABLE "request_logs" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"org_id" uuid NOT NULL,
	"project_id" uuid,
	"api_key_id" uuid,
	"request_id" text NOT NULL,
	"endpoint" text NOT NULL,
	"model" text,
	"served_model" text,
	"provider" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"stream" boolean DEFAULT false NOT NULL,
	"status" integer NOT NULL,
	"error_code" text,
	"latency_ms" integer,
	"ttft_ms" integer,
	"input_tokens" bigint,
	"output_tokens" bigint,
	"cached_input_tokens" bigint,
	"cache_write_input_tokens" bigint,
	"reasoning_tokens" bigint,
	"cost_micro_usd" bigint,
	"cache_status" text,
	"usage_counted" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "request_logs_id_created_at_pk" PRIMARY KEY("id","created_at"),
	CONSTRAINT "request_logs_cache_status_check" CHECK ("request_logs"."cache_status" is null or "request_logs"."cache_status" in ('hit', 'miss', 'bypass', 'off'))
) PARTITION BY RANGE ("created_at");
--> statement-breakpoint
CREATE INDEX "request_logs_org_time_idx" ON "request_logs" USING btree ("org_id","created_at");
--> statement-breakpoint
CREATE INDEX "request_logs_key_time_idx" ON "request_logs" USING btree ("api_key_id","created_at");
--> statement-breakpoint
CREATE TABLE "request_logs_default" PARTITION OF "request_logs" DEFAULT;
--> statement-breakpoint

-- A partition for every UTC month that has rows, and for this month and the next three (the
-- retention job keeps that window ahead from now on). Bounds are computed as UTC timestamps and
-- written with their offset, so the session's time zone cannot shift a month boundary.
DO $$
DECLARE
  month_start timestamp;
BEGIN
  FOR month_start IN
    SELECT DISTINCT date_trunc('month', l.created_at AT TIME ZONE 'UTC') FROM public.request_logs_unpartitioned l
    UNION
    SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => ahead) FROM generate_series(0, 3) AS ahead
  LOOP
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.request_logs FOR VALUES FROM (%L) TO (%L)',
      'request_logs_p' || to_char(month_start, 'YYYYMM'),
      month_start AT TIME ZONE 'UTC', (month_start + interval '1 month') AT TIME ZONE 'UTC');
  END LOOP;
END
$$;
--> statement-breakpoint
INSERT INTO "request_logs" ("id", "org_id", "project_id", "api_key_id", "request_id", "endpoint", "model", "served_model", "provider",
  "attempts", "stream", "status", "error_code", "latency_ms", "ttft_ms", "input_tokens", "output_tokens", "cached_input_tokens",
  "cache_write_input_tokens", "reasoning_tokens", "cost_micro_usd", "cache_status", "usage_counted", "created_at")
SELECT "id", "org_id", "project_id", "api_key_id", "request_id", "endpoint", "model", "served_model", "provider",
  "attempts", "stream", "status", "error_code", "latency_ms", "ttft_ms", "input_tokens", "output_tokens", "cached_input_tokens",
  "cache_write_input_tokens", "reasoning_tokens", "cost_micro_usd", "cache_status", "usage_counted", "created_at"
FROM "request_logs_unpartitioned";
--> statement-breakpoint
DROP TABLE "request_logs_unpartitioned";
--> statement-breakpoint

-- The parent: RLS enabled and forced with the same policies as before (0001, 0007, 0020), the same
-- grants to the service roles (0002). portcullis_definer owns it now, so its former column grants
-- are implied; its reads and deletes still pass through its own policies (RLS is forced).
ALTER TABLE "request_logs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "request_logs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_logs" AS PERMISSIVE FOR ALL TO "portcullis_api", "portcullis_gateway" USING ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY definer_usage ON request_logs FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE POLICY definer_retention ON request_logs FOR ALL TO portcullis_definer USING (true);
--> statement-breakpoint
REVOKE ALL ON request_logs FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON request_logs TO portcullis_api;
--> statement-breakpoint
GRANT INSERT ON request_logs TO portcullis_gateway;
--> statement-breakpoint
ALTER TABLE request_logs OWNER TO portcullis_definer;
--> statement-breakpoint

-- The partitions: owned by portcullis_definer (so it can drop them), no grant to anyone, RLS
-- enabled and forced without a policy. Reads and writes go through the parent and its policies.
DO $$
DECLARE
  part regclass;
BEGIN
  FOR part IN SELECT i.inhrelid::regclass FROM pg_catalog.pg_inherits i WHERE i.inhparent = 'public.request_logs'::regclass LOOP
    EXECUTE format('ALTER TABLE %s OWNER TO portcullis_definer', part);
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', part);
    EXECUTE format('REVOKE ALL ON %s FROM PUBLIC', part);
  END LOOP;
END
$$;
--> statement-breakpoint

-- Creating a partition creates a table in schema public (PostgreSQL 15 no longer lets PUBLIC do that).
GRANT CREATE ON SCHEMA public TO portcullis_definer;
--> statement-breakpoint
-- Dropping a month also removes the stored bodies of that month (same created_at as their log row).
GRANT SELECT (created_at) ON request_bodies TO portcullis_definer;
--> statement-breakpoint

-- Keeps a partition for this UTC month and the next p_months_ahead (at most 24). A month's rows
-- that landed in the DEFAULT partition are moved into its partition as it is created: PostgreSQL
-- refuses to create a partition whose range has rows in the default one, so the new month is built
-- as a standalone table, filled from the default partition, then attached (attaching also takes a
-- lighter lock on the parent than CREATE TABLE ... PARTITION OF). Returns the partitions created.
CREATE FUNCTION portcullis_ensure_request_log_partitions(p_months_ahead integer)
RETURNS TABLE (partition_name text, rows_moved bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET "TimeZone" = 'UTC'
AS $$
DECLARE
  this_month timestamptz := date_trunc('month', now());
  month_start timestamptz;
  month_end timestamptz;
  part text;
  moved bigint;
BEGIN
  -- Replicas running the job at once would race to create the same table.
  PERFORM pg_advisory_xact_lock(hashtext('portcullis-request-log-partitions'));
  FOR ahead IN 0 .. least(greatest(coalesce(p_months_ahead, 0), 0), 24) LOOP
    month_start := this_month + make_interval(months => ahead);
    month_end := month_start + interval '1 month';
    part := 'request_logs_p' || to_char(month_start, 'YYYYMM');
    CONTINUE WHEN to_regclass('public.' || quote_ident(part)) IS NOT NULL;
    EXECUTE format('CREATE TABLE public.%I (LIKE public.request_logs INCLUDING ALL)', part);
    EXECUTE format('WITH moved AS (DELETE FROM public.request_logs r WHERE r.created_at >= $1 AND r.created_at < $2 RETURNING r.*) '
                   'INSERT INTO public.%I SELECT * FROM moved', part) USING month_start, month_end;
    GET DIAGNOSTICS moved = ROW_COUNT;
    EXECUTE format('ALTER TABLE public.request_logs ATTACH PARTITION public.%I FOR VALUES FROM (%L) TO (%L)', part, month_start, month_end);
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', part);
    EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', part);
    EXECUTE format('REVOKE ALL ON public.%I FROM PUBLIC', part);
    partition_name := part;
    rows_moved := moved;
    RETURN NEXT;
  END LOOP;
END
$$;
--> statement-breakpoint

-- Drops every month partition whose whole range is older than the longest request-log retention
-- in force: the longer of p_keep_days (what the job computed) and what this function reads from
-- every org's stored setting (30 days when unset, a malformed value counts as the 2555-day maximum),
-- never less than one day. So a compromised api cannot drop a month an org still keeps. The DEFAULT
-- partition is never dropped (the per-org batched delete handles it). Returns what was dropped,
-- with the row count, for the audit trail. Another replica holding the lock: nothing, next run.
CREATE FUNCTION portcullis_drop_expired_request_log_partitions(p_keep_days integer)
RETURNS TABLE (partition_name text, range_start timestamptz, range_end timestamptz, rows_dropped bigint, keep_days integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public SET "TimeZone" = 'UTC'
AS $$
DECLARE
  longest integer;
  cutoff timestamptz;
  part record;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('portcullis-request-log-partitions')) THEN
    RETURN;
  END IF;
  SELECT coalesce(max(CASE
           WHEN o.settings -> 'retention' -> 'requestLogDays' IS NULL THEN 30
           WHEN jsonb_typeof(o.settings -> 'retention' -> 'requestLogDays') = 'number'
             THEN ceil(least(greatest((o.settings -> 'retention' ->> 'requestLogDays')::numeric, 1), 2555))::integer
           ELSE 2555 END), 30)
    INTO longest FROM public.organizations o;
  keep_days := greatest(coalesce(p_keep_days, 1), longest, 1);
  cutoff := now() - make_interval(days => keep_days);
  FOR part IN
    SELECT c.relname::text AS relname, to_timestamp(substr(c.relname, 15), 'YYYYMM') AS lo
    FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'public.request_logs'::regclass AND c.relname ~ '^request_logs_p[0-9]{6}$'
    ORDER BY c.relname
  LOOP
    range_start := part.lo;
    range_end := part.lo + interval '1 month';
    EXIT WHEN range_end > cutoff;
    SELECT count(*) INTO rows_dropped FROM public.request_logs r WHERE r.created_at >= range_start AND r.created_at < range_end;
    DELETE FROM public.request_bodies b WHERE b.created_at >= range_start AND b.created_at < range_end;
    EXECUTE format('DROP TABLE public.%I', part.relname);
    partition_name := part.relname;
    RETURN NEXT;
  END LOOP;
END
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_ensure_request_log_partitions(integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_drop_expired_request_log_partitions(integer) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_ensure_request_log_partitions(integer), portcullis_drop_expired_request_log_partitions(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_ensure_request_log_partitions(integer), portcullis_drop_expired_request_log_partitions(integer) TO portcullis_api;
