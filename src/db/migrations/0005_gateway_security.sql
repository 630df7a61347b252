-- Request bodies: written by the gateway (encrypted), read by the api (reading one is audited by
-- the caller), never changed by either.
ALTER TABLE request_bodies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
REVOKE ALL ON request_bodies FROM PUBLIC;
--> statement-breakpoint
GRANT INSERT ON request_bodies TO portcullis_gateway;
--> statement-breakpoint
GRANT SELECT ON request_bodies TO portcullis_api;
