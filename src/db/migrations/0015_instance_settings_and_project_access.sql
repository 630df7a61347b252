CREATE TABLE "instance_settings" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"signup_mode" text DEFAULT 'invite_only' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "instance_settings_singleton" CHECK ("instance_settings"."id"),
	CONSTRAINT "instance_settings_signup_mode_check" CHECK ("instance_settings"."signup_mode" in ('invite_only', 'open'))
);
--> statement-breakpoint
ALTER TABLE "members" ADD COLUMN "project_ids" uuid[];--> statement-breakpoint
ALTER TABLE "members" ADD CONSTRAINT "members_project_ids_check" CHECK ("members"."project_ids" is null or "members"."role" in ('developer', 'viewer'));