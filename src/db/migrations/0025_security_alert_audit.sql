-- Security alerts raised in the gateway (a guardrail block burst, an API key used from a new
-- network) are recorded in the org's audit chain like budget alerts: the gateway role may append
-- exactly this event, through this function, and nothing else.
CREATE POLICY definer_security_alert ON audit_events FOR INSERT TO portcullis_definer
  WITH CHECK (org_id IS NOT NULL AND action = 'security_alert.sent' AND actor_type = 'system');
--> statement-breakpoint
CREATE FUNCTION portcullis_record_security_alert(p_org_id uuid, p_rule text, p_diff jsonb)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.audit_events (org_id, actor_type, actor_id, action, target_type, target_id, outcome, diff)
  SELECT p_org_id, 'system', 'security-alerts', 'security_alert.sent', 'security_alert_rule', p_rule, 'success', p_diff
  WHERE p_rule IN ('guardrail_block_burst', 'new_api_key_network')
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_record_security_alert(uuid, text, jsonb) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_record_security_alert(uuid, text, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_record_security_alert(uuid, text, jsonb) TO portcullis_gateway;
