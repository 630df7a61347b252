ALTER TABLE "guardrail_events" ADD COLUMN "location" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "guardrail_events" ADD COLUMN "start_offset" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "guardrail_events" ADD COLUMN "end_offset" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "guardrail_events" ADD COLUMN "value_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "guardrail_events_project_time_idx" ON "guardrail_events" USING btree ("org_id","project_id","created_at");