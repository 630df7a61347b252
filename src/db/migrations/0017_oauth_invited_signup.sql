-- Signing in with a provider may create an account for an email with a pending invitation (the
-- person then accepts it, signed in): the api must ask across orgs before any is known. Only a
-- yes or no leaves, never which org invited the address.
GRANT SELECT (email, expires_at, accepted_at, revoked_at) ON invitations TO portcullis_definer;
--> statement-breakpoint
CREATE FUNCTION portcullis_has_pending_invitation(p_email text)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public
AS $$
  SELECT EXISTS (
    SELECT 1 FROM public.invitations i
    WHERE i.email = lower(p_email) AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
  )
$$;
--> statement-breakpoint
ALTER FUNCTION portcullis_has_pending_invitation(text) OWNER TO portcullis_definer;
--> statement-breakpoint
REVOKE ALL ON FUNCTION portcullis_has_pending_invitation(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION portcullis_has_pending_invitation(text) TO portcullis_api;
