-- request_logs.usage_source: whether a row's token counts are the provider's usage report
-- ('provider') or the gateway's count of what it delivered on a stream cut before that report
-- ('gateway'); null for rows without usage (cache hits, refusals) and rows written before this.
--
-- Expand step (docs/upgrades.md): a nullable column without a default, so the previous release's
-- inserts (which do not name it) keep working and no row is rewritten. Added on the partitioned
-- parent, it reaches every partition, and partitions created later inherit it.
--
-- The CHECK is NOT VALID: validating it would scan every partition under the ACCESS EXCLUSIVE lock
-- of ALTER TABLE while the gateway is writing logs. Every existing row is null, so there is nothing
-- to validate; new and updated rows are checked all the same. Its column is not qualified with the
-- table name as drizzle-kit writes it: the CHECK is cloned onto every partition, where
-- "request_logs"."usage_source" names no table in scope and PostgreSQL refuses the statement.
ALTER TABLE "request_logs" ADD COLUMN "usage_source" text;--> statement-breakpoint
ALTER TABLE "request_logs" ADD CONSTRAINT "request_logs_usage_source_check" CHECK ("usage_source" is null or "usage_source" in ('provider', 'gateway')) NOT VALID;
