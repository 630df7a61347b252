-- Tenant isolation, least-privilege grants and the SECURITY DEFINER lookups.
-- Read this file to audit what each service role can do; docs/database.md explains the model.

-- 1. Row-level security is FORCED, so even the table owner is filtered (superusers still bypass,
--    which is why services never run queries as the owner: withTenant() sets a service role).
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE projects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenant_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE provider_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE provider_key_projects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE guardrail_policies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE guardrail_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE request_logs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--> statement-breakpoint

-- 2. Nothing for PUBLIC; each role gets exactly its list.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO portcullis_api, portcullis_gateway, portcullis_definer;
--> statement-breakpoint

-- portcullis_api: the management plane.
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, accounts, verifications, passkeys, two_factors TO portcullis_api;
--> statement-breakpoint
GRANT SELECT ON instance_admins TO portcullis_api;
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON organizations TO portcullis_api;
--> statement-breakpoint
-- No UPDATE on organizations.plan: plans are set by the instance admin through portcullis_set_org_plan().
GRANT UPDATE (name, settings, updated_at) ON organizations TO portcullis_api;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON members, projects, api_keys, provider_keys, provider_key_projects, guardrail_policies TO portcullis_api;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON tenant_keys TO portcullis_api;
--> statement-breakpoint
GRANT SELECT ON request_logs, guardrail_events TO portcullis_api;
--> statement-breakpoint
-- Audit is append-only for every service role: no UPDATE, no DELETE, no TRUNCATE.
GRANT SELECT, INSERT ON audit_events TO portcullis_api;
--> statement-breakpoint

-- portcullis_gateway: the data plane reads configuration and appends logs. It cannot read users,
-- sessions or password hashes, and it reads API-key hashes only through portcullis_lookup_api_key().
GRANT SELECT ON organizations, projects, provider_keys, provider_key_projects, tenant_keys, guardrail_policies TO portcullis_gateway;
--> statement-breakpoint
GRANT SELECT (id, org_id, project_id, name, kind, lookup_id, last4, owner_member_id, created_at, expires_at, revoked_at) ON api_keys TO portcullis_gateway;
--> statement-breakpoint
GRANT INSERT ON request_logs, guardrail_events TO portcullis_gateway;
--> statement-breakpoint

-- portcullis_definer: only what the functions below touch, through policies of its own.
GRANT SELECT (id, org_id, project_id, kind, lookup_id, secret_hash, expires_at, revoked_at) ON api_keys TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON setup_tokens TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT, INSERT ON instance_admins TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT (id) ON users TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT (id, name) ON organizations TO portcullis_definer;
--> statement-breakpoint
GRANT UPDATE (plan, updated_at) ON organizations TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT (org_id, user_id, role) ON members TO portcullis_definer;
--> statement-breakpoint
GRANT INSERT ON audit_events TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_lookup ON api_keys FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE POLICY definer_lookup ON organizations FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE POLICY definer_set_plan ON organizations FOR UPDATE TO portcullis_definer USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY definer_lookup ON members FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
CREATE POLICY definer_instance_audit ON audit_events FOR INSERT TO portcullis_definer WITH CHECK (org_id IS NULL);
--> statement-breakpoint

-- 3. SECURITY DEFINER lookups. Each: fixed search_path (no hijacking through a writable schema),
--    owned by portcullis_definer, EXECUTE revoked from PUBLIC and granted to the one role that needs it,
--    returning only the columns its caller needs.

-- The gateway authenticates an API key before it knows the org: find the row by its public lookup id.
CREATE FUNCTION portcullis_lookup_api_key(p_lookup_id text)
RETURNS TABLE (id uuid, org_id uuid, project_id uuid, kind text, secret_hash text, expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT k.id, k.org_id, k.project_id, k.kind, k.secret_hash, k.expires_at, k.revoked_at
  FROM public.api_keys k WHERE k.lookup_id = p_lookup_id
$$;
--> statement-breakpoint

-- First start: store the hash of a fresh setup token, unless the instance already has an admin.
-- Older unused tokens are expired so only the newest printed link works.
CREATE FUNCTION portcullis_issue_setup_token(p_token_hash text, p_expires_at timestamptz)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.instance_admins) THEN
    RETURN false;
  END IF;
  UPDATE public.setup_tokens SET expires_at = least(expires_at, now()) WHERE used_at IS NULL;
  INSERT INTO public.setup_tokens (token_hash, expires_at) VALUES (p_token_hash, p_expires_at);
  RETURN true;
