-- Key rotation (`portcullis keys rotate-master`, `portcullis keys rotate-tenant`) and
-- crypto-shredding. See docs/security.md ("Key rotation", "Deleting an org").

-- rotate-master finds the orgs whose data keys are wrapped by another master key before it knows
-- any org: two narrow lookups, org ids and per-master-key counts only (never wrapped keys).
GRANT SELECT (org_id, master_key_id) ON tenant_keys TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_key_rotation ON tenant_keys FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE FUNCTION portcullis_org_ids_with_stale_keys(p_active_master_key_id text)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT DISTINCT k.org_id FROM public.tenant_keys k WHERE k.master_key_id <> p_active_master_key_id ORDER BY 1
$$;
--> statement-breakpoint
-- Which master keys wrap how many data keys: checked before anything is re-wrapped, so a missing
-- previous master key stops the run with nothing changed.
CREATE FUNCTION portcullis_master_key_usage()
RETURNS TABLE (master_key_id text, data_keys bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT k.master_key_id, count(*)::bigint FROM public.tenant_keys k GROUP BY k.master_key_id ORDER BY 1
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_org_ids_with_stale_keys(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_master_key_usage() OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_org_ids_with_stale_keys(text), portcullis_master_key_usage() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_org_ids_with_stale_keys(text), portcullis_master_key_usage() TO portcullis_api;
--> statement-breakpoint

-- rotate-tenant re-encrypts stored bodies under the org's new data key: the api may replace the
-- ciphertext columns and the key reference, nothing else (the request log link, org and time stay).
GRANT UPDATE (tenant_key_id, request_ciphertext, response_ciphertext) ON request_bodies TO portcullis_api;
--> statement-breakpoint

-- Shredding a retired data key once nothing is sealed under it. The api may delete a data key
-- only when it is retired and no stored body still refers to it; provider keys and org secrets
-- are held back by their foreign keys. Restrictive: it narrows tenant_isolation, never widens it.
-- (Deleting the org removes every key through the cascade, which runs as the table owner.)
GRANT DELETE ON tenant_keys TO portcullis_api;
--> statement-breakpoint
CREATE POLICY shred_retired_unreferenced ON tenant_keys AS RESTRICTIVE FOR DELETE TO portcullis_api
  USING (status = 'retired' AND NOT EXISTS (
    SELECT 1 FROM request_bodies b WHERE b.org_id = tenant_keys.org_id AND b.tenant_key_id = tenant_keys.id));
--> statement-breakpoint

-- Finds the bodies still sealed under one data key (the remaining work of a rotation, and the
-- check above) without scanning the org's whole history. Not in the drizzle schema: it serves
-- these queries only and drizzle-kit leaves objects it does not know alone.
CREATE INDEX request_bodies_tenant_key_idx ON request_bodies (org_id, tenant_key_id, id);
--> statement-breakpoint

-- The services check drizzle's journal at start to refuse a database behind their version. Read
-- only; the migrator (the owner login) is the only writer. The schema exists by now: the migrator
-- creates it before the first migration.
GRANT USAGE ON SCHEMA drizzle TO portcullis_api, portcullis_gateway;
--> statement-breakpoint
GRANT SELECT ON drizzle.__drizzle_migrations TO portcullis_api, portcullis_gateway;
