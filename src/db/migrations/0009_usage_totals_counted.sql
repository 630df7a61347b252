-- Usage counters are rebuilt only from requests that passed the limit checks: a request the
-- gateway refused (validation, routing, a limit) never counted toward a limit while the counters
-- lived, so it must not count when they are rebuilt.
GRANT SELECT (usage_counted) ON request_logs TO portcullis_definer;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION portcullis_usage_totals(p_org_id uuid, p_scope text, p_scope_id uuid, p_since timestamptz)
RETURNS TABLE (requests bigint, tokens bigint, cost_micro_usd bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT count(*)::bigint,
         coalesce(sum(coalesce(l.input_tokens, 0) + coalesce(l.output_tokens, 0)), 0)::bigint,
         coalesce(sum(coalesce(l.cost_micro_usd, 0)), 0)::bigint
  FROM public.request_logs l
  WHERE l.org_id = p_org_id AND l.created_at >= p_since AND l.usage_counted
    AND CASE p_scope WHEN 'org' THEN true WHEN 'project' THEN l.project_id = p_scope_id WHEN 'api_key' THEN l.api_key_id = p_scope_id ELSE false END
$$;