END
$$;
--> statement-breakpoint

-- The setup form: consume the single-use token and make the user the first instance admin, atomically.
-- The caller inserts the user row in the same transaction and rolls back when this returns false.
CREATE FUNCTION portcullis_complete_setup(p_token_hash text, p_user_id text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
DECLARE
  v_token uuid;
BEGIN
  -- Serialise concurrent completions: exactly one form submission may win.
  LOCK TABLE public.setup_tokens IN SHARE ROW EXCLUSIVE MODE;
  IF EXISTS (SELECT 1 FROM public.instance_admins) THEN
    RETURN false;
  END IF;
  UPDATE public.setup_tokens SET used_at = now()
   WHERE token_hash = p_token_hash AND used_at IS NULL AND expires_at > now()
  RETURNING id INTO v_token;
  IF v_token IS NULL OR NOT EXISTS (SELECT 1 FROM public.users WHERE id = p_user_id) THEN
    RETURN false;
  END IF;
  INSERT INTO public.instance_admins (user_id) VALUES (p_user_id);
  RETURN true;
END
$$;
--> statement-breakpoint

-- Session -> orgs: which orgs a signed-in user belongs to, before an org is chosen.
CREATE FUNCTION portcullis_user_memberships(p_user_id text)
RETURNS TABLE (org_id uuid, org_name text, role text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT m.org_id, o.name, m.role FROM public.members m JOIN public.organizations o ON o.id = m.org_id
  WHERE m.user_id = p_user_id ORDER BY o.name
$$;
--> statement-breakpoint

-- Bootstrap and the instance admin address orgs by name before knowing their id.
CREATE FUNCTION portcullis_find_org_by_name(p_name text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT o.id FROM public.organizations o WHERE lower(o.name) = lower(p_name)
$$;
--> statement-breakpoint

-- Plans are the instance admin's to set; the api role has no UPDATE on organizations.plan.
CREATE FUNCTION portcullis_set_org_plan(p_org_id uuid, p_plan text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE public.organizations SET plan = p_plan, updated_at = now() WHERE id = p_org_id;
  RETURN FOUND;
END
$$;
--> statement-breakpoint

-- Instance-chain audit events (org_id null), e.g. setup, failed sign-in, bootstrap.
CREATE FUNCTION portcullis_append_instance_audit(
  p_actor_type text, p_actor_id text, p_actor_ip text, p_user_agent text, p_action text,
  p_target_type text, p_target_id text, p_outcome text, p_reason text, p_request_id text, p_diff jsonb)
RETURNS void
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  INSERT INTO public.audit_events (org_id, actor_type, actor_id, actor_ip, user_agent, action, target_type, target_id, outcome, reason, request_id, diff)
  VALUES (NULL, p_actor_type, p_actor_id, p_actor_ip, p_user_agent, p_action, p_target_type, p_target_id, p_outcome, p_reason, p_request_id, p_diff)
$$;
--> statement-breakpoint

ALTER FUNCTION portcullis_lookup_api_key(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_issue_setup_token(text, timestamptz) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_complete_setup(text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_user_memberships(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_find_org_by_name(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_set_org_plan(uuid, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_append_instance_audit(text, text, text, text, text, text, text, text, text, text, jsonb) OWNER TO portcullis_definer;
--> statement-breakpoint

REVOKE ALL ON FUNCTION portcullis_lookup_api_key(text), portcullis_issue_setup_token(text, timestamptz),
  portcullis_complete_setup(text, text), portcullis_user_memberships(text), portcullis_find_org_by_name(text),
  portcullis_set_org_plan(uuid, text),
  portcullis_append_instance_audit(text, text, text, text, text, text, text, text, text, text, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_lookup_api_key(text) TO portcullis_gateway;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_issue_setup_token(text, timestamptz), portcullis_complete_setup(text, text),
  portcullis_user_memberships(text), portcullis_find_org_by_name(text), portcullis_set_org_plan(uuid, text),
  portcullis_append_instance_audit(text, text, text, text, text, text, text, text, text, text, jsonb) TO portcullis_api;
--> statement-breakpoint
