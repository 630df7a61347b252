-- Budget alerts name the gateway replica that raised them (`gateway@<host>`, like every other
-- system actor) and the request whose usage crossed the threshold. The old four-argument function
-- (0007) is dropped with its grant; the policy that limits what the gateway may append stays.
DROP FUNCTION portcullis_record_budget_alert(uuid, text, uuid, jsonb);
--> statement-breakpoint
CREATE FUNCTION portcullis_record_budget_alert(p_org_id uuid, p_scope text, p_scope_id uuid, p_diff jsonb, p_actor_id text, p_request_id text)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.audit_events (org_id, actor_type, actor_id, action, target_type, target_id, outcome, diff, request_id)
  SELECT p_org_id, 'system', p_actor_id, 'budget.alert', p_scope, p_scope_id::text, 'success', p_diff, p_request_id
  WHERE p_actor_id LIKE 'gateway@%' AND length(p_actor_id) <= 200 AND (p_request_id IS NULL OR length(p_request_id) <= 128)
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_record_budget_alert(uuid, text, uuid, jsonb, text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_record_budget_alert(uuid, text, uuid, jsonb, text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_record_budget_alert(uuid, text, uuid, jsonb, text, text) TO portcullis_gateway;
