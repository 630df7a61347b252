-- A user's personal-data export (GET /api/me/export) reads two things no tenant scope reaches:
-- their events in the instance chain (RLS shows the api role org rows only, under app.org_id) and
-- the invitations addressed to their email in orgs they may not belong to. Both functions return
-- only rows about the one user they are asked for, never another chain's or another address's.
-- The definer already reads audit_events (0019: definer_audit_verify); invitations need two more
-- columns than 0013 and 0017 granted.
GRANT SELECT (role, created_at) ON invitations TO portcullis_definer;
--> statement-breakpoint

-- Instance-chain events the user caused (actor), and those the system recorded about their
-- account (a failed sign-in names the user as its target, with the system as actor). Oldest
-- first; p_limit is capped so one call cannot read the whole chain.
CREATE FUNCTION portcullis_user_instance_audit(p_user_id text, p_limit integer)
RETURNS TABLE (seq bigint, occurred_at timestamptz, actor_type text, actor_ip text, user_agent text, action text,
  target_type text, target_id text, outcome text, reason text, diff jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT e.seq, e.occurred_at, e.actor_type, e.actor_ip, e.user_agent, e.action, e.target_type, e.target_id, e.outcome, e.reason, e.diff
  FROM public.audit_events e
  WHERE e.org_id IS NULL
    AND ((e.actor_type = 'user' AND e.actor_id = p_user_id)
      OR (e.actor_type = 'system' AND e.target_type = 'user' AND e.target_id = p_user_id))
  ORDER BY e.seq
  LIMIT least(greatest(p_limit, 1), 100001)
$$;
--> statement-breakpoint

-- Invitations addressed to an email, in any org: which org, the role offered and the dates. Never
-- the token hash, never who invited (another person).
CREATE FUNCTION portcullis_user_invitations(p_email text)
RETURNS TABLE (org_id uuid, org_name text, role text, created_at timestamptz, expires_at timestamptz,
  accepted_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT i.org_id, o.name, i.role, i.created_at, i.expires_at, i.accepted_at, i.revoked_at
  FROM public.invitations i JOIN public.organizations o ON o.id = i.org_id
  WHERE i.email = lower(p_email)
  ORDER BY i.created_at, i.id
  LIMIT 1000
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_user_instance_audit(text, integer) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_user_invitations(text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_user_instance_audit(text, integer), portcullis_user_invitations(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_user_instance_audit(text, integer), portcullis_user_invitations(text) TO portcullis_api;
