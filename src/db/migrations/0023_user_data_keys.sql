CREATE TABLE "user_data_keys" (
	"user_id" text PRIMARY KEY NOT NULL,
	"master_key_id" text NOT NULL,
	"wrapped_key" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "deletion_scheduled_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_data_keys" ADD CONSTRAINT "user_data_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Per-user keys for the personal data inside audit events (src/audit/personal-data.ts). The api
-- creates a user's key on the first event about them and reads keys to show events; master-key
-- rotation re-wraps them. No role may delete one: only erasing the user does (the foreign key
-- cascades as the table owner), so no key disappears while its user still exists.
REVOKE ALL ON user_data_keys FROM PUBLIC;
--> statement-breakpoint
GRANT SELECT, INSERT ON user_data_keys TO portcullis_api;
--> statement-breakpoint
GRANT UPDATE (master_key_id, wrapped_key) ON user_data_keys TO portcullis_api;
