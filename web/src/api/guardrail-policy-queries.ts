/**
 * Guardrail policies: the org's policy and a project's override (cached), the writes (each with the version read,
 * as `If-Match`, so a save made by someone else in between is refused, not silently undone), and "try it".
 * A tried text is never cached: it may hold exactly the secret the user is testing against.
 */
import { useQuery } from '@tanstack/react-query';
import { request, requestVoid, seg } from './client.ts';
import {
  orgPolicyViewSchema,
  projectPolicyViewSchema,
  savedOverrideSchema,
  tryResultSchema,
  type GuardrailOverride,
  type GuardrailPolicy,
  type TryResult,
} from './guardrail-policy-schemas.ts';

export const guardrailPolicyKeys = {
  all: (orgId: string) => ['orgs', orgId, 'guardrail-policy'] as const,
  org: (orgId: string) => ['orgs', orgId, 'guardrail-policy', 'org'] as const,
  project: (orgId: string, projectId: string) => ['orgs', orgId, 'guardrail-policy', 'project', projectId] as const,
};

const orgPath = (orgId: string) => `/api/orgs/${seg(orgId)}/guardrails`;
const projectPath = (orgId: string, projectId: string) => `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/guardrails`;
const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

export const useOrgGuardrailPolicy = (orgId: string) =>
  useQuery({
    queryKey: guardrailPolicyKeys.org(orgId),
    queryFn: ({ signal }) => request('GET', orgPath(orgId), orgPolicyViewSchema, { signal }),
  });

export const useProjectGuardrails = (orgId: string, projectId: string | null) =>
  useQuery({
    queryKey: guardrailPolicyKeys.project(orgId, projectId ?? ''),
    queryFn: ({ signal }) => request('GET', projectPath(orgId, projectId ?? ''), projectPolicyViewSchema, { signal }),
    enabled: projectId !== null,
  });

export const saveOrgPolicy = (orgId: string, policy: GuardrailPolicy, version: number) =>
  request('PUT', orgPath(orgId), orgPolicyViewSchema, { body: policy, headers: ifMatch(version) });

export const saveProjectOverride = (orgId: string, projectId: string, override: GuardrailOverride, version: number) =>
  request('PUT', projectPath(orgId, projectId), savedOverrideSchema, { body: override, headers: ifMatch(version) });

export const deleteProjectOverride = (orgId: string, projectId: string, version: number) =>
  requestVoid('DELETE', projectPath(orgId, projectId), { headers: ifMatch(version) });

export type TryRequest =
  | { scope: 'org'; policy: GuardrailPolicy }
  /** `override`: the draft override ({} for "inherit the org policy"). */
  | { scope: 'project'; projectId: string; override: GuardrailOverride };

/** Runs the draft over `text` on the api (nothing stored or sent to a provider). */
export function tryGuardrails(
  orgId: string,
  target: TryRequest,
  text: string,
  direction: 'input' | 'output',
  signal: AbortSignal,
): Promise<TryResult> {
  const path = target.scope === 'org' ? `${orgPath(orgId)}/try` : `${projectPath(orgId, target.projectId)}/try`;
  const policy = target.scope === 'org' ? target.policy : target.override;
  return request('POST', path, tryResultSchema, { body: { text, direction, policy }, signal });
}
