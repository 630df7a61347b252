-- Instance administration (tenancy/instance.ts): the instance settings row, granting and revoking
-- instance admins, and the cross-tenant org list. Every function that changes instance state
-- checks that its actor is an instance admin itself, so a bug in the api that skips the check
-- still cannot widen anyone's power.

INSERT INTO instance_settings (id) VALUES (true) ON CONFLICT DO NOTHING;
--> statement-breakpoint
REVOKE ALL ON instance_settings FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT ON instance_settings TO portcullis_api;
--> statement-breakpoint
GRANT SELECT, UPDATE ON instance_settings TO portcullis_definer;
--> statement-breakpoint
GRANT DELETE ON instance_admins TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT (plan, created_at) ON organizations TO portcullis_definer;
--> statement-breakpoint
GRANT SELECT (project_ids) ON members TO portcullis_definer;
--> statement-breakpoint

CREATE FUNCTION portcullis_set_signup_mode(p_actor text, p_mode text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.instance_admins WHERE user_id = p_actor) THEN
    RETURN false;
  END IF;
  UPDATE public.instance_settings SET signup_mode = p_mode, updated_at = now(), updated_by = p_actor WHERE id;
  RETURN FOUND;
END
$$;
--> statement-breakpoint

-- 'granted', 'already_admin', 'no_user', or 'not_admin' (the granter is no instance admin).
CREATE FUNCTION portcullis_grant_instance_admin(p_granter text, p_user text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM public.instance_admins WHERE user_id = p_granter) THEN
    RETURN 'not_admin';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.users WHERE id = p_user) THEN
    RETURN 'no_user';
  END IF;
  INSERT INTO public.instance_admins (user_id, granted_by) VALUES (p_user, p_granter) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RETURN 'already_admin';
  END IF;
  RETURN 'granted';
END
$$;
--> statement-breakpoint

-- 'revoked', 'not_found' (the user is no instance admin), 'last_admin', or 'not_admin' (the
-- revoker is none). The instance never loses its last admin.
CREATE FUNCTION portcullis_revoke_instance_admin(p_revoker text, p_user text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
BEGIN
  -- Serialise revocations: two admins removing each other at once must not leave none.
  LOCK TABLE public.instance_admins IN SHARE ROW EXCLUSIVE MODE;
  IF NOT EXISTS (SELECT 1 FROM public.instance_admins WHERE user_id = p_revoker) THEN
    RETURN 'not_admin';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM public.instance_admins WHERE user_id = p_user) THEN
    RETURN 'not_found';
  END IF;
  IF (SELECT count(*) FROM public.instance_admins) <= 1 THEN
    RETURN 'last_admin';
  END IF;
  DELETE FROM public.instance_admins WHERE user_id = p_user;
  RETURN 'revoked';
END
$$;
--> statement-breakpoint

-- Every org of the instance, for instance admins only (anyone else gets no rows).
CREATE FUNCTION portcullis_list_organizations(p_actor text)
RETURNS TABLE (id uuid, name text, plan text, created_at timestamptz, members bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT o.id, o.name, o.plan, o.created_at, (SELECT count(*) FROM public.members m WHERE m.org_id = o.id)
  FROM public.organizations o
  WHERE EXISTS (SELECT 1 FROM public.instance_admins a WHERE a.user_id = p_actor)
  ORDER BY lower(o.name)
$$;
--> statement-breakpoint

-- Memberships now carry project-level access (null = every project).
DROP FUNCTION portcullis_user_memberships(text);
--> statement-breakpoint
CREATE FUNCTION portcullis_user_memberships(p_user_id text)
RETURNS TABLE (org_id uuid, org_name text, role text, project_ids uuid[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT m.org_id, o.name, m.role, m.project_ids FROM public.members m JOIN public.organizations o ON o.id = m.org_id
  WHERE m.user_id = p_user_id ORDER BY o.name
$$;
--> statement-breakpoint

ALTER FUNCTION portcullis_set_signup_mode(text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_grant_instance_admin(text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_revoke_instance_admin(text, text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_list_organizations(text) OWNER TO portcullis_definer;
--> statement-breakpoint
ALTER FUNCTION portcullis_user_memberships(text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_set_signup_mode(text, text), portcullis_grant_instance_admin(text, text),
  portcullis_revoke_instance_admin(text, text), portcullis_list_organizations(text), portcullis_user_memberships(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_set_signup_mode(text, text), portcullis_grant_instance_admin(text, text),
  portcullis_revoke_instance_admin(text, text), portcullis_list_organizations(text), portcullis_user_memberships(text) TO portcullis_api;
