-- Org deletion with a grace period. An owner's DELETE sets deletion_scheduled_for (now + the grace
-- days); until then the gateway refuses the org's API keys and an owner may cancel; afterwards the
-- purge job in every api process deletes the org (cascade, data keys destroyed). 0023 already
-- created the column (its generator saw this schema change); IF NOT EXISTS keeps this migration
-- correct whichever of the two runs against a database first.
ALTER TABLE "organizations" ADD COLUMN IF NOT EXISTS "deletion_scheduled_for" timestamp with time zone;
--> statement-breakpoint
-- The api sets and clears the date (0002 granted UPDATE column by column; plan stays the definer's).
GRANT UPDATE (deletion_scheduled_for) ON organizations TO portcullis_api;
--> statement-breakpoint
GRANT SELECT (deletion_scheduled_for) ON organizations TO portcullis_definer;
--> statement-breakpoint

-- The purge job's work list: orgs whose deletion time is at or before p_now (the job's clock, so a
-- test can move it), soonest first. Ids and times only: which orgs to lock and delete, each in its
-- own tenant transaction, where the time is checked again under the row lock.
CREATE FUNCTION portcullis_orgs_due_for_deletion(p_now timestamptz, p_limit integer)
RETURNS TABLE (org_id uuid, deletion_scheduled_for timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT o.id, o.deletion_scheduled_for FROM public.organizations o
  WHERE o.deletion_scheduled_for IS NOT NULL AND o.deletion_scheduled_for <= p_now
  ORDER BY o.deletion_scheduled_for, o.id
  LIMIT least(greatest(p_limit, 1), 1000)
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_orgs_due_for_deletion(timestamptz, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_orgs_due_for_deletion(timestamptz, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_orgs_due_for_deletion(timestamptz, integer) TO portcullis_api;
