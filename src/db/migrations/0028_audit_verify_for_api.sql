-- Chain verification from the api (the dashboard's audit log shows whether the org's chain holds).
-- The functions of 0019/0020 read any chain and only the database owner may call them. These two
-- read only the chain of the org the transaction is scoped to (app.org_id, the same setting the
-- row-level security policies use), so the api role may call them: no cross-org read.
CREATE FUNCTION portcullis_tenant_audit_chain_page(p_after bigint, p_limit integer)
RETURNS TABLE (seq bigint, prev_hash text, hash text, canonical text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT e.seq, e.prev_hash, e.hash, public.portcullis_audit_canonical(e)
  FROM public.audit_events e
  WHERE e.org_id = nullif(current_setting('app.org_id', true), '')::uuid AND e.seq > p_after
  ORDER BY e.seq
  LIMIT least(greatest(p_limit, 1), 10000)
$$;
--> statement-breakpoint
CREATE FUNCTION portcullis_tenant_audit_chain_head()
RETURNS TABLE (seq bigint, hash text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT h.seq, h.hash FROM public.audit_chain_heads h
  WHERE h.chain = nullif(current_setting('app.org_id', true), '')::uuid::text
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_tenant_audit_chain_page(bigint, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_tenant_audit_chain_head() OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_tenant_audit_chain_page(bigint, integer), portcullis_tenant_audit_chain_head() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_tenant_audit_chain_page(bigint, integer), portcullis_tenant_audit_chain_head() TO portcullis_api;
