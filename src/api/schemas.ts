/** Path parameters shared by the management routes. */
import { z } from 'zod';

export const orgParams = z.object({ orgId: z.uuid() });
export const projectParams = orgParams.extend({ projectId: z.uuid() });
export const apiKeyParams = orgParams.extend({ keyId: z.uuid() });
export const adminTokenParams = orgParams.extend({ tokenId: z.uuid() });

export const timestampSchema = z.iso.datetime({ offset: true });
