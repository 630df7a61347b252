-- API-key lookup that says which secret matched: the key's current one, or the previous one of a
-- rotation (then `superseded_until` is the end of its grace period). The gateway answers the old
-- secret after its grace with its own 401 (`rotated_api_key`) instead of "expired".
--
-- Expand step (docs/upgrades.md): the new function sits beside portcullis_lookup_api_key, which
-- the previous release still calls and which stays unchanged; a later release drops it.
-- `expires_at` is the key's own expiry here, for both secrets (the old function folded the grace
-- end into it).
CREATE FUNCTION portcullis_lookup_api_key_v2(p_lookup_id text)
RETURNS TABLE (id uuid, org_id uuid, project_id uuid, kind text, secret_hash text, expires_at timestamptz, revoked_at timestamptz,
               allowed_models text[], ip_allowlist text[], limits jsonb, superseded_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT k.id, k.org_id, k.project_id, k.kind, k.secret_hash, k.expires_at, k.revoked_at, k.allowed_models, k.ip_allowlist, k.limits,
         NULL::timestamptz
  FROM public.api_keys k WHERE k.lookup_id = p_lookup_id
  UNION ALL
  SELECT k.id, k.org_id, k.project_id, k.kind, k.previous_secret_hash, k.expires_at, k.revoked_at, k.allowed_models, k.ip_allowlist, k.limits,
         coalesce(k.previous_expires_at, 'epoch'::timestamptz)
  FROM public.api_keys k WHERE k.previous_lookup_id = p_lookup_id AND k.previous_secret_hash IS NOT NULL
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_lookup_api_key_v2(text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_lookup_api_key_v2(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_lookup_api_key_v2(text) TO portcullis_gateway;
