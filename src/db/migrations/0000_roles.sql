-- Roles. All NOLOGIN: services assume them with SET LOCAL ROLE inside withTenant(); in production
-- each service logs in as its own LOGIN role that is a member of one of them (docs/database.md).
-- Roles are cluster-wide on PostgreSQL, so they are created idempotently: several Portcullis
-- databases on one cluster share them, and a DBA may pre-create them.
--   portcullis_api      the management api: read/write tenant data, append-only audit.
--   portcullis_gateway  the /v1 gateway: reads keys and policies, appends logs. Nothing else.
--   portcullis_definer  owns the few SECURITY DEFINER lookups that run before the org is known;
--                       no service can become it, and it can read only what those lookups return.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'portcullis_api') THEN
    CREATE ROLE portcullis_api NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'portcullis_gateway') THEN
    CREATE ROLE portcullis_gateway NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'portcullis_definer') THEN
    CREATE ROLE portcullis_definer NOLOGIN;
  END IF;
  -- A non-superuser migration owner must be able to hand functions to portcullis_definer.
  IF NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT portcullis_definer TO %I', current_user);
  END IF;
END
$$;
--> statement-breakpoint
