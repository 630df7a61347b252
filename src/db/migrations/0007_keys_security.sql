-- Grants, policies and lookups for API-key restrictions and rotation, admin tokens, org secrets,
-- usage rebuild and budget alerts.

ALTER TABLE admin_tokens FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE org_secrets FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON admin_tokens, org_secrets FROM PUBLIC;
--> statement-breakpoint

GRANT SELECT, INSERT, UPDATE, DELETE ON admin_tokens, org_secrets TO portcullis_api;
--> statement-breakpoint
-- The gateway signs budget-alert webhooks with the org's secret; it never sees admin tokens.
GRANT SELECT ON org_secrets TO portcullis_gateway;
--> statement-breakpoint
-- Restrictions and limits travel with the key; the hashes still only through the lookup function.
GRANT SELECT (allowed_models, ip_allowlist, limits, rotated_at, previous_lookup_id, previous_expires_at) ON api_keys TO portcullis_gateway;
--> statement-breakpoint

-- API-key lookup, now also by the previous lookup id of a rotated key (valid until its grace
-- period ends) and returning the key's restrictions and limits in the same round trip.
DROP FUNCTION portcullis_lookup_api_key(text);
--> statement-breakpoint
GRANT SELECT (allowed_models, ip_allowlist, limits, previous_lookup_id, previous_secret_hash, previous_expires_at) ON api_keys TO portcullis_definer;
--> statement-breakpoint
CREATE FUNCTION portcullis_lookup_api_key(p_lookup_id text)
RETURNS TABLE (id uuid, org_id uuid, project_id uuid, kind text, secret_hash text, expires_at timestamptz, revoked_at timestamptz,
               allowed_models text[], ip_allowlist text[], limits jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT k.id, k.org_id, k.project_id, k.kind, k.secret_hash, k.expires_at, k.revoked_at, k.allowed_models, k.ip_allowlist, k.limits
  FROM public.api_keys k WHERE k.lookup_id = p_lookup_id
  UNION ALL
  SELECT k.id, k.org_id, k.project_id, k.kind, k.previous_secret_hash,
         CASE WHEN k.expires_at IS NULL THEN k.previous_expires_at ELSE least(k.expires_at, k.previous_expires_at) END,
         k.revoked_at, k.allowed_models, k.ip_allowlist, k.limits
  FROM public.api_keys k WHERE k.previous_lookup_id = p_lookup_id AND k.previous_secret_hash IS NOT NULL
$$;
--> statement-breakpoint

-- Admin tokens are verified before the org is known, like API keys.
GRANT SELECT (id, org_id, role, lookup_id, secret_hash, expires_at, revoked_at) ON admin_tokens TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_lookup ON admin_tokens FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE FUNCTION portcullis_lookup_admin_token(p_lookup_id text)
RETURNS TABLE (id uuid, org_id uuid, role text, secret_hash text, expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT t.id, t.org_id, t.role, t.secret_hash, t.expires_at, t.revoked_at FROM public.admin_tokens t WHERE t.lookup_id = p_lookup_id
$$;
--> statement-breakpoint

-- Usage counters are rebuilt from the request logs when the counter store lost them (Redis
-- restart, eviction). The gateway cannot read request logs; this returns sums only.
GRANT SELECT (org_id, project_id, api_key_id, created_at, input_tokens, output_tokens, cost_micro_usd) ON request_logs TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_usage ON request_logs FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE FUNCTION portcullis_usage_totals(p_org_id uuid, p_scope text, p_scope_id uuid, p_since timestamptz)
RETURNS TABLE (requests bigint, tokens bigint, cost_micro_usd bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT count(*)::bigint,
         coalesce(sum(coalesce(l.input_tokens, 0) + coalesce(l.output_tokens, 0)), 0)::bigint,
         coalesce(sum(coalesce(l.cost_micro_usd, 0)), 0)::bigint
  FROM public.request_logs l
  WHERE l.org_id = p_org_id AND l.created_at >= p_since
    AND CASE p_scope WHEN 'org' THEN true WHEN 'project' THEN l.project_id = p_scope_id WHEN 'api_key' THEN l.api_key_id = p_scope_id ELSE false END
$$;
--> statement-breakpoint

-- Budget alerts: the gateway records them in the org's audit chain, and nothing else.
CREATE POLICY definer_budget_alert ON audit_events FOR INSERT TO portcullis_definer
  WITH CHECK (org_id IS NOT NULL AND action = 'budget.alert' AND actor_type = 'system');
--> statement-breakpoint
CREATE FUNCTION portcullis_record_budget_alert(p_org_id uuid, p_scope text, p_scope_id uuid, p_diff jsonb)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.audit_events (org_id, actor_type, actor_id, action, target_type, target_id, outcome, diff)
  VALUES (p_org_id, 'system', 'gateway', 'budget.alert', p_scope, p_scope_id::text, 'success', p_diff)
$$;
--> statement-breakpoint

ALTER FUNCTION portcullis_lookup_api_key(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_lookup_admin_token(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_usage_totals(uuid, text, uuid, timestamptz) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_record_budget_alert(uuid, text, uuid, jsonb) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_lookup_api_key(text), portcullis_lookup_admin_token(text),
  portcullis_usage_totals(uuid, text, uuid, timestamptz), portcullis_record_budget_alert(uuid, text, uuid, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_lookup_api_key(text), portcullis_usage_totals(uuid, text, uuid, timestamptz),
  portcullis_record_budget_alert(uuid, text, uuid, jsonb) TO portcullis_gateway;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_lookup_admin_token(text) TO portcullis_api;
--> statement-breakpoint
