/**
 * projects:write (create, delete, change settings) needs an admin or owner (src/auth/permissions.ts).
 * The api decides; this only spares others buttons that would be refused.
 */
export const mayWriteProjects = (role: string): boolean => role === 'owner' || role === 'admin';
