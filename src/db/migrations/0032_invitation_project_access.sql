-- invitations.project_ids: the projects an invited developer or viewer is limited to once the
-- invitation is accepted (copied to members.project_ids), or null for every project.
--
-- Expand step (docs/upgrades.md): a nullable column without a default, so the previous release's
-- inserts keep working. The CHECK mirrors members_project_ids_check; it is NOT VALID like every new
-- constraint (docs/upgrades.md), though every existing row is null and holds to it.
-- Mid-upgrade, a replica of the previous release that accepts an invitation does not read the
-- column and grants every project: invite with a project list once every replica runs this release.
ALTER TABLE "invitations" ADD COLUMN "project_ids" uuid[];--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_project_ids_check" CHECK ("invitations"."project_ids" is null or "invitations"."role" in ('developer', 'viewer')) NOT VALID;