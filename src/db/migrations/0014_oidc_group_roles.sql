-- OIDC group -> role mapping (identity/oidc-group-roles.ts): at sign-in the api must find the orgs
-- that map groups to roles, across tenants, before it can enter any of them. Only their ids leave.
-- The definer reads only the settings column besides id/name (granted in 0002).
GRANT SELECT (settings) ON organizations TO portcullis_definer;
--> statement-breakpoint
CREATE FUNCTION portcullis_oidc_group_role_orgs()
RETURNS TABLE (org_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT o.id FROM public.organizations o
  WHERE jsonb_typeof(o.settings -> 'oidcGroupRoles') = 'object' AND o.settings -> 'oidcGroupRoles' <> '{}'::jsonb
  ORDER BY o.id
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_oidc_group_role_orgs() OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_oidc_group_role_orgs() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_oidc_group_role_orgs() TO portcullis_api;
