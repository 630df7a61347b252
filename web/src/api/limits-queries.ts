/** The write of a project's limits: PUT replaces them as a whole (the api audits it). */
import { request, seg } from './client.ts';
import { limitsAnswerSchema, type Limits } from './limits-schemas.ts';

export const saveProjectLimits = (orgId: string, projectId: string, limits: Limits): Promise<Limits> =>
  request('PUT', `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/limits`, limitsAnswerSchema, { body: limits }).then((r) => r.limits);
