CREATE TABLE "request_bodies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_id" uuid NOT NULL,
	"request_log_id" uuid NOT NULL,
	"tenant_key_id" uuid NOT NULL,
	"request_ciphertext" "bytea" NOT NULL,
	"response_ciphertext" "bytea",
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "request_bodies" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "provider_keys" ADD COLUMN "options" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "served_model" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "stream" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "ttft_ms" integer;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cached_input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cache_write_input_tokens" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "reasoning_tokens" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cost_micro_usd" bigint;--> statement-breakpoint
ALTER TABLE "request_logs" ADD COLUMN "cache_status" text;--> statement-breakpoint
CREATE INDEX "request_bodies_log_idx" ON "request_bodies" USING btree ("org_id","request_log_id");--> statement-breakpoint
ALTER TABLE "request_logs" ADD CONSTRAINT "request_logs_cache_status_check" CHECK ("request_logs"."cache_status" is null or "request_logs"."cache_status" in ('hit', 'miss', 'bypass', 'off'));--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "request_bodies" AS PERMISSIVE FOR ALL TO "portcullis_api", "portcullis_gateway" USING ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid) WITH CHECK ("org_id" = nullif(current_setting('app.org_id', true), '')::uuid);