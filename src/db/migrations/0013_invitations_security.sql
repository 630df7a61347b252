-- Invitations: tenant-scoped for the api only (the gateway never needs them), and one narrow
-- lookup by token hash for accepting a link before the org is known.

ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON invitations FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON invitations TO portcullis_api;
--> statement-breakpoint
GRANT SELECT (id, org_id, token_hash) ON invitations TO portcullis_definer;
--> statement-breakpoint
CREATE POLICY definer_lookup ON invitations FOR SELECT TO portcullis_definer USING (true);
--> statement-breakpoint
-- Returns the invitation's id and org only: its state is read (and locked) inside the org's
-- transaction, under RLS, by the caller.
CREATE FUNCTION portcullis_find_invitation(p_token_hash text)
RETURNS TABLE (id uuid, org_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT i.id, i.org_id FROM public.invitations i WHERE i.token_hash = p_token_hash
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_find_invitation(text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_find_invitation(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_find_invitation(text) TO portcullis_api;
